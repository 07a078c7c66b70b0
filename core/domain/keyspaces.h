// The keyspaces of the domain (one RocksDB column family each).
//
// Every keyspace but two is an inline fold of the log (core/domain/inline_folds.h): written in the
// same atomic batch as the events it folds, so always exactly as of the log's head, and
// rebuildable from position 0. The two others:
// - "outbox": side effects (emails to send and how their delivery went), kept apart from the
//   folds so that no rebuild loses or repeats one;
// - "projections": the rows of the asynchronous projections, each in generations of its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ledger::domain {

inline constexpr char kAccountsKeyspace[] = "accounts";  // account -> AccountState
inline constexpr char kWalletsKeyspace[] = "wallets";    // wallet/, topup/, hold/ rows
inline constexpr char kRedeemCodesKeyspace[] = "redeem_codes";
inline constexpr char kCoursesKeyspace[] = "courses";
inline constexpr char kBillingKeyspace[] = "billing";    // invoices and subscriptions
inline constexpr char kIdentityKeyspace[] = "identity";  // users, assignments, services
inline constexpr char kOutboxKeyspace[] = "outbox";      // emails waiting to be sent
// Outbox rows: "email/<id>" holds an email and its delivery status; "pending/<id>" (empty)
// marks one still to deliver, so that a delivery pass reads the pending ones, not every email.
inline std::string outbox_email_key(std::string_view email_id) {
  return "email/" + std::string(email_id);
}
inline std::string outbox_pending_key(std::string_view email_id) {
  return "pending/" + std::string(email_id);
}
inline constexpr char kOutboxPendingPrefix[] = "pending/";
inline constexpr char kMarketingKeyspace[] = "marketing";  // campaigns, scheduled posts
inline constexpr char kWebsitesKeyspace[] = "websites";    // website projects
inline constexpr char kTasksKeyspace[] = "tasks";          // tasks and their index rows
inline constexpr char kMessagesKeyspace[] = "messages";    // messages and conversations
inline constexpr char kSupportKeyspace[] = "support";      // support tickets and replies
// Rows of the asynchronous projections (projections/), by projection and generation.
inline constexpr char kProjectionRowsKeyspace[] = "projections";

// Every keyspace above, for StoreOptions::state_keyspaces.
std::vector<std::string> domain_keyspaces();

}  // namespace ledger::domain
