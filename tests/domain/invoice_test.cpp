// Invoice rules through the real sequencer and store: issuing, paying from the wallet, voiding,
// and the deadline marks emitted from the injected clock.
#include <doctest/doctest.h>

#include "core/domain/billing_fold.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

// The fixture's clock starts at 2026-11-23T10:00:00Z.
Result<domain::Executed<events::InvoiceState>> issue(LedgerFixture& f, const std::string& id,
                                                     Money amount,
                                                     const std::string& due_date = "2026-12-01",
                                                     const std::string& service = "website") {
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::issue_invoice(
        uow, {domain::InvoiceId{id}, "alice", service, amount, due_date, "Landing page", "admin"});
  });
}

Result<domain::Executed<events::InvoiceState>> pay(LedgerFixture& f, const std::string& id,
                                                   const std::string& client = "alice") {
  const std::string transaction = f.id();
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::pay_invoice(
        uow, {domain::InvoiceId{id}, domain::UserId{client}, domain::TransactionId{transaction}});
  });
}

Result<domain::Executed<events::InvoiceState>> tick(LedgerFixture& f, const std::string& id) {
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::mark_invoice_deadlines(uow, {domain::InvoiceId{id}});
  });
}

Result<domain::Executed<events::InvoiceState>> void_it(LedgerFixture& f, const std::string& id) {
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::void_invoice(uow, {domain::InvoiceId{id}, "admin", "duplicate"});
  });
}

bool is_open(LedgerFixture& f, std::string_view id) {
  return f
      .row<events::InvoiceState>(domain::kBillingKeyspace,
                                 std::string(domain::kOpenInvoiceKeyPrefix) + std::string(id))
      .has_value();
}

TEST_CASE("an invoice paid from the wallet credits the service's revenue") {
  LedgerFixture f;
  REQUIRE(issue(f, "inv1", usd("120.00")).ok());
  CHECK(is_open(f, "inv1"));
  f.fund("alice", usd("150.00"));
  auto paid = pay(f, "inv1");
  REQUIRE(paid.ok());
  CHECK(events::enum_name(paid->answer.status()) == "paid");
  CHECK(f.balance("wallet:alice") == usd("30.00"));
  CHECK(f.balance("revenue:website") == usd("120.00"));
  CHECK_FALSE(is_open(f, "inv1"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("paying refusals: short wallet, paid twice, void, someone else's, unknown") {
  LedgerFixture f;
  REQUIRE(issue(f, "inv1", usd("100.00")).ok());
  REQUIRE(issue(f, "inv2", usd("10.00")).ok());
  f.fund("alice", usd("99.99"));
  auto refused = [&](const std::string& id, const std::string& client, Errc expected) {
    const auto head = f.log->head().position;
    auto paid = pay(f, id, client);
    REQUIRE_FALSE(paid.ok());
    CHECK(paid.error().code == expected);
    CHECK(f.log->head().position == head);
  };
  refused("inv1", "alice", Errc::insufficient_funds);
  refused("inv2", "bob", Errc::not_found);
  refused("nope", "alice", Errc::not_found);
  REQUIRE(pay(f, "inv2").ok());
  refused("inv2", "alice", Errc::already_paid);
  REQUIRE(void_it(f, "inv1").ok());
  refused("inv1", "alice", Errc::invoice_void);
  CHECK(f.balance("wallet:alice") == usd("89.99"));
}

TEST_CASE("voiding: only unpaid invoices, once") {
  LedgerFixture f;
  REQUIRE(issue(f, "inv1", usd("5.00")).ok());
  auto voided = void_it(f, "inv1");
  REQUIRE(voided.ok());
  CHECK(events::enum_name(voided->answer.status()) == "void");
  CHECK_FALSE(is_open(f, "inv1"));
  auto twice = void_it(f, "inv1");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == Errc::invoice_void);

  REQUIRE(issue(f, "inv2", usd("5.00")).ok());
  f.fund("alice", usd("5.00"));
  REQUIRE(pay(f, "inv2").ok());
  auto paid = void_it(f, "inv2");
  REQUIRE_FALSE(paid.ok());
  CHECK(paid.error().code == Errc::already_paid);
}

TEST_CASE("issuing validates amount, service, due date and id") {
  LedgerFixture f;
  auto refused = [&](const std::string& id, Money amount, const std::string& due,
                     const std::string& service, std::string_view field) {
    auto issued = issue(f, id, amount, due, service);
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().code == Errc::invalid_argument);
    CHECK(issued.error().field == field);
  };
  refused("i", Money::zero(), "2026-12-01", "website", "amount");
  refused("i", usd("1.00"), "2026-12-01", "plumbing", "service");
  refused("i", usd("1.00"), "2026-11-22", "website", "due_date");  // yesterday
  refused("i", usd("1.00"), "01/12/2026", "website", "due_date");
  refused("i", usd("1.00"), "2026-02-30", "website", "due_date");
  refused("", usd("1.00"), "2026-12-01", "website", "invoice_id");
  CHECK(issue(f, "today", usd("1.00"), "2026-11-23").ok());  // due today is fine
  refused("today", usd("1.00"), "2026-12-01", "website", "invoice_id");
}

TEST_CASE("the deadline timer: one reminder 3 days before the end of the due date, then overdue") {
  LedgerFixture f;
  REQUIRE(issue(f, "inv1", usd("10.00"), "2026-12-01").ok());  // due end: 2026-12-02T00:00Z
  const auto head = f.log->head().position;
  auto early = tick(f, "inv1");
  REQUIRE(early.ok());
  CHECK_FALSE(early->answer.reminder_sent());
  CHECK(f.log->head().position == head);

  f.clock.set_us(*events::parse_rfc3339("2026-11-29T00:00:00Z"));
  auto reminded = tick(f, "inv1");
  REQUIRE(reminded.ok());
  CHECK(reminded->answer.reminder_sent());
  CHECK_FALSE(reminded->answer.overdue());
  CHECK(f.log->head().position == head + 1);
  REQUIRE(tick(f, "inv1").ok());
  CHECK(f.log->head().position == head + 1);  // no second reminder

  f.clock.set_us(*events::parse_rfc3339("2026-12-01T23:59:59Z"));
  REQUIRE(tick(f, "inv1").ok());
  CHECK(f.log->head().position == head + 1);  // still payable on its due date
  f.clock.set_us(*events::parse_rfc3339("2026-12-02T00:00:00Z"));
  auto overdue = tick(f, "inv1");
  REQUIRE(overdue.ok());
  CHECK(overdue->answer.overdue());
  CHECK(f.log->head().position == head + 2);
  REQUIRE(tick(f, "inv1").ok());
  CHECK(f.log->head().position == head + 2);  // no second overdue mark
  CHECK(is_open(f, "inv1"));                  // overdue invoices can still be paid
  f.fund("alice", usd("10.00"));
  CHECK(pay(f, "inv1").ok());
}

TEST_CASE(
    "the deadline timer marks nothing on paid or void invoices, late first run: overdue only") {
  LedgerFixture f;
  REQUIRE(issue(f, "paid", usd("1.00"), "2026-11-24").ok());
  REQUIRE(issue(f, "late", usd("1.00"), "2026-11-24").ok());
  f.fund("alice", usd("1.00"));
  REQUIRE(pay(f, "paid").ok());
  f.clock.set_us(*events::parse_rfc3339("2026-12-30T00:00:00Z"));
  const auto head = f.log->head().position;
  REQUIRE(tick(f, "paid").ok());
  CHECK(f.log->head().position == head);
  auto late = tick(f, "late");
  REQUIRE(late.ok());
  CHECK(late->answer.overdue());
  CHECK_FALSE(late->answer.reminder_sent());
  CHECK(f.log->head().position == head + 1);
}

TEST_CASE("the invoice rows are the fold of the log: replayed alone they are the same bytes") {
  LedgerFixture f;
  REQUIRE(issue(f, "paid", usd("5.00"), "2026-12-01").ok());
  REQUIRE(issue(f, "void", usd("6.00"), "2026-12-01").ok());
  REQUIRE(issue(f, "late", usd("7.00"), "2026-12-01").ok());
  f.fund("alice", usd("5.00"));
  f.clock.set_us(*events::parse_rfc3339("2026-11-29T00:00:00Z"));
  REQUIRE(tick(f, "late").ok());
  REQUIRE(pay(f, "paid").ok());
  REQUIRE(void_it(f, "void").ok());
  f.clock.set_us(*events::parse_rfc3339("2026-12-02T00:00:00Z"));
  auto overdue = tick(f, "late");
  REQUIRE(overdue.ok());
  CHECK(overdue->answer.reminder_sent());
  CHECK(overdue->answer.overdue());

  const auto stored = testing::stored_rows(*f.log, domain::kBillingKeyspace);
  CHECK(stored.size() == 3 + 1);  // three invoices, one still open
  CHECK(stored.at(domain::open_invoice_key("late")) == stored.at(domain::invoice_key("late")));
  CHECK(testing::replayed_rows(*f.log, domain::kBillingKeyspace) == stored);
}

TEST_CASE("the billing fold is total: events about an invoice it never saw change nothing") {
  events::InvoicePaid paid;
  paid.set_invoice_id("ghost");
  events::InvoiceReminderDue reminder;
  reminder.set_invoice_id("ghost");
  events::InvoiceOverdue overdue;
  overdue.set_invoice_id("ghost");
  events::InvoiceVoided voided;
  voided.set_invoice_id("ghost");
  testing::check_folds_to_nothing(domain::kBillingKeyspace, {&paid, &reminder, &overdue, &voided});
}

}  // namespace
}  // namespace ledger
