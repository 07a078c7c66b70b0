// Invoices: admins bill a client for a service; the client pays from the wallet.
//
// Rules (each refused command writes nothing):
// - Issued for an amount > 0, a known service and a due date that is not in the past.
// - Paying moves the amount wallet -> revenue:<service> (insufficient_funds when short);
//   paying a paid invoice is already_paid, a void one invoice_void. Only the invoice's client
//   pays it (another client gets not_found, as if it did not exist).
// - Void (admin): an unpaid invoice only (already_paid / invoice_void otherwise).
// - Deadlines are time-driven: `mark_invoice_deadlines`, run by the server's timer for every
//   open invoice, emits InvoiceReminderDue once when now >= end of due date - 3 days, and
//   InvoiceOverdue once when now >= end of the due date (only the overdue mark if both are due).
//   Given the same state and clock, the same events: deterministic under an injected clock.
// - A subscription's renewal invoice (issued by advance_subscription, subscription.h) names the
//   subscription and the renewal date; paying or voiding it also settles that renewal
//   (settle_renewal_invoice, in the same commit).
//
// Every decider here reads rows, checks the rules and emits events; the invoice rows (and the
// open-invoice rows the timer scans) are written by the "billing" fold (billing_fold.h), the money
// by the "wallets" and "accounts" folds.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/billing_state.pb.h"
#include "events/invoice_events.pb.h"

namespace ledger::domain {

inline constexpr std::int64_t kInvoiceReminderLeadUs = 3 * kMicrosPerDay;

std::string invoice_stream(std::string_view invoice_id);

struct IssueInvoice {
  InvoiceId invoice_id;
  UserId client_id;
  std::string service;
  Money amount;
  std::string due_date;  // "YYYY-MM-DD"
  std::string description;
  ActorId issued_by;
  // A subscription's renewal invoice: the subscription and the renewal date it bills (both
  // empty for an admin's invoice).
  SubscriptionId subscription_id;
  std::string renewal_date;
};
Result<events::InvoiceState> issue_invoice(UnitOfWork& uow, const IssueInvoice& command);

struct PayInvoice {
  InvoiceId invoice_id;
  UserId client_id;              // who pays
  TransactionId transaction_id;  // of the wallet debit
};
Result<events::InvoiceState> pay_invoice(UnitOfWork& uow, const PayInvoice& command);

struct VoidInvoice {
  InvoiceId invoice_id;
  ActorId voided_by;
  std::string reason;
};
Result<events::InvoiceState> void_invoice(UnitOfWork& uow, const VoidInvoice& command);

struct MarkInvoiceDeadlines {
  InvoiceId invoice_id;
};
Result<events::InvoiceState> mark_invoice_deadlines(UnitOfWork& uow,
                                                    const MarkInvoiceDeadlines& command);

// Row keys of the "billing" keyspace, for readers.
inline constexpr std::string_view kInvoiceKeyPrefix = "invoice/";
inline constexpr std::string_view kOpenInvoiceKeyPrefix = "open-invoice/";
std::string invoice_key(std::string_view invoice_id);

}  // namespace ledger::domain
