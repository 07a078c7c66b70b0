#include "core/domain/billing_fold.h"

#include <cstdint>
#include <string>

#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "events/billing_state.pb.h"
#include "events/invoice_events.pb.h"
#include "events/subscription_events.pb.h"

namespace ledger::domain {
namespace {

// The invoice row, and the open-invoice index in step with its status.
void save_invoice(KeyspaceRows& rows, const events::InvoiceState& invoice) {
  rows.save(invoice_key(invoice.invoice_id()), invoice);
  if (invoice.status() == events::INVOICE_STATUS_ISSUED) {
    rows.save(open_invoice_key(invoice.invoice_id()), invoice);
  } else {
    rows.erase(open_invoice_key(invoice.invoice_id()));
  }
}

// The subscription row, and the active-subscription index in step with its status.
void save_subscription(KeyspaceRows& rows, const events::SubscriptionState& subscription) {
  rows.save(subscription_key(subscription.subscription_id()), subscription);
  if (subscription.status() == events::SUBSCRIPTION_STATUS_CANCELLED) {
    rows.erase(active_subscription_key(subscription.subscription_id()));
  } else {
    rows.save(active_subscription_key(subscription.subscription_id()), subscription);
  }
}

// Changes the stored row M at `key` with `change` and saves it with `save`; a row the fold never
// saw changes nothing. `change` may refuse (an overflow).
template <class M, class Change, class Save>
Status change_row(KeyspaceRows& rows, const std::string& key, Change change, Save save) {
  auto row = rows.load<M>(key);
  if (!row) return std::move(row).error();
  if (!row->has_value()) return {};
  if (auto changed = change(**row); !changed) return changed;
  save(rows, **row);
  return {};
}

template <class Change>
Status change_invoice(KeyspaceRows& rows, const std::string& invoice_id, Change change) {
  return change_row<events::InvoiceState>(rows, invoice_key(invoice_id), change, save_invoice);
}

template <class Change>
Status change_subscription(KeyspaceRows& rows, const std::string& subscription_id, Change change) {
  return change_row<events::SubscriptionState>(rows, subscription_key(subscription_id), change,
                                               save_subscription);
}

Status issue_invoice(KeyspaceRows& rows, const FoldedEvent& event,
                     const events::InvoiceIssued& issued) {
  events::InvoiceState invoice;
  invoice.set_invoice_id(issued.invoice_id());
  invoice.set_client_id(issued.client_id());
  invoice.set_service(issued.service());
  invoice.set_amount_minor(issued.amount_minor());
  invoice.set_due_date(issued.due_date());
  invoice.set_description(issued.description());
  invoice.set_issued_by(issued.issued_by());
  invoice.set_issued_at_us(event.recorded_at_us);
  invoice.set_subscription_id(issued.subscription_id());
  invoice.set_renewal_date(issued.renewal_date());
  invoice.set_status(events::INVOICE_STATUS_ISSUED);
  save_invoice(rows, invoice);
  return {};
}

Status evolve_invoices(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* issued = event.as<events::InvoiceIssued>()) {
    return issue_invoice(rows, event, *issued);
  }
  if (const auto* paid = event.as<events::InvoicePaid>()) {
    return change_invoice(rows, paid->invoice_id(), [&](events::InvoiceState& invoice) {
      invoice.set_status(events::INVOICE_STATUS_PAID);
      invoice.set_paid_at_us(event.recorded_at_us);
      invoice.set_transaction_id(paid->transaction_id());
      return Status();
    });
  }
  if (const auto* voided = event.as<events::InvoiceVoided>()) {
    return change_invoice(rows, voided->invoice_id(), [](events::InvoiceState& invoice) {
      invoice.set_status(events::INVOICE_STATUS_VOID);
      return Status();
    });
  }
  if (const auto* reminder = event.as<events::InvoiceReminderDue>()) {
    return change_invoice(rows, reminder->invoice_id(), [](events::InvoiceState& invoice) {
      invoice.set_reminder_sent(true);
      return Status();
    });
  }
  if (const auto* overdue = event.as<events::InvoiceOverdue>()) {
    return change_invoice(rows, overdue->invoice_id(), [](events::InvoiceState& invoice) {
      invoice.set_overdue(true);
      return Status();
    });
  }
  return {};
}

Status activate_subscription(KeyspaceRows& rows, const FoldedEvent& event,
                             const events::SubscriptionActivated& activated) {
  events::SubscriptionState subscription;
  subscription.set_subscription_id(activated.subscription_id());
  subscription.set_client_id(activated.client_id());
  subscription.set_plan(activated.plan());
  subscription.set_service(activated.service());
  subscription.set_price_minor(activated.price_minor());
  subscription.set_renews_on(activated.renews_on());
  subscription.set_pays_from_wallet(activated.pays_from_wallet());
  subscription.set_status(events::SUBSCRIPTION_STATUS_ACTIVE);
  subscription.set_activated_at_us(event.recorded_at_us);
  subscription.set_activated_by(activated.activated_by());
  save_subscription(rows, subscription);
  return {};
}

Status renew_subscription(events::SubscriptionState& subscription,
                          const events::SubscriptionRenewed& renewed) {
  if (subscription.renewals() == UINT32_MAX) {
    return make_error(Errc::amount_overflow, "a subscription's renewal count would overflow");
  }
  subscription.set_status(events::SUBSCRIPTION_STATUS_ACTIVE);
  subscription.set_renews_on(renewed.next_renews_on());
  subscription.set_renewal_failed_for("");
  subscription.set_renewals(subscription.renewals() + 1);
  // A renewal billed by an invoice waits for it (empty for a wallet renewal).
  subscription.set_open_invoice_id(renewed.invoice_id());
  subscription.set_open_invoice_due_date(renewed.invoice_due_date());
  return {};
}

// The renewal's invoice is paid or voided: the subscription no longer waits for it, and one past
// due for it is active again.
void settle_renewal(events::SubscriptionState& subscription,
                    const events::SubscriptionRenewalSettled& settled) {
  if (subscription.open_invoice_id() != settled.invoice_id()) return;
  subscription.set_open_invoice_id("");
  subscription.set_open_invoice_due_date("");
  if (settled.reinstated()) {
    subscription.set_status(events::SUBSCRIPTION_STATUS_ACTIVE);
    subscription.set_renewal_failed_for("");
  }
}

Status evolve_subscriptions(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* activated = event.as<events::SubscriptionActivated>()) {
    return activate_subscription(rows, event, *activated);
  }
  if (const auto* reminder = event.as<events::SubscriptionRenewalReminderDue>()) {
    return change_subscription(rows, reminder->subscription_id(), [&](auto& subscription) {
      subscription.set_reminded_for(reminder->renews_on());
      return Status();
    });
  }
  if (const auto* renewed = event.as<events::SubscriptionRenewed>()) {
    return change_subscription(rows, renewed->subscription_id(), [&](auto& subscription) {
      return renew_subscription(subscription, *renewed);
    });
  }
  if (const auto* failed = event.as<events::SubscriptionRenewalFailed>()) {
    return change_subscription(rows, failed->subscription_id(), [&](auto& subscription) {
      subscription.set_status(events::SUBSCRIPTION_STATUS_PAST_DUE);
      subscription.set_renewal_failed_for(failed->renews_on());
      return Status();
    });
  }
  if (const auto* settled = event.as<events::SubscriptionRenewalSettled>()) {
    return change_subscription(rows, settled->subscription_id(), [&](auto& subscription) {
      settle_renewal(subscription, *settled);
      return Status();
    });
  }
  if (const auto* cancelled = event.as<events::SubscriptionCancelled>()) {
    return change_subscription(rows, cancelled->subscription_id(), [&](auto& subscription) {
      subscription.set_status(events::SUBSCRIPTION_STATUS_CANCELLED);
      subscription.set_cancelled_at_us(event.recorded_at_us);
      return Status();
    });
  }
  return {};
}

Status evolve_billing(KeyspaceRows& rows, const FoldedEvent& event) {
  if (auto invoices = evolve_invoices(rows, event); !invoices) return invoices;
  return evolve_subscriptions(rows, event);
}

}  // namespace

std::string open_invoice_key(std::string_view invoice_id) {
  return std::string(kOpenInvoiceKeyPrefix) + std::string(invoice_id);
}

std::string active_subscription_key(std::string_view subscription_id) {
  return std::string(kActiveSubscriptionKeyPrefix) + std::string(subscription_id);
}

InlineFold billing_fold() {
  return InlineFold{
      .keyspace = kBillingKeyspace,
      // Version 3: invoices name the subscription renewal they bill; subscriptions their open
      // renewal invoice.
      .version = 3,
      .description = "invoices and subscriptions, and the open and active rows their timers scan",
      .events = {events::InvoiceIssued::descriptor(), events::InvoicePaid::descriptor(),
                 events::InvoiceVoided::descriptor(), events::InvoiceReminderDue::descriptor(),
                 events::InvoiceOverdue::descriptor(), events::SubscriptionActivated::descriptor(),
                 events::SubscriptionRenewalReminderDue::descriptor(),
                 events::SubscriptionRenewed::descriptor(),
                 events::SubscriptionRenewalFailed::descriptor(),
                 events::SubscriptionRenewalSettled::descriptor(),
                 events::SubscriptionCancelled::descriptor()},
      .every_event = false,
      .evolve = evolve_billing};
}

}  // namespace ledger::domain
