// Renewals of subscriptions not paid from the wallet, through the real sequencer and store: each
// renewal issues one invoice (never two for one renewal date, however often the timer runs), the
// revenue is posted only when the client pays it, and access ends when the grace period passes
// unpaid, until the invoice is paid or voided.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <thread>

#include "core/domain/billing_fold.h"
#include "core/domain/deadline_sweeper.h"
#include "core/domain/event_decoder.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

using Subscription = Result<domain::Executed<events::SubscriptionState>>;
using Invoice = Result<domain::Executed<events::InvoiceState>>;

// The fixture's clock starts at 2026-11-23T10:00:00Z. A Growth plan of marketing for alice at
// 29.00 a month, first renewal 2026-12-23, billed by invoice.
Subscription activate(LedgerFixture& f, const std::string& id = "s1",
                      const std::string& renews_on = "2026-12-23") {
  return f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
    return domain::activate_subscription(
        uow, {domain::SubscriptionId{id}, "alice", "Growth", "marketing", usd("29.00"), renews_on,
              false, "admin", domain::TransactionId{"unused"}});
  });
}

Subscription tick(LedgerFixture& f, const std::string& id = "s1") {
  const std::string transaction = f.id();
  const std::string invoice = f.id();
  return f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
    return domain::advance_subscription(
        uow, {domain::SubscriptionId{id}, domain::TransactionId{transaction},
              domain::InvoiceId{invoice}});
  });
}

Invoice pay(LedgerFixture& f, const std::string& invoice_id) {
  const std::string transaction = f.id();
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::pay_invoice(uow, {domain::InvoiceId{invoice_id}, domain::UserId{"alice"},
                                     domain::TransactionId{transaction}});
  });
}

Invoice void_it(LedgerFixture& f, const std::string& invoice_id) {
  return f.run<events::InvoiceState>([=](UnitOfWork& uow) {
    return domain::void_invoice(uow, {domain::InvoiceId{invoice_id}, "admin", "goodwill"});
  });
}

void at(LedgerFixture& f, std::string_view time) { f.clock.set_us(*events::parse_rfc3339(time)); }

events::SubscriptionState subscription(LedgerFixture& f, const std::string& id = "s1") {
  auto row =
      f.row<events::SubscriptionState>(domain::kBillingKeyspace, domain::subscription_key(id));
  REQUIRE(row.has_value());
  return *row;
}

events::InvoiceState invoice(LedgerFixture& f, const std::string& id) {
  auto row = f.row<events::InvoiceState>(domain::kBillingKeyspace, domain::invoice_key(id));
  REQUIRE(row.has_value());
  return *row;
}

// The invoices of one subscription, by the renewal date each bills.
std::multimap<std::string, events::InvoiceState> renewal_invoices(const store::EventLog& log,
                                                                  const std::string& id) {
  std::multimap<std::string, events::InvoiceState> invoices;
  REQUIRE(log.scan_state(
                 domain::kBillingKeyspace, domain::kInvoiceKeyPrefix, store::ReadDirection::forward,
                 [&](std::string_view, std::string_view value) {
                   events::InvoiceState row;
                   REQUIRE(row.ParseFromArray(value.data(), static_cast<int>(value.size())));
                   if (row.subscription_id() == id) {
                     invoices.emplace(row.renewal_date(), row);
                   }
                   return true;
                 })
              .ok());
  return invoices;
}

// The last event of the subscription's stream, decoded as E.
template <class E>
E last_event(const store::EventLog& log, const std::string& id = "s1") {
  auto read =
      log.read_stream(domain::subscription_stream(id), 0, store::ReadDirection::backward, 1);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 1);
  auto decoded = domain::decode_event<E>(read->front());
  REQUIRE(decoded.ok());
  return *decoded;
}

TEST_CASE("a renewal not paid from the wallet issues one invoice of the price, due 7 days later") {
  LedgerFixture f;
  REQUIRE(activate(f).ok());
  at(f, "2026-12-22T23:59:59Z");
  REQUIRE(tick(f).ok());
  CHECK(renewal_invoices(*f.log, "s1").empty());

  at(f, "2026-12-23T00:00:00Z");
  const auto head = f.log->head().position;
  auto renewed = tick(f);
  REQUIRE(renewed.ok());
  CHECK(f.log->head().position == head + 2);  // InvoiceIssued and SubscriptionRenewed, one commit
  CHECK(renewed->answer.renews_on() == "2027-01-23");
  CHECK(renewed->answer.renewals() == 1);
  CHECK(events::enum_name(renewed->answer.status()) == "active");
  CHECK(renewed->answer.open_invoice_due_date() == "2026-12-30");

  const auto billed = invoice(f, renewed->answer.open_invoice_id());
  CHECK(billed.client_id() == "alice");
  CHECK(billed.service() == "marketing");
  CHECK(billed.amount_minor() == 2900);
  CHECK(billed.due_date() == "2026-12-30");
  CHECK(billed.subscription_id() == "s1");
  CHECK(billed.renewal_date() == "2026-12-23");
  CHECK(billed.issued_by() == "system");
  CHECK(billed.description() == "Subscription Growth (2026-12-23 to 2027-01-23)");
  CHECK(events::enum_name(billed.status()) == "issued");
  const auto event = last_event<events::SubscriptionRenewed>(*f.log);
  CHECK(event.invoice_id() == billed.invoice_id());
  CHECK(event.invoice_due_date() == "2026-12-30");
  CHECK(event.transaction_id().empty());
  CHECK(event.plan() == "Growth");
  CHECK(event.service() == "marketing");

  // No money moves until the client pays.
  CHECK(f.balance("revenue:marketing") == Money::zero());
  CHECK(f.balance("wallet:alice") == Money::zero());
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("the timer run again, as often as it likes, issues no second invoice for the date") {
  LedgerFixture f;
  REQUIRE(activate(f).ok());
  at(f, "2026-12-23T06:00:00Z");
  REQUIRE(tick(f).ok());
  const auto head = f.log->head().position;
  for (const char* time : {"2026-12-23T06:00:00Z", "2026-12-25T00:00:00Z", "2026-12-30T23:59:59Z",
                           "2027-01-20T00:00:00Z"}) {
    CAPTURE(time);
    at(f, time);
    REQUIRE(tick(f).ok());
  }
  // Past the grace end the only event is the one that ends access; no invoice, no reminder.
  CHECK(f.log->head().position == head + 1);
  CHECK(renewal_invoices(*f.log, "s1").size() == 1);
}

TEST_CASE("two sweepers at once, and a sweeper after a restart, issue one invoice per date") {
  testing::TempDirectory dir;
  ManualClock clock{testing::kTestEpochUs};
  auto sweep_with_a_fresh_server = [&](auto&& body) {
    auto log = LedgerFixture::open_log(dir.string());
    Sequencer sequencer{*log, clock};
    sequencer.start();
    domain::Ledger ledger{sequencer};
    IdGenerator ids(clock);
    body(*log, ledger, ids);
    sequencer.stop();
  };
  sweep_with_a_fresh_server([&](store::EventLog&, domain::Ledger& ledger, IdGenerator&) {
    auto active = ledger.execute_and_wait<events::SubscriptionState>(
        {"test", "", "", "", ""}, [](UnitOfWork& uow) {
          return domain::activate_subscription(
              uow, {domain::SubscriptionId{"s1"}, "alice", "Growth", "marketing", usd("29.00"),
                    "2026-12-23", false, "admin", domain::TransactionId{"unused"}});
        });
    REQUIRE(active.ok());
  });
  clock.set_us(*events::parse_rfc3339("2026-12-23T00:00:00Z"));
  sweep_with_a_fresh_server([&](store::EventLog& log, domain::Ledger& ledger, IdGenerator& ids) {
    domain::DeadlineSweeper first(log, ledger, clock, ids);
    domain::DeadlineSweeper second(log, ledger, clock, ids);
    std::optional<Result<domain::SweepReport>> racing_report;
    std::thread racing([&] { racing_report.emplace(second.sweep_once()); });
    auto report = first.sweep_once();
    racing.join();
    REQUIRE(report.ok());
    CHECK(report->failures == 0);
    REQUIRE(racing_report.has_value());
    REQUIRE(racing_report->ok());
    CHECK((*racing_report)->failures == 0);
    CHECK(renewal_invoices(log, "s1").size() == 1);
  });
  const auto head_before_restart = [&] {
    auto log = LedgerFixture::open_log(dir.string());
    return log->head().position;
  }();
  sweep_with_a_fresh_server([&](store::EventLog& log, domain::Ledger& ledger, IdGenerator& ids) {
    domain::DeadlineSweeper sweeper(log, ledger, clock, ids);
    auto report = sweeper.sweep_once();
    REQUIRE(report.ok());
    CHECK(report->commands_submitted == 0);
    CHECK(log.head().position == head_before_restart);
    const auto invoices = renewal_invoices(log, "s1");
    REQUIRE(invoices.size() == 1);
    CHECK(invoices.begin()->first == "2026-12-23");
  });
}

TEST_CASE("paid in time: the revenue is posted when paid, and the renewals go on") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(activate(f).ok());
  at(f, "2026-12-23T00:00:00Z");
  const std::string first = tick(f)->answer.open_invoice_id();
  CHECK(f.balance("revenue:marketing") == Money::zero());

  at(f, "2026-12-30T23:59:59Z");  // the last second of the grace period
  auto paid = pay(f, first);
  REQUIRE(paid.ok());
  CHECK(events::enum_name(paid->answer.status()) == "paid");
  CHECK(f.balance("revenue:marketing") == usd("29.00"));
  CHECK(f.balance("wallet:alice") == usd("71.00"));
  CHECK(f.sum_of_balances() == Money::zero());
  const auto settled = last_event<events::SubscriptionRenewalSettled>(*f.log);
  CHECK(settled.invoice_id() == first);
  CHECK(settled.renewed_on() == "2026-12-23");
  CHECK(settled.settlement() == "paid");
  CHECK_FALSE(settled.reinstated());
  CHECK(subscription(f).open_invoice_id().empty());
  CHECK(events::enum_name(subscription(f).status()) == "active");

  at(f, "2027-01-05T00:00:00Z");  // the grace period is over, and nothing is owed
  const auto head = f.log->head().position;
  REQUIRE(tick(f).ok());
  CHECK(f.log->head().position == head);

  at(f, "2027-01-20T00:00:00Z");
  CHECK(tick(f)->answer.reminded_for() == "2027-01-23");
  at(f, "2027-01-23T00:00:00Z");
  auto renewed = tick(f);
  REQUIRE(renewed.ok());
  CHECK(renewed->answer.renews_on() == "2027-02-23");
  CHECK(renewed->answer.renewals() == 2);
  const auto invoices = renewal_invoices(*f.log, "s1");
  CHECK(invoices.size() == 2);
  CHECK(invoices.count("2027-01-23") == 1);
  CHECK(invoice(f, renewed->answer.open_invoice_id()).due_date() == "2027-01-30");
  CHECK(f.balance("revenue:marketing") == usd("29.00"));  // the second one is not paid yet
}

TEST_CASE("the grace period passing unpaid ends access once, paying later reinstates it") {
  LedgerFixture f;
  REQUIRE(activate(f).ok());
  at(f, "2026-12-23T00:00:00Z");
  const std::string billed = tick(f)->answer.open_invoice_id();

  at(f, "2026-12-30T23:59:59Z");
  REQUIRE(tick(f).ok());
  CHECK(events::enum_name(subscription(f).status()) == "active");

  at(f, "2026-12-31T00:00:00Z");  // the due date has ended
  auto ended = tick(f);
  REQUIRE(ended.ok());
  CHECK(events::enum_name(ended->answer.status()) == "past_due");
  CHECK(ended->answer.renewal_failed_for() == "2026-12-23");
  CHECK(ended->answer.open_invoice_id() == billed);
  const auto failed = last_event<events::SubscriptionRenewalFailed>(*f.log);
  CHECK(failed.reason() == "invoice_unpaid");
  CHECK(failed.invoice_id() == billed);
  CHECK(failed.renews_on() == "2026-12-23");

  // Past due: no second failure, no reminder, no renewal, however long it stays unpaid.
  const auto head = f.log->head().position;
  for (const char* time :
       {"2027-01-01T00:00:00Z", "2027-01-21T00:00:00Z", "2027-02-01T00:00:00Z"}) {
    at(f, time);
    REQUIRE(tick(f).ok());
  }
  CHECK(f.log->head().position == head);
  CHECK(renewal_invoices(*f.log, "s1").size() == 1);
  CHECK(f.balance("revenue:marketing") == Money::zero());

  // Paid late: the revenue is posted and access is back.
  f.fund("alice", usd("29.00"));
  REQUIRE(pay(f, billed).ok());
  CHECK(f.balance("revenue:marketing") == usd("29.00"));
  const auto settled = last_event<events::SubscriptionRenewalSettled>(*f.log);
  CHECK(settled.reinstated());
  CHECK(settled.plan() == "Growth");
  CHECK(events::enum_name(subscription(f).status()) == "active");
  CHECK(subscription(f).renewal_failed_for().empty());
  CHECK(subscription(f).open_invoice_id().empty());

  // The renewal date that passed meanwhile is billed by the next run, with the whole grace.
  auto renewed = tick(f);
  REQUIRE(renewed.ok());
  CHECK(renewed->answer.renews_on() == "2027-02-23");
  CHECK(invoice(f, renewed->answer.open_invoice_id()).renewal_date() == "2027-01-23");
  CHECK(invoice(f, renewed->answer.open_invoice_id()).due_date() == "2027-02-08");
}

TEST_CASE("a renewal billed late (the server was down) still gets the whole grace period") {
  LedgerFixture f;
  REQUIRE(activate(f).ok());
  at(f, "2027-01-20T15:00:00Z");
  auto renewed = tick(f);
  REQUIRE(renewed.ok());
  CHECK(renewed->answer.renews_on() == "2027-01-23");
  CHECK(invoice(f, renewed->answer.open_invoice_id()).renewal_date() == "2026-12-23");
  CHECK(renewed->answer.open_invoice_due_date() == "2027-01-27");
  // The next renewal date comes while that invoice is open: it waits for the invoice.
  at(f, "2027-01-27T23:00:00Z");
  const auto head = f.log->head().position;
  REQUIRE(tick(f).ok());
  CHECK(f.log->head().position == head);
  CHECK(renewal_invoices(*f.log, "s1").size() == 1);
  at(f, "2027-01-28T00:00:00Z");
  CHECK(events::enum_name(tick(f)->answer.status()) == "past_due");
}

TEST_CASE("voiding a renewal invoice waives that renewal: access is back, no money moves") {
  LedgerFixture f;
  REQUIRE(activate(f).ok());
  at(f, "2026-12-23T00:00:00Z");
  const std::string billed = tick(f)->answer.open_invoice_id();
  at(f, "2027-01-02T00:00:00Z");
  CHECK(events::enum_name(tick(f)->answer.status()) == "past_due");
  REQUIRE(void_it(f, billed).ok());
  const auto settled = last_event<events::SubscriptionRenewalSettled>(*f.log);
  CHECK(settled.settlement() == "voided");
  CHECK(settled.reinstated());
  CHECK(events::enum_name(subscription(f).status()) == "active");
  CHECK(subscription(f).open_invoice_id().empty());
  CHECK(f.sum_of_balances() == Money::zero());
  CHECK(f.balance("revenue:marketing") == Money::zero());
}

TEST_CASE("a cancelled subscription's open renewal invoice stays payable and reinstates nothing") {
  LedgerFixture f;
  f.fund("alice", usd("29.00"));
  REQUIRE(activate(f).ok());
  at(f, "2026-12-23T00:00:00Z");
  const std::string billed = tick(f)->answer.open_invoice_id();
  REQUIRE(f.run<events::SubscriptionState>([](UnitOfWork& uow) {
             return domain::cancel_subscription(
                 uow, {domain::SubscriptionId{"s1"}, domain::UserId{"alice"}, "alice", "moving"});
           }).ok());
  at(f, "2027-01-02T00:00:00Z");
  const auto head = f.log->head().position;
  REQUIRE(tick(f).ok());
  CHECK(f.log->head().position == head);  // cancelled: access does not "end" again
  REQUIRE(pay(f, billed).ok());
  CHECK(f.balance("revenue:marketing") == usd("29.00"));
  CHECK_FALSE(last_event<events::SubscriptionRenewalSettled>(*f.log).reinstated());
  CHECK(events::enum_name(subscription(f).status()) == "cancelled");
}

TEST_CASE("an admin's invoice pays as before and settles no subscription") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));
  REQUIRE(f.run<events::InvoiceState>([](UnitOfWork& uow) {
             return domain::issue_invoice(uow, {domain::InvoiceId{"i1"}, "alice", "website",
                                                usd("10.00"), "2026-12-01", "", "admin"});
           }).ok());
  const auto head = f.log->head().position;
  REQUIRE(pay(f, "i1").ok());
  CHECK(f.log->head().position == head + 2);  // WalletDebited and InvoicePaid
  CHECK(invoice(f, "i1").subscription_id().empty());
}

TEST_CASE("renewal invoices and their settlements are the fold of the log") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(activate(f, "s1").ok());
  REQUIRE(activate(f, "s2").ok());
  REQUIRE(activate(f, "s3").ok());
  at(f, "2026-12-23T00:00:00Z");
  const std::string paid_in_time = tick(f, "s1")->answer.open_invoice_id();
  const std::string paid_late = tick(f, "s2")->answer.open_invoice_id();
  const std::string voided = tick(f, "s3")->answer.open_invoice_id();
  REQUIRE(pay(f, paid_in_time).ok());
  at(f, "2026-12-31T00:00:00Z");
  REQUIRE(tick(f, "s2").ok());
  REQUIRE(tick(f, "s3").ok());
  REQUIRE(pay(f, paid_late).ok());
  REQUIRE(void_it(f, voided).ok());
  CHECK(events::enum_name(subscription(f, "s2").status()) == "active");

  const auto stored = testing::stored_rows(*f.log, domain::kBillingKeyspace);
  CHECK(stored.size() == 3 + 3 + 3);  // three subscriptions (none cancelled), three invoices
  CHECK(testing::replayed_rows(*f.log, domain::kBillingKeyspace) == stored);
}

}  // namespace
}  // namespace ledger
