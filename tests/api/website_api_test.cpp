// Website projects over HTTP: a client starts one with the questionnaire, its website agent
// completes the phases, scope hides it from everyone else (404), the client hears of each phase.
#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

TEST_CASE("a website project from questionnaire to launch, in scope only") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.create_user(admin, "bob@x.com", "client");
  const std::string bob = f.login_as("bob@x.com");
  const std::string web_id = f.create_user(admin, "web@x.com", "agent", "website");
  const std::string web = f.login_as("web@x.com");
  f.create_user(admin, "web2@x.com", "agent", "website");
  const std::string web2 = f.login_as("web2@x.com");
  const std::string mkt_id = f.create_user(admin, "mkt@x.com", "agent", "marketing");
  const std::string mkt = f.login_as("mkt@x.com");
  for (const auto& [agent, service] : {std::pair{web_id, "website"}, {mkt_id, "marketing"}}) {
    REQUIRE(f.post(admin, "/api/clients/" + alice_id + "/assign_agent/",
                   nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                .status == 200);
  }

  for (const char* body :
       {R"({"name":"Shop"})", R"({"name":"Shop","answers":{"business_name":"A"}})",
        R"({"name":"Shop","answers":{"business_name":"A","goals":"B","x":"y"}})",
        R"({"name":"Shop","answers":{"business_name":"A","goals":7}})",
        R"({"name":"Shop","answers":["business_name"]})",
        R"({"answers":{"business_name":"A","goals":"B"}})",
        R"({"name":"Shop","answers":{"business_name":"A","goals":"B"},"status":"launched"})"}) {
    CHECK_MESSAGE(f.post(alice, "/api/website-projects/", body).status == 400, body);
  }
  CHECK(f.post(web, "/api/website-projects/",
               R"({"name":"Shop","answers":{"business_name":"A","goals":"B"}})")
            .status == 403);
  auto created = f.post(alice, "/api/website-projects/",
                        R"({"name":"Shop","answers":{"business_name":"Alice's","goals":"Sell"}})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.json()["agent_id"] == web_id);
  CHECK(created.json()["current_phase"] == "design");
  const std::string path = "/api/website-projects/" + created.json()["id"].get<std::string>() + "/";

  for (const auto* token : {&bob, &web2, &mkt}) {
    CHECK(f.get(*token, path).status == 404);
    CHECK(f.get(*token, "/api/website-projects/").json()["count"] == 0);
  }
  CHECK(f.post(web2, path + "complete_phase/", R"({"phase":"design"})").status == 404);
  CHECK(f.post(mkt, path + "complete_phase/", R"({"phase":"design"})").status == 404);
  CHECK(f.post(alice, path + "complete_phase/", R"({"phase":"design"})").status == 403);
  CHECK(f.get(web, "/api/website-projects/").json()["count"] == 1);
  CHECK(f.get(admin, "/api/website-projects/?status=in_progress").json()["count"] == 1);

  CHECK(f.post(web, path + "complete_phase/", R"({"phase":"review"})").json()["code"] ==
        "invalid_transition");
  std::string position;
  for (const char* phase : {"design", "content", "development", "review", "launch"}) {
    auto done = f.post(web, path + "complete_phase/",
                       nlohmann::json{{"phase", phase}, {"note", "ok"}}.dump());
    REQUIRE_MESSAGE(done.status == 200, done.body);
    position = done.header("X-Ledger-Position");
  }
  auto launched = f.get(alice, path).json();
  CHECK(launched["status"] == "launched");
  CHECK(launched["progress"] == 100);
  CHECK(launched["current_phase"].is_null());
  auto feed = f.call(alice, verb::get, "/api/notifications/?type=website_phase_completed", "",
                     {{"X-Min-Position", position}});
  CHECK(feed.json()["count"] == 5);
}

}  // namespace
}  // namespace ledger
