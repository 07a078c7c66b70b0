// Subscription rules through the real sequencer and store: activation with its first charge,
// renewal reminders and renewals from the injected clock, failed renewals, cancellation.
#include <doctest/doctest.h>

#include "core/domain/billing_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
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
Result<domain::Executed<events::SubscriptionState>> activate(
    LedgerFixture& f, const std::string& id, Money price,
    const std::string& renews_on = "2026-12-23", bool from_wallet = true) {
  const std::string transaction = f.id();
  return f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
    return domain::activate_subscription(
        uow, {domain::SubscriptionId{id}, "alice", "Growth", "marketing", price, renews_on,
              from_wallet, "admin", domain::TransactionId{transaction}});
  });
}

Result<domain::Executed<events::SubscriptionState>> tick(LedgerFixture& f, const std::string& id) {
  const std::string transaction = f.id();
  const std::string invoice = f.id();
  return f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
    return domain::advance_subscription(
        uow, {domain::SubscriptionId{id}, domain::TransactionId{transaction},
              domain::InvoiceId{invoice}});
  });
}

Result<domain::Executed<events::SubscriptionState>> cancel(LedgerFixture& f, const std::string& id,
                                                           const std::string& client = "") {
  return f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
    return domain::cancel_subscription(
        uow, {domain::SubscriptionId{id}, domain::UserId{client}, "alice", "too expensive"});
  });
}

void at(LedgerFixture& f, std::string_view time) { f.clock.set_us(*events::parse_rfc3339(time)); }

TEST_CASE("activation paid from the wallet charges the first month") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  auto active = activate(f, "s1", usd("29.00"));
  REQUIRE(active.ok());
  CHECK(events::enum_name(active->answer.status()) == "active");
  CHECK(active->answer.renews_on() == "2026-12-23");
  CHECK(f.balance("wallet:alice") == usd("71.00"));
  CHECK(f.balance("revenue:marketing") == usd("29.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("activation the wallet cannot pay is insufficient_funds and writes nothing") {
  LedgerFixture f;
  f.fund("alice", usd("28.99"));
  const auto head = f.log->head().position;
  auto refused = activate(f, "s1", usd("29.00"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::insufficient_funds);
  CHECK(f.log->head().position == head);
  CHECK_FALSE(
      f.row<events::SubscriptionState>(domain::kBillingKeyspace, domain::subscription_key("s1")));
}

TEST_CASE("a subscription not paid from the wallet moves no money at activation or renewal") {
  LedgerFixture f;
  REQUIRE(activate(f, "s1", usd("29.00"), "2026-12-23", false).ok());
  CHECK(f.balance("wallet:alice") == Money::zero());
  at(f, "2026-12-23T00:00:00Z");
  auto renewed = tick(f, "s1");
  REQUIRE(renewed.ok());
  CHECK(renewed->answer.renews_on() == "2027-01-23");
  CHECK_FALSE(renewed->answer.open_invoice_id().empty());  // billed instead (invoice tests)
  CHECK(f.balance("revenue:marketing") == Money::zero());
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("activation validates plan, service, price and the renewal date") {
  LedgerFixture f;
  auto refused = [&](domain::ActivateSubscription command, std::string_view field) {
    auto active = f.run<events::SubscriptionState>(
        [&](UnitOfWork& uow) { return domain::activate_subscription(uow, command); });
    REQUIRE_FALSE(active.ok());
    CHECK(active.error().code == Errc::invalid_argument);
    CHECK(active.error().field == field);
  };
  const Money price = usd("10.00");
  refused({"s", "alice", "", "marketing", price, "2026-12-23", false, "admin", "t"}, "plan");
  refused({"s", "alice", "P", "gardening", price, "2026-12-23", false, "admin", "t"}, "service");
  refused({"s", "alice", "P", "marketing", Money::zero(), "2026-12-23", false, "admin", "t"},
          "price");
  refused({"s", "alice", "P", "marketing", price, "2026-11-23", false, "admin", "t"}, "renews_on");
  refused({"s", "alice", "P", "marketing", price, "soon", false, "admin", "t"}, "renews_on");
  refused({"s", "", "P", "marketing", price, "2026-12-23", false, "admin", "t"}, "client_id");
}

TEST_CASE("a renewal reminder 3 days before, once, renewal on the date charges the next month") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(activate(f, "s1", usd("30.00")).ok());
  const auto head = f.log->head().position;
  REQUIRE(tick(f, "s1").ok());
  CHECK(f.log->head().position == head);

  at(f, "2026-12-20T00:00:00Z");
  auto reminded = tick(f, "s1");
  REQUIRE(reminded.ok());
  CHECK(reminded->answer.reminded_for() == "2026-12-23");
  CHECK(f.log->head().position == head + 1);
  REQUIRE(tick(f, "s1").ok());
  CHECK(f.log->head().position == head + 1);

  at(f, "2026-12-23T00:00:00Z");
  auto renewed = tick(f, "s1");
  REQUIRE(renewed.ok());
  CHECK(renewed->answer.renews_on() == "2027-01-23");
  CHECK(renewed->answer.renewals() == 1);
  CHECK(f.balance("wallet:alice") == usd("40.00"));
  CHECK(f.balance("revenue:marketing") == usd("60.00"));
  const auto after = f.log->head().position;
  REQUIRE(tick(f, "s1").ok());
  CHECK(f.log->head().position == after);  // renewed once for the date
}

TEST_CASE("a renewal the wallet cannot pay: one failure event, past_due, then paid on retry") {
  LedgerFixture f;
  f.fund("alice", usd("30.00"));
  REQUIRE(activate(f, "s1", usd("30.00")).ok());
  at(f, "2026-12-23T08:00:00Z");
  const auto head = f.log->head().position;
  auto failed = tick(f, "s1");
  REQUIRE(failed.ok());
  CHECK(events::enum_name(failed->answer.status()) == "past_due");
  CHECK(failed->answer.renewal_failed_for() == "2026-12-23");
  CHECK(f.log->head().position == head + 1);
  REQUIRE(tick(f, "s1").ok());
  CHECK(f.log->head().position == head + 1);  // retried silently

  f.fund("alice", usd("30.00"));
  auto renewed = tick(f, "s1");
  REQUIRE(renewed.ok());
  CHECK(events::enum_name(renewed->answer.status()) == "active");
  CHECK(renewed->answer.renews_on() == "2027-01-23");
  CHECK(f.balance("wallet:alice") == Money::zero());
}

TEST_CASE("cancelling: once, by the subscriber, cancelled subscriptions never renew") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(activate(f, "s1", usd("30.00")).ok());
  auto stranger = cancel(f, "s1", "bob");
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.error().code == Errc::not_found);
  auto cancelled = cancel(f, "s1", "alice");
  REQUIRE(cancelled.ok());
  CHECK(events::enum_name(cancelled->answer.status()) == "cancelled");
  auto twice = cancel(f, "s1");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == Errc::subscription_not_active);
  CHECK_FALSE(f.row<events::SubscriptionState>(
      domain::kBillingKeyspace, std::string(domain::kActiveSubscriptionKeyPrefix) + "s1"));

  at(f, "2027-06-01T00:00:00Z");
  const auto head = f.log->head().position;
  REQUIRE(tick(f, "s1").ok());
  CHECK(f.log->head().position == head);
  CHECK(f.balance("wallet:alice") == usd("70.00"));
}

TEST_CASE("the subscription rows are the fold of the log: replayed alone they are the same bytes") {
  LedgerFixture f;
  f.fund("alice", usd("60.00"));
  REQUIRE(activate(f, "s1", usd("30.00")).ok());
  REQUIRE(activate(f, "s2", usd("20.00"), "2026-12-23", false).ok());
  REQUIRE(activate(f, "s3", usd("10.00")).ok());
  at(f, "2026-12-20T00:00:00Z");
  REQUIRE(tick(f, "s1").ok());
  REQUIRE(tick(f, "s2").ok());
  at(f, "2026-12-23T00:00:00Z");
  auto failed = tick(f, "s1");  // 20.00 left, the renewal costs 30.00
  REQUIRE(failed.ok());
  CHECK(events::enum_name(failed->answer.status()) == "past_due");
  REQUIRE(tick(f, "s2").ok());
  f.fund("alice", usd("10.00"));
  auto renewed = tick(f, "s1");
  REQUIRE(renewed.ok());
  CHECK(events::enum_name(renewed->answer.status()) == "active");
  REQUIRE(cancel(f, "s3", "alice").ok());

  const auto stored = testing::stored_rows(*f.log, domain::kBillingKeyspace);
  // Three subscriptions, two not cancelled, and s2's renewal invoice with its open row.
  CHECK(stored.size() == 3 + 2 + 2);
  CHECK(stored.at(domain::active_subscription_key("s1")) ==
        stored.at(domain::subscription_key("s1")));
  CHECK(testing::replayed_rows(*f.log, domain::kBillingKeyspace) == stored);
}

TEST_CASE("the billing fold is total: events about a subscription it never saw change nothing") {
  events::SubscriptionRenewalReminderDue reminder;
  reminder.set_subscription_id("ghost");
  events::SubscriptionRenewed renewed;
  renewed.set_subscription_id("ghost");
  renewed.set_next_renews_on("2027-01-23");
  events::SubscriptionRenewalFailed failed;
  failed.set_subscription_id("ghost");
  events::SubscriptionRenewalSettled settled;
  settled.set_subscription_id("ghost");
  settled.set_invoice_id("i1");
  settled.set_reinstated(true);
  events::SubscriptionCancelled cancelled;
  cancelled.set_subscription_id("ghost");
  testing::check_folds_to_nothing(domain::kBillingKeyspace,
                                  {&reminder, &renewed, &failed, &settled, &cancelled});
}

}  // namespace
}  // namespace ledger
