// Rebuilding every projection while payments keep arriving: queries keep reading the old
// generation, whose figures never go backwards (no query sees a half-built model); after the
// switch-over each projection equals a fresh rebuild byte for byte; no email is queued twice.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/domain/wallet.h"
#include "events/analytics_state.pb.h"
#include "events/notification_state.pb.h"
#include "events/outbox_state.pb.h"
#include "events/timestamp.h"
#include "projections/analytics_projection.h"
#include "projections/notification_projection.h"
#include "projections/projection_registry.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/outbox_emails.h"
#include "tests/support/projection_rows.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

constexpr int kPayments = 400;

std::uint64_t unread_of(const projections::ProjectionRunner& feeds, const std::string& user) {
  auto row = feeds.get(projections::notification_counters_key(user));
  REQUIRE(row.ok());
  events::NotificationCounters counters;
  if (row->has_value()) REQUIRE(counters.ParseFromString(**row));
  return counters.total();
}

std::int64_t revenue_of(const projections::ProjectionRunner& analytics, const std::string& date) {
  auto row = analytics.get(projections::analytics_day_key("website", date));
  REQUIRE(row.ok());
  events::ServiceDay day;
  if (row->has_value()) REQUIRE(day.ParseFromString(**row));
  return day.revenue_minor();
}

std::size_t receipts_queued(LedgerFixture& f) {
  std::size_t receipts = 0;
  for (const auto& email : testing::outbox_emails(*f.log)) {
    if (email.template_name() == "payment_receipt") ++receipts;
  }
  return receipts;
}

TEST_CASE(
    "rebuild while writes continue: no half-built reads, equal to a fresh rebuild, no "
    "email twice") {
  LedgerFixture f;
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
             return domain::register_user(uow, {"alice", "alice@x.com", "Alice", "client", "", 0,
                                                "h", true, "admin", "", "", ""});
           }).ok());
  f.fund("alice", usd("1000.00"));
  auto pay = [&] {
    REQUIRE(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
               return domain::pay_from_wallet(uow, {"alice", domain::TransactionId{f.id()},
                                                    usd("0.01"), "payment", "website", "", ""});
             }).ok());
  };
  for (int i = 0; i < kPayments / 2; ++i) pay();

  projections::ProjectionRegistry registry(*f.log, f.clock);
  projections::add_server_projections(registry);
  REQUIRE(registry.start().ok());
  auto& feeds = *registry.find(projections::kNotificationsProjection);
  auto& analytics = *registry.find(projections::kAnalyticsProjection);
  for (const auto& status : registry.statuses())
    REQUIRE(registry.find(status.name)->catch_up().ok());
  const std::string today = events::format_date(f.clock.now_us());
  REQUIRE(unread_of(feeds, "alice") > 0);
  REQUIRE(revenue_of(analytics, today) == kPayments / 2);

  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; i < kPayments / 2; ++i) pay();
    writing = false;
  });
  for (const auto& status : registry.statuses())
    REQUIRE(registry.find(status.name)->rebuild().ok());

  // Readers during the rebuild: the figures they see only ever grow.
  std::uint64_t last_unread = 0;
  std::int64_t last_revenue = 0;
  std::size_t reads = 0;
  bool saw_rebuilding = false;
  while (writing || reads < 100) {
    const auto unread = unread_of(feeds, "alice");
    const auto revenue = revenue_of(analytics, today);
    CHECK(unread >= last_unread);
    CHECK(revenue >= last_revenue);
    CHECK(revenue >= kPayments / 2);
    last_unread = unread;
    last_revenue = revenue;
    for (const auto& status : registry.statuses()) saw_rebuilding |= status.state == "rebuilding";
    ++reads;
  }
  writer.join();
  MESSAGE(reads << " reads during the rebuild; saw a rebuilding state: " << saw_rebuilding);

  for (const auto& status : registry.statuses())
    REQUIRE(registry.find(status.name)->catch_up().ok());
  CHECK(revenue_of(analytics, today) == kPayments);
  testing::check_projections_equal_rebuild(registry);
  CHECK(receipts_queued(f) == static_cast<std::size_t>(kPayments));
  registry.stop();
}

}  // namespace
}  // namespace ledger
