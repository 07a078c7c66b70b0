// Admin analytics over HTTP: the service report follows the payments (once the projection has
// reached the command's position), bad periods are refused, agents' workload comes from their
// assignments, and only admins see any of it.
#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

const nlohmann::json& service_of(const nlohmann::json& report, std::string_view name) {
  for (const auto& service : report["services"]) {
    if (service["service"] == name) return service;
  }
  FAIL("no service ", name);
  return report;
}

TEST_CASE("the service report shows each payment, and only to admins") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  f.create_user(admin, "bob@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const std::string bob = f.login_as("bob@x.com");
  f.fund(admin, alice, "50.00");
  f.fund(admin, bob, "50.00");
  REQUIRE(f.post(alice, "/api/wallet/pay/", R"({"amount":"12.50","service":"website"})").status ==
          201);
  auto paid = f.post(bob, "/api/wallet/pay/", R"({"amount":"7.25","service":"website"})");
  REQUIRE(paid.status == 201);

  auto report = f.call(admin, verb::get, "/api/admin/analytics/services/?from=&to=", "",
                       {{"X-Min-Position", paid.header("X-Ledger-Position")}});
  REQUIRE_MESSAGE(report.status == 200, report.body);
  const auto body = report.json();
  CHECK(body["to"] == "2026-11-23");
  CHECK(body["from"] == "2026-10-25");
  const auto& website = service_of(body, "website");
  CHECK(website["revenue"] == "19.75");
  CHECK(website["previous_revenue"] == "0.00");
  CHECK(website["payments"] == 2);
  CHECK(website["active_clients"] == 2);
  CHECK(website["new_clients"] == 2);
  CHECK(website["churned_clients"] == 0);
  CHECK(website["churn_rate"] == 0.0);
  CHECK(website["growth_rate"].is_null());
  CHECK(website["daily"].size() == 30);
  CHECK(website["daily"][29]["revenue"] == "19.75");
  CHECK(service_of(body, "marketing")["revenue"] == "0.00");
  CHECK(std::stoull(report.header("X-Ledger-Position")) >=
        std::stoull(paid.header("X-Ledger-Position")));

  // Another period: nothing was paid then.
  auto earlier = f.get(admin, "/api/admin/analytics/services/?from=2026-01-01&to=2026-01-31");
  REQUIRE(earlier.status == 200);
  CHECK(service_of(earlier.json(), "website")["revenue"] == "0.00");
  CHECK(service_of(earlier.json(), "website")["daily"].size() == 31);

  for (const char* bad : {"?from=yesterday", "?to=2026-13-01", "?from=2026-11-24&to=2026-11-01",
                          "?from=2020-01-01&to=2026-01-01"}) {
    auto refused = f.get(admin, std::string("/api/admin/analytics/services/") + bad);
    CHECK_MESSAGE(refused.status == 400, bad);
    CHECK(refused.json()["code"] == "invalid_argument");
  }
  CHECK(f.get(alice, "/api/admin/analytics/services/").status == 403);
  CHECK(f.get("", "/api/admin/analytics/services/").status == 401);
}

TEST_CASE("agents' workload comes from their assignments") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string agent = f.create_user(admin, "mia@x.com", "agent", "marketing", 4);
  f.create_user(admin, "web@x.com", "agent", "website");
  for (const char* email : {"c1@x.com", "c2@x.com", "c3@x.com"}) {
    const std::string client = f.create_user(admin, email, "client");
    REQUIRE(f.post(admin, "/api/clients/" + client + "/assign_agent/",
                   nlohmann::json{{"service", "marketing"}, {"agent_id", agent}}.dump())
                .status == 200);
  }
  auto performance = f.get(admin, "/api/admin/agents/performance/");
  REQUIRE_MESSAGE(performance.status == 200, performance.body);
  const auto agents = performance.json()["agents"];
  REQUIRE(agents.size() == 2);
  for (const auto& row : agents) {
    if (row["agent_id"] == agent) {
      CHECK(row["department"] == "marketing");
      CHECK(row["clients"] == 3);
      CHECK(row["max_clients"] == 4);
      CHECK(row["available_slots"] == 1);
      CHECK(row["workload_pct"] == 75.0);
    } else {
      CHECK(row["department"] == "website");
      CHECK(row["clients"] == 0);
      CHECK(row["max_clients"] == 10);
      CHECK(row["workload_pct"] == 0.0);
    }
  }
  CHECK(f.get(f.login_as("mia@x.com"), "/api/admin/agents/performance/").status == 403);
}

}  // namespace
}  // namespace ledger
