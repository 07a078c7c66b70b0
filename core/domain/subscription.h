// Subscriptions: a client pays a monthly price for a plan of a service.
//
// Rules (each refused command writes nothing):
// - Activated by an admin for a client, a known service, a plan name, a monthly price > 0 and
//   the first renewal date (after today). When the client pays from the wallet, activation
//   charges the first month (wallet -> revenue:<service>; insufficient_funds refuses it).
// - Time-driven (`advance_subscription`, run by the server's timer for every subscription not
//   cancelled; what is due is `subscription_due`): from 3 days before the renewal date, one
//   SubscriptionRenewalReminderDue per renewal date; on the renewal date, SubscriptionRenewed and
//   the next date one month later, in the same commit as what pays for it:
//   - paid from the wallet: the charge (WalletDebited). When the wallet cannot pay, one
//     SubscriptionRenewalFailed (insufficient_funds) and the subscription is past_due; later runs
//     retry the charge silently until it succeeds.
//   - not paid from the wallet: an invoice (InvoiceIssued by "system" to the client, of the price,
//     for the subscription's service, naming the subscription and the renewal date), due
//     kSubscriptionInvoiceGraceDays (7) days after the renewal date, or after the day it is
//     issued when the timer runs late (the server was down), so the client always has the whole
//     grace period. The client pays it like any invoice (POST /api/invoices/{id}/pay/), which
//     posts the revenue; no money moves before. While that invoice is open the subscription
//     neither renews nor is reminded again (one open renewal invoice at a time, so never two
//     invoices for one renewal date, however often or late the timer runs: the invoice and the
//     next renewal date are one commit). If it is still unpaid when its due date ends, access
//     ends: one SubscriptionRenewalFailed (invoice_unpaid) and the subscription is past_due.
// - A renewal invoice paid (or voided by an admin, which waives that renewal) settles the
//   renewal: SubscriptionRenewalSettled in the same commit as the InvoicePaid or InvoiceVoided,
//   and a subscription past due for it is active again (reinstated), as a wallet subscription
//   is when a retried charge succeeds. A renewal date that passed meanwhile is renewed by the
//   next run (a new invoice, due 7 days after that run's day).
// - Cancel: an active or past-due subscription (subscription_not_active otherwise); no refund.
//   An open renewal invoice stays payable (and voidable); paying it reinstates nothing.
//
// Every decider here reads rows, checks the rules and emits events; the subscription rows (and the
// active-subscription rows the timer scans) are written by the "billing" fold (billing_fold.h),
// the invoices by the same fold, the money by the "wallets" and "accounts" folds.
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
// How long the client has to pay a renewal invoice: it is due this many days after the renewal
// date (or after the day it is issued, when later), payable until the end of that day.
inline constexpr int kSubscriptionInvoiceGraceDays = 7;

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

// What the timer has to do for a subscription at `now_us`, from its row alone (the sweeper
// submits advance_subscription only when it is not `nothing`; the decider acts on the same
// answer). corruption when the row holds a malformed date.
enum class SubscriptionDue {
  nothing,
  reminder,     // the renewal date is kSubscriptionReminderLeadUs away or less, not yet reminded
  renewal,      // the renewal date has come (a wallet renewal that failed is retried)
  grace_ended,  // the open renewal invoice's due date has ended unpaid, access still on
};
Result<SubscriptionDue> subscription_due(const events::SubscriptionState& subscription,
                                         std::int64_t now_us);

struct AdvanceSubscription {
  SubscriptionId subscription_id;
  TransactionId transaction_id;  // of the renewal charge, if one is made
  InvoiceId invoice_id;          // of the renewal invoice, if one is issued
};
Result<events::SubscriptionState> advance_subscription(UnitOfWork& uow,
                                                       const AdvanceSubscription& command);

// Settles the renewal billed by `invoice` (a subscription's renewal invoice, just paid or voided:
// `settlement` "paid" or "voided"): SubscriptionRenewalSettled, reinstating a subscription past
// due for it. Called by pay_invoice and void_invoice in the same unit of work; nothing when the
// subscription no longer waits for that invoice.
Status settle_renewal_invoice(UnitOfWork& uow, const events::InvoiceState& invoice,
                              std::string_view settlement);

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
