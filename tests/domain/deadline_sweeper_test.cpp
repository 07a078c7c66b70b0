// The deadline sweeper: invoice reminders and overdue marks, subscription renewals and hold
// expiries happen when their time comes, once each, through the real sequencer.
#include <doctest/doctest.h>

#include <thread>

#include "core/domain/deadline_sweeper.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

TEST_CASE("sweeps mark invoices, renew subscriptions and expire holds once, when due") {
  LedgerFixture f;
  IdGenerator ids(f.clock);
  domain::DeadlineSweeper sweeper(*f.log, f.ledger, f.clock, ids);
  f.fund("alice", usd("100.00"));
  REQUIRE(f.run<events::InvoiceState>([](UnitOfWork& uow) {
             return domain::issue_invoice(
                 uow, {"inv", "alice", "website", usd("10.00"), "2026-12-01", "", "admin"});
           }).ok());
  REQUIRE(f.run<events::SubscriptionState>([](UnitOfWork& uow) {
             return domain::activate_subscription(
                 uow, {"sub", "alice", "Plan", "marketing", usd("20.00"), "2026-12-10", true,
                       "admin", "tx-1"});
           }).ok());
  const std::int64_t hold_deadline = *events::parse_rfc3339("2026-11-25T00:00:00Z");
  REQUIRE(f.run<events::HoldState>([&](UnitOfWork& uow) {
             return domain::place_hold(
                 uow, {"h1", "alice", usd("5.00"), "campaign:1", "marketing", hold_deadline});
           }).ok());

  auto sweep = [&] {
    auto report = sweeper.sweep_once();
    REQUIRE(report.ok());
    CHECK(report->failures == 0);
    return *report;
  };
  const auto start = f.log->head().position;
  CHECK(sweep().commands_submitted == 0);
  CHECK(f.log->head().position == start);

  f.clock.set_us(*events::parse_rfc3339("2026-11-29T00:00:00Z"));  // hold expired, reminder due
  auto first = sweep();
  CHECK(first.commands_submitted == 2);
  CHECK(f.log->head().position == start + 2);
  CHECK(f.row<events::HoldState>(domain::kWalletsKeyspace, "hold/h1")->status() ==
        events::HOLD_STATUS_EXPIRED);
  CHECK(f.row<events::InvoiceState>(domain::kBillingKeyspace, domain::invoice_key("inv"))
            ->reminder_sent());
  CHECK(sweep().commands_submitted == 0);  // nothing new is due

  f.clock.set_us(*events::parse_rfc3339("2026-12-10T06:00:00Z"));  // overdue, renewal due
  sweep();
  const auto invoice =
      f.row<events::InvoiceState>(domain::kBillingKeyspace, domain::invoice_key("inv"));
  CHECK(invoice->overdue());
  const auto subscription =
      f.row<events::SubscriptionState>(domain::kBillingKeyspace, domain::subscription_key("sub"));
  CHECK(subscription->renews_on() == "2027-01-10");
  CHECK(f.balance("wallet:alice") == usd("60.00"));  // 100 - 20 at activation - 20 renewal
  const auto after = f.log->head().position;
  sweep();
  CHECK(f.log->head().position == after);
}

TEST_CASE("the sweeper thread runs passes until stopped") {
  LedgerFixture f;
  IdGenerator ids(f.clock);
  domain::DeadlineSweeper sweeper(*f.log, f.ledger, f.clock, ids);
  f.fund("alice", usd("10.00"));
  REQUIRE(f.run<events::HoldState>([&](UnitOfWork& uow) {
             return domain::place_hold(uow, {"h1", "alice", usd("5.00"), "p", "marketing",
                                             f.clock.now_us() + kMicrosPerSecond});
           }).ok());
  f.clock.advance_us(2 * kMicrosPerSecond);
  sweeper.start(std::chrono::milliseconds(10));
  for (int i = 0; i < 500; ++i) {
    auto hold = f.row<events::HoldState>(domain::kWalletsKeyspace, "hold/h1");
    if (hold->status() == events::HOLD_STATUS_EXPIRED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sweeper.stop();
  CHECK(f.row<events::HoldState>(domain::kWalletsKeyspace, "hold/h1")->status() ==
        events::HOLD_STATUS_EXPIRED);
}

}  // namespace
}  // namespace ledger
