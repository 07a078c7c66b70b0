#include "core/domain/notification_commands.h"

#include "core/domain/validation.h"

namespace ledger::domain {

Result<events::NotificationRead> mark_notification_read(UnitOfWork& uow,
                                                        const MarkNotificationRead& command) {
  if (auto valid = require_id(command.user_id.str(), "user_id"); !valid)
    return std::move(valid).error();
  if (auto valid = require_id(command.notification_id.str(), "id"); !valid) {
    return std::move(valid).error();
  }
  events::NotificationRead read;
  read.set_user_id(command.user_id.str());
  read.set_notification_id(command.notification_id.str());
  if (auto emitted = uow.emit("notifications:" + command.user_id.str(), read); !emitted) {
    return std::move(emitted).error();
  }
  return read;
}

Result<events::AllNotificationsRead> mark_all_notifications_read(
    UnitOfWork& uow, const MarkAllNotificationsRead& command) {
  if (auto valid = require_id(command.user_id.str(), "user_id"); !valid)
    return std::move(valid).error();
  events::AllNotificationsRead read;
  read.set_user_id(command.user_id.str());
  if (auto emitted = uow.emit("notifications:" + command.user_id.str(), read); !emitted) {
    return std::move(emitted).error();
  }
  return read;
}

}  // namespace ledger::domain
