// Marking notifications read: events on the user's "notifications:<user_id>" stream, folded by
// the notification projection. Whether the notification exists is checked by the caller against
// the projection (it is not state the writer holds).
#pragma once

#include <string>

#include "core/domain/unit_of_work.h"
#include "events/notification_events.pb.h"

namespace ledger::domain {

struct MarkNotificationRead {
  UserId user_id;
  NotificationId notification_id;
};
Result<events::NotificationRead> mark_notification_read(UnitOfWork& uow,
                                                        const MarkNotificationRead& command);

struct MarkAllNotificationsRead {
  UserId user_id;
};
Result<events::AllNotificationsRead> mark_all_notifications_read(
    UnitOfWork& uow, const MarkAllNotificationsRead& command);

}  // namespace ledger::domain
