#include "core/domain/subscription.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "core/domain/accounts.h"
#include "core/domain/billing_fold.h"
#include "core/domain/calendar.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "events/timestamp.h"

namespace ledger::domain {
namespace {

Result<events::SubscriptionState> load_subscription(UnitOfWork& uow, std::string_view id) {
  auto row = uow.load<events::SubscriptionState>(kBillingKeyspace, subscription_key(id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no subscription {}", id));
  }
  return std::move(**row);
}

// Charges one month of `subscription` (a SubscriptionState, or the SubscriptionActivated about to
// be emitted) to the client's wallet.
template <class Subscription>
Result<events::WalletDebited> charge(UnitOfWork& uow, const Subscription& subscription,
                                     std::string_view transaction_id, std::string_view period) {
  return debit_wallet(
      uow, WalletDebit{UserId{subscription.client_id()}, TransactionId{transaction_id},
                       Money::from_minor(subscription.price_minor()), "subscription",
                       subscription.service(), subscription.subscription_id(),
                       fmt::format("Subscription {} ({})", subscription.plan(), period)});
}

// The due date of a renewal invoice: the grace period after the renewal date, or after today
// when the timer issues it later than the renewal date.
std::string renewal_invoice_due_date(std::int64_t renewal_at_us, std::int64_t now_us) {
  const std::int64_t from_us = std::max(renewal_at_us, now_us);
  return events::format_date(from_us + kSubscriptionInvoiceGraceDays * kMicrosPerDay);
}

// Charges the renewal of `renewed_on` to the wallet; a wallet too short for it marks the
// subscription past due once (false: not renewed).
Result<bool> charge_renewal(UnitOfWork& uow, const events::SubscriptionState& subscription,
                            std::string_view transaction_id, const std::string& next) {
  const std::string& renewed_on = subscription.renews_on();
  auto charged =
      charge(uow, subscription, transaction_id, fmt::format("{} to {}", renewed_on, next));
  if (charged) return true;
  if (charged.error().code != Errc::insufficient_funds) return std::move(charged).error();
  if (subscription.renewal_failed_for() == renewed_on) return false;  // already said so
  events::SubscriptionRenewalFailed failed;
  failed.set_subscription_id(subscription.subscription_id());
  failed.set_client_id(subscription.client_id());
  failed.set_renews_on(renewed_on);
  failed.set_reason("insufficient_funds");
  if (auto emitted = uow.emit(subscription_stream(subscription.subscription_id()), failed);
      !emitted) {
    return std::move(emitted).error();
  }
  return false;
}

// Renews the subscription's current period, paid from the wallet or billed by an invoice.
Status renew(UnitOfWork& uow, const events::SubscriptionState& subscription,
             const AdvanceSubscription& command) {
  const std::string& renewed_on = subscription.renews_on();
  auto next = add_one_month(renewed_on);
  auto renewal_at = events::parse_date(renewed_on);
  if (!next || !renewal_at) {
    return make_error(Errc::corruption, "a stored subscription has a malformed date");
  }
  events::SubscriptionRenewed renewed;
  renewed.set_subscription_id(subscription.subscription_id());
  renewed.set_client_id(subscription.client_id());
  renewed.set_renewed_on(renewed_on);
  renewed.set_next_renews_on(*next);
  renewed.set_price_minor(subscription.price_minor());
  renewed.set_plan(subscription.plan());
  renewed.set_service(subscription.service());
  if (subscription.pays_from_wallet()) {
    auto charged = charge_renewal(uow, subscription, command.transaction_id.str(), *next);
    if (!charged) return std::move(charged).error();
    if (!*charged) return {};
    renewed.set_transaction_id(command.transaction_id.str());
  } else {
    const std::string due_date = renewal_invoice_due_date(*renewal_at, uow.now_us());
    auto issued = issue_invoice(
        uow, IssueInvoice{
                 command.invoice_id, UserId{subscription.client_id()}, subscription.service(),
                 Money::from_minor(subscription.price_minor()), due_date,
                 fmt::format("Subscription {} ({} to {})", subscription.plan(), renewed_on, *next),
                 "system", SubscriptionId{subscription.subscription_id()}, renewed_on});
    if (!issued) return std::move(issued).error();
    renewed.set_invoice_id(command.invoice_id.str());
    renewed.set_invoice_due_date(due_date);
  }
  return uow.emit(subscription_stream(subscription.subscription_id()), renewed);
}

// The open renewal invoice was not paid within the grace period: access ends.
Status end_access(UnitOfWork& uow, const events::SubscriptionState& subscription) {
  auto invoice =
      uow.load<events::InvoiceState>(kBillingKeyspace, invoice_key(subscription.open_invoice_id()));
  if (!invoice) return std::move(invoice).error();
  if (!invoice->has_value() || (*invoice)->status() != events::INVOICE_STATUS_ISSUED) {
    return make_error(Errc::corruption, "a subscription waits for an invoice that is not open");
  }
  events::SubscriptionRenewalFailed failed;
  failed.set_subscription_id(subscription.subscription_id());
  failed.set_client_id(subscription.client_id());
  failed.set_renews_on((*invoice)->renewal_date());
  failed.set_reason("invoice_unpaid");
  failed.set_invoice_id(subscription.open_invoice_id());
  return uow.emit(subscription_stream(subscription.subscription_id()), failed);
}

Status remind(UnitOfWork& uow, const events::SubscriptionState& subscription) {
  events::SubscriptionRenewalReminderDue reminder;
  reminder.set_subscription_id(subscription.subscription_id());
  reminder.set_client_id(subscription.client_id());
  reminder.set_renews_on(subscription.renews_on());
  reminder.set_price_minor(subscription.price_minor());
  return uow.emit(subscription_stream(subscription.subscription_id()), reminder);
}

}  // namespace

std::string subscription_stream(std::string_view subscription_id) {
  return "subscription:" + std::string(subscription_id);
}
std::string subscription_key(std::string_view subscription_id) {
  return std::string(kSubscriptionKeyPrefix) + std::string(subscription_id);
}

Result<events::SubscriptionState> activate_subscription(UnitOfWork& uow,
                                                        const ActivateSubscription& command) {
  if (auto valid = require_id(command.subscription_id.str(), "subscription_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_text(command.plan, "plan", text_limits::kName); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = validate_service(command.service); !valid) return std::move(valid).error();
  if (auto valid = require_positive(command.price, "price"); !valid) {
    return std::move(valid).error();
  }
  if (command.price.minor() > Money::kApiAmountMinorMax) {
    return make_error(Errc::invalid_argument, "price is above the maximum amount", "price");
  }
  auto first_renewal = events::parse_date(command.renews_on);
  if (!first_renewal) {
    return make_error(Errc::invalid_argument, "renews_on must be a date like 2026-12-23",
                      "renews_on");
  }
  if (*first_renewal <= uow.now_us()) {
    return make_error(Errc::invalid_argument, "renews_on must be after today", "renews_on");
  }
  if (auto unused = uow.require_unused(command.subscription_id, kBillingKeyspace,
                                       subscription_key(command.subscription_id.str()));
      !unused) {
    return std::move(unused).error();
  }

  events::SubscriptionActivated activated;
  activated.set_subscription_id(command.subscription_id.str());
  activated.set_client_id(command.client_id.str());
  activated.set_plan(command.plan);
  activated.set_service(command.service);
  activated.set_price_minor(command.price.minor());
  activated.set_renews_on(command.renews_on);
  activated.set_pays_from_wallet(command.pays_from_wallet);
  activated.set_activated_by(command.activated_by.str());
  if (command.pays_from_wallet) {
    activated.set_transaction_id(command.transaction_id.str());
    // The first month is charged before the activation, as each renewal is before its event.
    auto charged = charge(uow, activated, command.transaction_id.str(),
                          fmt::format("until {}", command.renews_on));
    if (!charged) return std::move(charged).error();
  }
  if (auto emitted = uow.emit(subscription_stream(command.subscription_id.str()), activated);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_subscription(uow, command.subscription_id.str());
}

Result<SubscriptionDue> subscription_due(const events::SubscriptionState& subscription,
                                         std::int64_t now_us) {
  if (subscription.status() == events::SUBSCRIPTION_STATUS_CANCELLED) {
    return SubscriptionDue::nothing;
  }
  if (!subscription.open_invoice_id().empty()) {
    // One open renewal invoice at a time: nothing renews until it is settled.
    if (subscription.status() != events::SUBSCRIPTION_STATUS_ACTIVE)
      return SubscriptionDue::nothing;
    auto grace_end = end_of_date_us(subscription.open_invoice_due_date());
    if (!grace_end) return make_error(Errc::corruption, "a stored subscription has a bad date");
    return now_us >= *grace_end ? SubscriptionDue::grace_ended : SubscriptionDue::nothing;
  }
  auto renewal_at = events::parse_date(subscription.renews_on());
  if (!renewal_at) return make_error(Errc::corruption, "a stored subscription has a bad date");
  if (now_us >= *renewal_at) return SubscriptionDue::renewal;
  if (now_us >= *renewal_at - kSubscriptionReminderLeadUs &&
      subscription.reminded_for() != subscription.renews_on()) {
    return SubscriptionDue::reminder;
  }
  return SubscriptionDue::nothing;
}

Result<events::SubscriptionState> advance_subscription(UnitOfWork& uow,
                                                       const AdvanceSubscription& command) {
  auto subscription = load_subscription(uow, command.subscription_id.str());
  if (!subscription) return std::move(subscription).error();
  auto due = subscription_due(*subscription, uow.now_us());
  if (!due) return std::move(due).error();
  Status done;
  switch (*due) {
    case SubscriptionDue::nothing:
      return subscription;
    case SubscriptionDue::reminder:
      done = remind(uow, *subscription);
      break;
    case SubscriptionDue::renewal:
      done = renew(uow, *subscription, command);
      break;
    case SubscriptionDue::grace_ended:
      done = end_access(uow, *subscription);
      break;
  }
  if (!done) return std::move(done).error();
  return load_subscription(uow, command.subscription_id.str());
}

Status settle_renewal_invoice(UnitOfWork& uow, const events::InvoiceState& invoice,
                              std::string_view settlement) {
  LEDGER_ASSERT(!invoice.subscription_id().empty(), "only a renewal invoice settles a renewal");
  LEDGER_ASSERT(settlement == "paid" || settlement == "voided", "a renewal is paid or waived");
  auto subscription = load_subscription(uow, invoice.subscription_id());
  if (!subscription) return std::move(subscription).error();
  if (subscription->open_invoice_id() != invoice.invoice_id()) return {};
  events::SubscriptionRenewalSettled settled;
  settled.set_subscription_id(subscription->subscription_id());
  settled.set_client_id(subscription->client_id());
  settled.set_invoice_id(invoice.invoice_id());
  settled.set_renewed_on(invoice.renewal_date());
  settled.set_settlement(std::string(settlement));
  settled.set_reinstated(subscription->status() == events::SUBSCRIPTION_STATUS_PAST_DUE);
  settled.set_plan(subscription->plan());
  return uow.emit(subscription_stream(subscription->subscription_id()), settled);
}

Result<events::SubscriptionState> cancel_subscription(UnitOfWork& uow,
                                                      const CancelSubscription& command) {
  auto subscription = load_subscription(uow, command.subscription_id.str());
  if (!subscription) return std::move(subscription).error();
  if (!command.client_id.empty() && subscription->client_id() != command.client_id.str()) {
    return make_error(Errc::not_found,
                      fmt::format("there is no subscription {}", command.subscription_id.str()));
  }
  if (subscription->status() == events::SUBSCRIPTION_STATUS_CANCELLED) {
    return make_error(
        Errc::subscription_not_active,
        fmt::format("subscription {} is already cancelled", command.subscription_id.str()));
  }
  if (auto valid = limit_text(command.reason, "reason", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  events::SubscriptionCancelled cancelled;
  cancelled.set_subscription_id(subscription->subscription_id());
  cancelled.set_client_id(subscription->client_id());
  cancelled.set_cancelled_by(command.cancelled_by.str());
  cancelled.set_reason(command.reason);
  if (auto emitted = uow.emit(subscription_stream(subscription->subscription_id()), cancelled);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_subscription(uow, command.subscription_id.str());
}

}  // namespace ledger::domain
