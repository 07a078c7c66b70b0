#include "core/domain/invoice.h"

#include <fmt/format.h>

#include "core/domain/accounts.h"
#include "core/domain/billing_fold.h"
#include "core/domain/calendar.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "events/timestamp.h"

namespace ledger::domain {
namespace {

Result<events::InvoiceState> load_invoice(UnitOfWork& uow, std::string_view invoice_id) {
  auto row = uow.load<events::InvoiceState>(kBillingKeyspace, invoice_key(invoice_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no invoice {}", invoice_id));
  }
  return std::move(**row);
}

Status require_unsettled(const events::InvoiceState& invoice) {
  if (invoice.status() == events::INVOICE_STATUS_PAID) {
    return make_error(Errc::already_paid,
                      fmt::format("invoice {} is already paid", invoice.invoice_id()));
  }
  if (invoice.status() == events::INVOICE_STATUS_VOID) {
    return make_error(Errc::invoice_void, fmt::format("invoice {} is void", invoice.invoice_id()));
  }
  return {};
}

}  // namespace

std::string invoice_stream(std::string_view invoice_id) {
  return "invoice:" + std::string(invoice_id);
}
std::string invoice_key(std::string_view invoice_id) {
  return std::string(kInvoiceKeyPrefix) + std::string(invoice_id);
}

Result<events::InvoiceState> issue_invoice(UnitOfWork& uow, const IssueInvoice& command) {
  if (auto valid = require_id(command.invoice_id.str(), "invoice_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = validate_service(command.service); !valid) return std::move(valid).error();
  if (auto valid = require_positive(command.amount); !valid) return std::move(valid).error();
  if (command.amount.minor() > Money::kApiAmountMinorMax) {
    return make_error(Errc::invalid_argument, "amount is above the maximum amount", "amount");
  }
  auto due_end = end_of_date_us(command.due_date);
  if (!due_end) {
    return make_error(Errc::invalid_argument, "due_date must be a date like 2026-12-01",
                      "due_date");
  }
  if (*due_end <= uow.now_us()) {
    return make_error(Errc::invalid_argument, "due_date is in the past", "due_date");
  }
  if (auto valid = limit_text(command.description, "description", text_limits::kDescription);
      !valid) {
    return std::move(valid).error();
  }
  if (!command.subscription_id.empty() && !events::parse_date(command.renewal_date)) {
    return make_error(Errc::invalid_argument, "a renewal invoice names its renewal date",
                      "renewal_date");
  }
  if (auto unused = uow.require_unused(command.invoice_id, kBillingKeyspace,
                                       invoice_key(command.invoice_id.str()));
      !unused) {
    return std::move(unused).error();
  }

  events::InvoiceIssued issued;
  issued.set_invoice_id(command.invoice_id.str());
  issued.set_client_id(command.client_id.str());
  issued.set_service(command.service);
  issued.set_amount_minor(command.amount.minor());
  issued.set_due_date(command.due_date);
  issued.set_description(command.description);
  issued.set_issued_by(command.issued_by.str());
  issued.set_subscription_id(command.subscription_id.str());
  issued.set_renewal_date(command.renewal_date);
  if (auto emitted = uow.emit(invoice_stream(command.invoice_id.str()), issued); !emitted) {
    return std::move(emitted).error();
  }
  return load_invoice(uow, command.invoice_id.str());
}

Result<events::InvoiceState> pay_invoice(UnitOfWork& uow, const PayInvoice& command) {
  auto invoice = load_invoice(uow, command.invoice_id.str());
  if (!invoice) return std::move(invoice).error();
  if (invoice->client_id() != command.client_id.str()) {
    return make_error(Errc::not_found,
                      fmt::format("there is no invoice {}", command.invoice_id.str()));
  }
  if (auto unsettled = require_unsettled(*invoice); !unsettled) {
    return std::move(unsettled).error();
  }
  auto debited =
      debit_wallet(uow, WalletDebit{UserId{invoice->client_id()}, command.transaction_id,
                                    Money::from_minor(invoice->amount_minor()), "invoice",
                                    invoice->service(), invoice->invoice_id(),
                                    invoice->description().empty()
                                        ? fmt::format("Invoice {}", invoice->invoice_id())
                                        : invoice->description()});
  if (!debited) return std::move(debited).error();
  events::InvoicePaid paid;
  paid.set_invoice_id(invoice->invoice_id());
  paid.set_client_id(invoice->client_id());
  paid.set_amount_minor(invoice->amount_minor());
  paid.set_transaction_id(command.transaction_id.str());
  if (auto emitted = uow.emit(invoice_stream(invoice->invoice_id()), paid); !emitted) {
    return std::move(emitted).error();
  }
  if (!invoice->subscription_id().empty()) {
    if (auto settled = settle_renewal_invoice(uow, *invoice, "paid"); !settled) {
      return std::move(settled).error();
    }
  }
  return load_invoice(uow, invoice->invoice_id());
}

Result<events::InvoiceState> void_invoice(UnitOfWork& uow, const VoidInvoice& command) {
  auto invoice = load_invoice(uow, command.invoice_id.str());
  if (!invoice) return std::move(invoice).error();
  if (auto unsettled = require_unsettled(*invoice); !unsettled) {
    return std::move(unsettled).error();
  }
  if (auto valid = limit_text(command.reason, "reason", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  events::InvoiceVoided voided;
  voided.set_invoice_id(invoice->invoice_id());
  voided.set_client_id(invoice->client_id());
  voided.set_voided_by(command.voided_by.str());
  voided.set_reason(command.reason);
  if (auto emitted = uow.emit(invoice_stream(invoice->invoice_id()), voided); !emitted) {
    return std::move(emitted).error();
  }
  if (!invoice->subscription_id().empty()) {
    if (auto settled = settle_renewal_invoice(uow, *invoice, "voided"); !settled) {
      return std::move(settled).error();
    }
  }
  return load_invoice(uow, invoice->invoice_id());
}

Result<events::InvoiceState> mark_invoice_deadlines(UnitOfWork& uow,
                                                    const MarkInvoiceDeadlines& command) {
  auto invoice = load_invoice(uow, command.invoice_id.str());
  if (!invoice) return std::move(invoice).error();
  if (invoice->status() != events::INVOICE_STATUS_ISSUED || invoice->overdue()) return invoice;
  auto due_end = end_of_date_us(invoice->due_date());
  if (!due_end) return make_error(Errc::corruption, "a stored invoice has a malformed due date");

  const std::int64_t now = uow.now_us();
  if (now >= *due_end) {
    events::InvoiceOverdue overdue;
    overdue.set_invoice_id(invoice->invoice_id());
    overdue.set_client_id(invoice->client_id());
    overdue.set_due_date(invoice->due_date());
    overdue.set_amount_minor(invoice->amount_minor());
    if (auto emitted = uow.emit(invoice_stream(invoice->invoice_id()), overdue); !emitted) {
      return std::move(emitted).error();
    }
  } else if (now >= *due_end - kInvoiceReminderLeadUs && !invoice->reminder_sent()) {
    events::InvoiceReminderDue reminder;
    reminder.set_invoice_id(invoice->invoice_id());
    reminder.set_client_id(invoice->client_id());
    reminder.set_due_date(invoice->due_date());
    reminder.set_amount_minor(invoice->amount_minor());
    if (auto emitted = uow.emit(invoice_stream(invoice->invoice_id()), reminder); !emitted) {
      return std::move(emitted).error();
    }
  } else {
    return invoice;
  }
  return load_invoice(uow, invoice->invoice_id());
}

}  // namespace ledger::domain
