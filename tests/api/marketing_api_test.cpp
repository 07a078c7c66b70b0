// Campaigns over HTTP: the assigned marketing agent runs them, the client's wallet shows the
// reserved budget at once, spend reaches revenue, scope hides other clients' campaigns (404),
// role allow-lists on updates, analytics.
#include <doctest/doctest.h>

#include "events/timestamp.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

struct Agency {
  ApiFixture f;
  std::string admin = f.admin();
  std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  std::string alice = f.login_as("alice@x.com");
  std::string bob_id = f.create_user(admin, "bob@x.com", "client");
  std::string bob = f.login_as("bob@x.com");
  std::string mia_id = f.create_user(admin, "mia@x.com", "agent", "marketing");
  std::string mia = f.login_as("mia@x.com");
  std::string max_id = f.create_user(admin, "max@x.com", "agent", "marketing");
  std::string max = f.login_as("max@x.com");  // marketing, but not alice's agent
  std::string web_id = f.create_user(admin, "web@x.com", "agent", "website");
  std::string web = f.login_as("web@x.com");  // alice's website agent

  Agency() {
    for (const auto& [agent, service] : {std::pair{mia_id, "marketing"}, {web_id, "website"}}) {
      REQUIRE(f.post(admin, "/api/clients/" + alice_id + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
    REQUIRE(f.post(admin, "/api/clients/" + bob_id + "/assign_agent/",
                   nlohmann::json{{"service", "marketing"}, {"agent_id", max_id}}.dump())
                .status == 200);
    f.fund(admin, alice, "100.00");
  }

  std::string create(const std::string& budget) {
    auto created = f.post(mia, "/api/campaigns/",
                          nlohmann::json{{"client_id", alice_id},
                                         {"name", "Winter launch"},
                                         {"platform", "instagram"},
                                         {"budget", budget},
                                         {"target_reach", 1000},
                                         {"target_engagement", 100}}
                              .dump());
    REQUIRE_MESSAGE(created.status == 201, created.body);
    return created.json()["id"];
  }
};

TEST_CASE("a campaign's budget is reserved on the client's wallet and spend becomes revenue") {
  Agency a;
  const std::string id = a.create("60.00");
  const std::string path = "/api/campaigns/" + id + "/";
  auto seen = a.f.get(a.alice, path);
  REQUIRE(seen.status == 200);
  CHECK(seen.json()["status"] == "draft");
  CHECK(seen.json()["agent_id"] == a.mia_id);

  auto scheduled = a.f.post(a.mia, path + "change_status/", R"({"status":"scheduled"})");
  REQUIRE_MESSAGE(scheduled.status == 200, scheduled.body);
  CHECK(scheduled.json()["reserved"] == true);
  auto wallet = a.f.get(a.alice, "/api/wallet/").json();
  CHECK(wallet["balance"] == "100.00");
  CHECK(wallet["available_balance"] == "40.00");

  REQUIRE(a.f.post(a.mia, path + "change_status/", R"({"status":"active"})").status == 200);
  auto metrics =
      a.f.post(a.mia, path + "update_metrics/", R"({"reach":600,"engagement":20,"spend":"25.00"})");
  REQUIRE_MESSAGE(metrics.status == 200, metrics.body);
  CHECK(metrics.json()["spend"] == "25.00");
  CHECK(metrics.json()["performance"] == 40.0);  // (0.6 + 0.2) / 2
  wallet = a.f.get(a.alice, "/api/wallet/").json();
  CHECK(wallet["balance"] == "75.00");
  CHECK(wallet["available_balance"] == "40.00");
  auto over = a.f.post(a.mia, path + "update_metrics/", R"({"spend":"70.00"})");
  CHECK(over.status == 422);
  CHECK(over.json()["code"] == "budget_exceeded");
  CHECK(a.f.post(a.mia, path + "update_metrics/", R"({"spend":25.001})").status == 400);
  CHECK(a.f.post(a.mia, path + "update_metrics/", R"({"spend":"-1.00"})").status == 400);

  // The agent may not move the budget of a running campaign; the client may.
  CHECK(a.f.call(a.mia, verb::patch, path, R"({"budget":"80.00"})").status == 403);
  CHECK(a.f.call(a.alice, verb::patch, path, R"({"name":"Mine"})").status == 400);
  auto raised = a.f.call(a.alice, verb::patch, path, R"({"budget":"80.00"})");
  REQUIRE_MESSAGE(raised.status == 200, raised.body);
  CHECK(a.f.get(a.alice, "/api/wallet/").json()["available_balance"] == "20.00");
  CHECK(a.f.call(a.mia, verb::patch, path, R"({"name":"Winter launch 2"})").json()["name"] ==
        "Winter launch 2");

  CHECK(a.f.post(a.mia, path + "change_status/", R"({"status":"draft"})").json()["code"] ==
        "invalid_transition");
  CHECK(a.f.call(a.mia, verb::delete_, path).json()["code"] == "invalid_transition");
  auto agent_row = [&](const std::string& position) {
    auto answer = a.f.call(a.admin, verb::get, "/api/admin/agents/performance/", "",
                           {{"X-Min-Position", position}});
    REQUIRE(answer.status == 200);
    const nlohmann::json body = answer.json();
    for (const auto& agent : body["agents"]) {
      if (agent["agent_id"] == a.mia_id) return agent;
    }
    FAIL("mia is not listed: " << answer.body);
    return nlohmann::json();
  };
  CHECK(agent_row(raised.header("X-Ledger-Position"))["active_campaigns"] == 1);
  auto completed = a.f.post(a.mia, path + "change_status/", R"({"status":"completed"})");
  REQUIRE(completed.status == 200);
  const auto mia_row = agent_row(completed.header("X-Ledger-Position"));
  CHECK(mia_row["active_campaigns"] == 0);
  CHECK(mia_row["completed_campaigns"] == 1);
  auto feed = a.f.call(a.alice, verb::get, "/api/notifications/?type=campaign_status", "",
                       {{"X-Min-Position", completed.header("X-Ledger-Position")}});
  CHECK(feed.json()["count"] == 3);  // scheduled, active, completed
  wallet = a.f.get(a.alice, "/api/wallet/").json();
  CHECK(wallet["balance"] == "75.00");
  CHECK(wallet["available_balance"] == "75.00");

  auto analytics = a.f.get(a.alice, "/api/campaigns/analytics/").json();
  CHECK(analytics["total_campaigns"] == 1);
  CHECK(analytics["completed_campaigns"] == 1);
  CHECK(analytics["total_budget"] == "80.00");
  CHECK(analytics["total_spend"] == "25.00");
  CHECK(analytics["total_reach"] == 600);
  CHECK(analytics["avg_performance"] == 40.0);
  CHECK(a.f.get(a.mia, "/api/campaigns/my_campaigns/").json()["count"] == 1);

  REQUIRE(a.f.call(a.mia, verb::delete_, path).status == 200);
  CHECK(a.f.get(a.alice, path).status == 404);
  CHECK(a.f.get(a.alice, "/api/campaigns/").json()["count"] == 0);
}

TEST_CASE("campaigns out of scope are not found, for every endpoint") {
  Agency a;
  const std::string id = a.create("10.00");
  const std::string path = "/api/campaigns/" + id + "/";
  // Another client, a marketing agent of another client, alice's website agent.
  for (const auto* token : {&a.bob, &a.max, &a.web}) {
    CHECK(a.f.get(*token, path).status == 404);
    CHECK(a.f.get(*token, "/api/campaigns/").json()["count"] == 0);
  }
  for (const auto* token : {&a.max, &a.web}) {
    CHECK(a.f.call(*token, verb::patch, path, R"({"name":"x"})").status == 404);
    CHECK(a.f.call(*token, verb::delete_, path).status == 404);
    CHECK(a.f.post(*token, path + "change_status/", R"({"status":"scheduled"})").status == 404);
    CHECK(a.f.post(*token, path + "update_metrics/", R"({"reach":1})").status == 404);
    CHECK(a.f.post(*token, path + "add_content/", R"({"content_ids":["p1"]})").status == 404);
    CHECK(a.f.post(*token, "/api/campaigns/",
                   nlohmann::json{{"client_id", a.alice_id}, {"name", "x"}, {"platform", "tiktok"}}
                       .dump())
              .status == 404);
  }
  CHECK(a.f.call(a.bob, verb::patch, path, R"({"budget":"1.00"})").status == 404);
  CHECK(a.f.get(a.admin, path).status == 200);
  CHECK(a.f.get(a.admin, "/api/campaigns/?status=draft").json()["count"] == 1);
  CHECK(a.f.get(a.admin, "/api/campaigns/?status=active").json()["count"] == 0);
  // Nothing changed by the refused calls.
  CHECK(a.f.get(a.alice, path).json()["name"] == "Winter launch");
}

// What a caller gets when it names `client_id` on a route that creates an object for a client.
std::vector<std::pair<std::string, testing::HttpAnswer>> answers_for_client(
    Agency& a, const std::string& token, const std::string& client_id) {
  const std::string in_five_days = events::format_rfc3339(a.f.clock.now_us() + 5 * kMicrosPerDay);
  std::vector<std::pair<std::string, testing::HttpAnswer>> answers;
  answers.emplace_back(
      "POST /api/campaigns/",
      a.f.post(
          token, "/api/campaigns/",
          nlohmann::json{{"client_id", client_id}, {"name", "x"}, {"platform", "tiktok"}}.dump()));
  answers.emplace_back("POST /api/content-schedule/",
                       a.f.post(token, "/api/content-schedule/",
                                nlohmann::json{{"client_id", client_id},
                                               {"platform", "instagram"},
                                               {"social_account", "@a"},
                                               {"scheduled_at", in_five_days}}
                                    .dump()));
  answers.emplace_back("GET /api/campaigns/?client_id=",
                       a.f.get(token, "/api/campaigns/?client_id=" + client_id));
  answers.emplace_back("GET /api/wallet/transactions/?user_id=",
                       a.f.get(token, "/api/wallet/transactions/?user_id=" + client_id));
  answers.emplace_back("GET /api/ledger/accounts/wallet:{id}/statement/",
                       a.f.get(token, "/api/ledger/accounts/wallet:" + client_id + "/statement/"));
  return answers;
}

TEST_CASE("an unknown client id and a client out of scope get byte-identical answers") {
  Agency a;
  const std::string unknown = "01JUNKNOWNCLIENT0000000000";
  struct Case {
    const char* who;
    const std::string* token;
    std::vector<std::string> not_visible;  // ids this caller may not reach
  };
  // max serves bob (marketing), web serves alice for the website only, bob is a client.
  const Case cases[] = {
      {"a marketing agent not assigned to alice", &a.max, {a.alice_id, a.mia_id, a.web_id}},
      {"alice's website agent", &a.web, {a.alice_id, a.bob_id, a.mia_id}},
      {"another client", &a.bob, {a.alice_id, a.mia_id}},
  };
  for (const auto& c : cases) {
    const auto expected = answers_for_client(a, *c.token, unknown);
    for (const auto& hidden : c.not_visible) {
      const auto got = answers_for_client(a, *c.token, hidden);
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        INFO(c.who, ": ", got[i].first, " for ", hidden);
        CHECK(got[i].second.status == expected[i].second.status);
        CHECK(got[i].second.body == expected[i].second.body);
      }
    }
  }
  // The answer agents get for both: 404, like an object out of scope.
  auto refused = a.f.post(
      a.max, "/api/campaigns/",
      nlohmann::json{{"client_id", unknown}, {"name", "x"}, {"platform", "tiktok"}}.dump());
  CHECK(refused.status == 404);
  CHECK(refused.json()["code"] == "not_found");
  CHECK(refused.json()["detail"] == "there is no such client");
  // Admins see every client: an unknown id is the same 404 for them.
  CHECK(
      a.f.post(a.admin, "/api/campaigns/",
               nlohmann::json{{"client_id", unknown}, {"name", "x"}, {"platform", "tiktok"}}.dump())
          .body == refused.body);
}

TEST_CASE("campaign input is checked field by field, unknown fields are refused") {
  Agency a;
  for (const char* body :
       {R"({"name":"x","platform":"tiktok"})", R"({"client_id":"C","platform":"tiktok"})",
        R"({"client_id":"C","name":"x","platform":"myspace"})",
        R"({"client_id":"C","name":"x","platform":"tiktok","budget":"-5.00"})",
        R"({"client_id":"C","name":"x","platform":"tiktok","budget":5.001})",
        R"({"client_id":"C","name":"x","platform":"tiktok","start_date":"tomorrow"})",
        R"({"client_id":"C","name":"x","platform":"tiktok","status":"active"})",
        R"({"client_id":"C","name":"x","platform":"tiktok","spend":"1.00"})"}) {
    std::string text = body;
    if (const auto at = text.find("\"C\""); at != std::string::npos) {
      text.replace(at, 3, "\"" + a.alice_id + "\"");
    }
    auto refused = a.f.post(a.mia, "/api/campaigns/", text);
    CHECK_MESSAGE(refused.status == 400, text);
  }
  const std::string id = a.create("0.00");
  auto scheduled =
      a.f.post(a.mia, "/api/campaigns/" + id + "/change_status/", R"({"status":"scheduled"})");
  CHECK(scheduled.status == 200);  // nothing to reserve
  CHECK(a.f.post(a.mia, "/api/campaigns/" + id + "/change_status/", R"({"status":"paused"})")
            .json()["code"] == "invalid_transition");
  CHECK(
      a.f.post(a.mia, "/api/campaigns/" + id + "/change_status/", R"({"status":"gone"})").status ==
      400);
}

}  // namespace
}  // namespace ledger
