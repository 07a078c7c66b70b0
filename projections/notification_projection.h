// The notification feeds: for each domain event, the notifications of the people it concerns
// (projections/notification_rules.h), per user, newest first, with read marks and an unread
// count. Rows (under "notifications/<generation>/"):
//   feed/<user>/<position, 20 digits>/<index, 2 digits>  Notification
//   user/<user>                                          NotificationCounters
//   admin/<user>, agent/<client>/<service>               who the audiences are (folded here)
#pragma once

#include "projections/projection.h"

namespace ledger::projections {

inline constexpr char kNotificationsProjection[] = "notifications";

class NotificationProjection final : public Projection {
 public:
  std::string_view name() const override { return kNotificationsProjection; }
  // 2: agents and admins get wording of their own (no longer the client's "your ...").
  // 3: an agent unassigned (deactivated) no longer hears of their former clients.
  // 4: the client hears of each subscription renewal (subscription_renewed), past ones too.
  // 5: posts rejected or cancelled by the client, drafts and their submission have their own words.
  std::uint32_t version() const override { return 5; }
  Status apply(const events::Envelope& event, ProjectionState& state) override;
};

// Row keys, for readers.
std::string notification_feed_prefix(std::string_view user_id);
std::string notification_counters_key(std::string_view user_id);
// "<position>-<index>" -> the feed key of that notification of `user_id` (nullopt: malformed).
std::optional<std::string> notification_feed_key(std::string_view user_id,
                                                 std::string_view notification_id);

}  // namespace ledger::projections
