// Subscriptions: a client pays a monthly price for a plan of a service.
//
// Rules (each refused command writes nothing):
// - Activated by an admin for a client, a known service, a plan name, a monthly price > 0 and
//   the first renewal date (after today). When the client pays from the wallet, activation
//   charges the first month (wallet -> revenue:<service>; insufficient_funds refuses it).
// - Time-driven (`advance_subscription`, run by the server's timer for active subscriptions):
//   from 3 days before the renewal date, one SubscriptionRenewalReminderDue per renewal date;
//   on the renewal date, SubscriptionRenewed (charging the wallet when it pays from it) and the
//   next date one month later. When the wallet cannot pay, one SubscriptionRenewalFailed and the
//   subscription is past_due; later runs retry the charge silently until it succeeds.
// - Cancel: an active or past-due subscription (subscription_not_active otherwise); no refund.
//
// Every decider here reads rows, checks the rules and emits events; the subscription rows (and the
// active-subscription rows the timer scans) are written by the "billing" fold (billing_fold.h),
// the money by the "wallets" and "accounts" folds.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/billing_state.pb.h"
#include "events/subscription_events.pb.h"

namespace ledger::domain {

inline constexpr std::int64_t kSubscriptionReminderLeadUs = 3 * kMicrosPerDay;

std::string subscription_stream(std::string_view subscription_id);

struct ActivateSubscription {
  SubscriptionId subscription_id;
  UserId client_id;
  std::string plan;
  std::string service;
  Money price;
  std::string renews_on;  // "YYYY-MM-DD", after today
  bool pays_from_wallet = true;
  ActorId activated_by;
  TransactionId transaction_id;  // of the first charge
};
Result<events::SubscriptionState> activate_subscription(UnitOfWork& uow,
                                                        const ActivateSubscription& command);

struct AdvanceSubscription {
  SubscriptionId subscription_id;
  TransactionId transaction_id;  // of the renewal charge, if one is made
};
Result<events::SubscriptionState> advance_subscription(UnitOfWork& uow,
                                                       const AdvanceSubscription& command);

struct CancelSubscription {
  SubscriptionId subscription_id;
  UserId client_id;  // when not empty (a client cancelling), must be the subscriber
  ActorId cancelled_by;
  std::string reason;
};
Result<events::SubscriptionState> cancel_subscription(UnitOfWork& uow,
                                                      const CancelSubscription& command);

// Row keys of the "billing" keyspace, for readers.
inline constexpr std::string_view kSubscriptionKeyPrefix = "subscription/";
inline constexpr std::string_view kActiveSubscriptionKeyPrefix = "active-subscription/";
std::string subscription_key(std::string_view subscription_id);

}  // namespace ledger::domain
