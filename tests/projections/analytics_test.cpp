// The analytics projection and the service report: revenue per service and day from the
// postings, active, new and churned clients, churn and growth rates against the previous period.
#include <doctest/doctest.h>

#include "core/domain/support_ticket.h"
#include "core/domain/wallet.h"
#include "events/timestamp.h"
#include "projections/agent_analytics.h"
#include "projections/analytics_projection.h"
#include "projections/projection_runner.h"
#include "projections/service_analytics.h"
#include "tests/support/identity_steps.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

constexpr std::int64_t kDayUs = 86'400'000'000;

void pay(LedgerFixture& f, const std::string& user, const char* amount, const char* service) {
  REQUIRE(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
             return domain::pay_from_wallet(
                 uow, {domain::UserId{user}, domain::TransactionId{f.id()}, usd(amount), "payment",
                       service, "", ""});
           }).ok());
}

const projections::ServiceReport& report_of(const std::vector<projections::ServiceReport>& all,
                                            std::string_view service) {
  for (const auto& report : all) {
    if (report.service == service) return report;
  }
  FAIL("no report for ", service);
  return all.front();
}

std::string day(std::int64_t start_us, int offset) {
  return events::format_date(start_us + offset * kDayUs);
}

TEST_CASE("the service report counts revenue, active, new and churned clients per period") {
  LedgerFixture f;
  const std::int64_t start = f.clock.now_us();
  for (const char* user : {"alice", "bob", "carol", "dave"}) f.fund(user, usd("100.00"));
  pay(f, "alice", "10.00", "website");
  pay(f, "bob", "5.00", "website");
  pay(f, "carol", "7.00", "marketing");
  f.clock.advance_us(10 * kDayUs);
  pay(f, "alice", "20.00", "website");
  pay(f, "dave", "1.00", "website");
  pay(f, "dave", "0.50", "website");

  projections::AnalyticsProjection projection;
  projections::ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());

  // Days 5..14 against days -5..4.
  const projections::AnalyticsPeriod period{day(start, 5), day(start, 14)};
  auto reports = projections::service_reports(runner, period);
  REQUIRE(reports.ok());
  REQUIRE(reports->size() == 4);
  CHECK((*reports)[0].service == "courses");
  CHECK((*reports)[1].service == "marketing");
  CHECK((*reports)[2].service == "subscriptions");
  CHECK((*reports)[3].service == "website");

  const auto& website = report_of(*reports, "website");
  CHECK(website.revenue_minor == 2150);
  CHECK(website.previous_revenue_minor == 1500);
  CHECK(website.payments == 3);
  CHECK(website.active_clients == 2);           // alice, dave
  CHECK(website.previous_active_clients == 2);  // alice, bob
  CHECK(website.new_clients == 1);              // dave; alice paid before the period
  CHECK(website.churned_clients == 1);          // bob
  CHECK(website.churn_rate == doctest::Approx(0.5));
  REQUIRE(website.growth_rate.has_value());
  CHECK(*website.growth_rate == doctest::Approx((2150.0 - 1500.0) / 1500.0));
  REQUIRE(website.daily.size() == 10);
  CHECK(website.daily[0].date == day(start, 5));
  CHECK(website.daily[5].date == day(start, 10));
  CHECK(website.daily[5].revenue_minor == 2150);
  CHECK(website.daily[4].revenue_minor == 0);

  const auto& marketing = report_of(*reports, "marketing");
  CHECK(marketing.revenue_minor == 0);
  CHECK(marketing.previous_revenue_minor == 700);
  CHECK(marketing.active_clients == 0);
  CHECK(marketing.churned_clients == 1);
  CHECK(marketing.churn_rate == doctest::Approx(1.0));
  REQUIRE(marketing.growth_rate.has_value());
  CHECK(*marketing.growth_rate == doctest::Approx(-1.0));

  const auto& courses = report_of(*reports, "courses");
  CHECK(courses.revenue_minor == 0);
  CHECK(courses.churn_rate == 0);
  CHECK_FALSE(courses.growth_rate.has_value());

  // The first period: everybody who paid is new, nobody churned (nobody was there before).
  auto first = projections::service_reports(runner, {day(start, 0), day(start, 0)});
  REQUIRE(first.ok());
  const auto& first_website = report_of(*first, "website");
  CHECK(first_website.revenue_minor == 1500);
  CHECK(first_website.active_clients == 2);
  CHECK(first_website.new_clients == 2);
  CHECK(first_website.churned_clients == 0);

  // A rebuild from position 0 gives the same figures.
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  auto rebuilt = projections::service_reports(runner, period);
  REQUIRE(rebuilt.ok());
  CHECK(report_of(*rebuilt, "website").revenue_minor == 2150);
  CHECK(report_of(*rebuilt, "website").new_clients == 1);
  runner.stop();
}

TEST_CASE("top-ups are not revenue, every service has a report") {
  LedgerFixture f;
  f.fund("alice", usd("50.00"));
  pay(f, "alice", "3.00", "subscriptions");
  projections::AnalyticsProjection projection;
  projections::ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  const std::string today = events::format_date(f.clock.now_us());
  auto reports = projections::service_reports(runner, {today, today});
  REQUIRE(reports.ok());
  REQUIRE(reports->size() == 4);
  CHECK(report_of(*reports, "subscriptions").revenue_minor == 300);
  CHECK(report_of(*reports, "subscriptions").active_clients == 1);
  for (const char* service : {"courses", "marketing", "website"}) {
    CHECK(report_of(*reports, service).revenue_minor == 0);
  }
  runner.stop();
}

TEST_CASE("an agent's median first reply time to support tickets, the same after a rebuild") {
  LedgerFixture f;
  for (const auto& [id, role, department] : {std::tuple{"alice", "client", ""},
                                             {"mia", "agent", "marketing"},
                                             {"web", "agent", "website"},
                                             {"root", "admin", ""}}) {
    REQUIRE(testing::add_user(f, id, role, department).ok());
  }
  REQUIRE(testing::assign(f, "alice", "marketing", "mia").ok());
  REQUIRE(testing::assign(f, "alice", "website", "web").ok());
  auto open = [&](const std::string& id) {
    REQUIRE(f.run<events::TicketState>([&](UnitOfWork& uow) {
               return domain::open_ticket(uow, {domain::TicketId{id}, domain::UserId{"alice"},
                                                "Down", "Since noon", "", std::nullopt});
             }).ok());
  };
  auto reply = [&](const std::string& id, const std::string& by) {
    REQUIRE(
        f.run<events::TicketReplyState>([&](UnitOfWork& uow) {
           return domain::reply_to_ticket(uow, {domain::TicketId{id}, domain::ActorId{by}, "Hi"});
         }).ok());
  };
  // mia answers first after 10 s, 20 s, 40 s and 90 s (her later replies do not count); web
  // after 7 s; root's first reply counts for nobody, and mia's after it neither.
  const std::int64_t waits_s[] = {20, 90, 10, 40};
  for (int i = 0; i < 4; ++i) {
    const std::string id = "t" + std::to_string(i);
    open(id);
    reply(id, "alice");
    f.clock.advance_us(waits_s[i] * kMicrosPerSecond + 999'999);  // whole seconds count
    reply(id, "mia");
    reply(id, "mia");
  }
  open("w");
  f.clock.advance_us(7 * kMicrosPerSecond);
  reply("w", "web");
  open("r");
  f.clock.advance_us(kMicrosPerSecond);
  reply("r", "root");
  f.clock.advance_us(kMicrosPerSecond);
  reply("r", "mia");

  projections::AnalyticsProjection projection;
  projections::ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  auto check = [&] {
    auto mia = projections::median_first_reply_seconds(runner, "mia");
    REQUIRE(mia.ok());
    CHECK(*mia == std::optional<double>(30.0));  // of 10, 20, 40 and 90
    auto web = projections::median_first_reply_seconds(runner, "web");
    REQUIRE(web.ok());
    CHECK(*web == std::optional<double>(7.0));
    auto root = projections::median_first_reply_seconds(runner, "root");
    REQUIRE(root.ok());
    CHECK_FALSE(root->has_value());
  };
  check();
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  check();
  runner.stop();
}

TEST_CASE("analytics periods are checked and completed") {
  using projections::analytics_period;
  auto defaults = analytics_period(std::nullopt, std::nullopt, "2026-11-24");
  REQUIRE(defaults.ok());
  CHECK(defaults->from == "2026-10-26");
  CHECK(defaults->to == "2026-11-24");
  auto from_only = analytics_period("2026-11-01", std::nullopt, "2026-11-24");
  REQUIRE(from_only.ok());
  CHECK(from_only->to == "2026-11-24");
  CHECK(analytics_period("2026-11-24", "2026-11-24", "2026-11-24").ok());
  CHECK(analytics_period("2025-11-24", "2026-11-24", "2026-11-24").ok());  // 366 days

  auto bad_from = analytics_period("24/11/2026", std::nullopt, "2026-11-24");
  REQUIRE_FALSE(bad_from.ok());
  CHECK(bad_from.error().field == "from");
  auto bad_to = analytics_period(std::nullopt, "2026-02-30", "2026-11-24");
  REQUIRE_FALSE(bad_to.ok());
  CHECK(bad_to.error().field == "to");
  auto reversed = analytics_period("2026-11-25", "2026-11-24", "2026-11-24");
  REQUIRE_FALSE(reversed.ok());
  CHECK(reversed.error().code == Errc::invalid_argument);
  CHECK_FALSE(analytics_period("2025-11-23", "2026-11-24", "2026-11-24").ok());  // 367 days
}

}  // namespace
}  // namespace ledger
