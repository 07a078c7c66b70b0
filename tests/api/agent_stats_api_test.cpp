// An agent's own dashboard (GET /api/agents/my-stats/), the tasks in each agent's care on the
// admin's agent performance, the notification centre's category filters, and the client's
// performance_update when a campaign's metrics change: each figure traced to what was done.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "tests/support/api_agency.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiAgency;
using testing::position_of;

nlohmann::json create_task(ApiAgency& a, const std::string& token, nlohmann::json body) {
  if (!body.contains("title")) body["title"] = "Send the logo";
  if (!body.contains("priority")) body["priority"] = "high";
  auto created = a.f.post(token, "/api/tasks/", body.dump());
  REQUIRE_MESSAGE(created.status == 201, created.body);
  return created.json();
}

// Runs a campaign of alice's by mia and reports metrics once; answers the metrics answer.
testing::HttpAnswer run_campaign(ApiAgency& a) {
  a.f.fund(a.admin, a.alice, "100.00");
  auto created = a.f.post(a.mia, "/api/campaigns/",
                          nlohmann::json{{"client_id", a.alice_id},
                                         {"name", "Winter <launch>"},
                                         {"platform", "instagram"},
                                         {"budget", "60.00"},
                                         {"target_reach", 1000},
                                         {"target_engagement", 100}}
                              .dump());
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string path = "/api/campaigns/" + created.json()["id"].get<std::string>() + "/";
  REQUIRE(a.f.post(a.mia, path + "change_status/", R"({"status":"scheduled"})").status == 200);
  REQUIRE(a.f.post(a.mia, path + "change_status/", R"({"status":"active"})").status == 200);
  auto metrics =
      a.f.post(a.mia, path + "update_metrics/", R"({"reach":600,"engagement":20,"spend":"25.00"})");
  REQUIRE_MESSAGE(metrics.status == 200, metrics.body);
  return metrics;
}

TEST_CASE("an agent's own stats: clients, workload, work delivered, tasks and unread messages") {
  ApiAgency a;
  // mia's care: one she asked of alice (open), one assigned to her and overdue-free, one done.
  const auto asked = create_task(a, a.mia, {{"client", a.alice_id}, {"service", "marketing"}});
  const auto hers = create_task(a, a.admin, {{"client", a.alice_id}, {"assigned_to", a.mia_id}});
  const auto done = create_task(a, a.mia, {{"client", a.alice_id}});
  REQUIRE(
      a.f.post(a.alice, "/api/tasks/" + done["id"].get<std::string>() + "/complete/", "").status ==
      200);
  create_task(a, a.max, {{"client", a.bob_id}});  // max's, not mia's
  // Two messages to mia, one read.
  auto first = a.f.post(a.alice, "/api/messages/",
                        nlohmann::json{{"recipient", a.mia_id}, {"content", "One"}}.dump());
  REQUIRE(first.status == 201);
  REQUIRE(a.f.post(a.alice, "/api/messages/",
                   nlohmann::json{{"recipient", a.mia_id}, {"content", "Two"}}.dump())
              .status == 201);
  REQUIRE(
      a.f.post(a.mia, "/api/messages/" + first.json()["id"].get<std::string>() + "/mark_read/", "")
          .status == 200);
  const auto metrics = run_campaign(a);

  auto stats = a.f.call(a.mia, verb::get, "/api/agents/my-stats/", "",
                        {{"X-Min-Position", metrics.header("X-Ledger-Position")}});
  REQUIRE_MESSAGE(stats.status == 200, stats.body);
  const auto json = stats.json();
  CHECK(json["agent_id"] == a.mia_id);
  CHECK(json["department"] == "marketing");
  CHECK(json["clients"] == 1);
  REQUIRE(json["client_list"].size() == 1);
  CHECK(json["client_list"][0]["id"] == a.alice_id);
  CHECK(json["client_list"][0]["service"] == "marketing");
  CHECK(json["active_campaigns"] == 1);
  CHECK(json["open_tasks"] == 2);  // the one she asked for and the one assigned to her
  CHECK(json["overdue_tasks"] == 0);
  CHECK(json["completed_tasks"] == 1);
  CHECK(json["unread_messages"] == 1);
  CHECK(asked["status"] == "todo");
  CHECK(hers["assigned_to"] == a.mia_id);

  // Only agents have stats of their own.
  CHECK(a.f.get(a.alice, "/api/agents/my-stats/").status == 403);
  CHECK(a.f.get(a.admin, "/api/agents/my-stats/").status == 403);

  // The admin's view of every agent carries the same task figures.
  auto performance = a.f.call(a.admin, verb::get, "/api/admin/agents/performance/", "",
                              {{"X-Min-Position", metrics.header("X-Ledger-Position")}});
  REQUIRE(performance.status == 200);
  std::set<std::string> seen;
  const auto agents = performance.json()["agents"];
  for (const auto& agent : agents) {
    seen.insert(agent["agent_id"].get<std::string>());
    if (agent["agent_id"] == a.mia_id) {
      CHECK(agent["open_tasks"] == 2);
      CHECK(agent["completed_tasks"] == 1);
    } else if (agent["agent_id"] == a.max_id) {
      CHECK(agent["open_tasks"] == 1);
    } else {
      CHECK(agent["open_tasks"] == 0);
    }
  }
  CHECK(seen == std::set<std::string>{a.mia_id, a.max_id, a.web_id});
}

TEST_CASE("a campaign's metrics notify the client, the category filters split the feed") {
  ApiAgency a;
  const auto metrics = run_campaign(a);
  create_task(a, a.mia, {{"client", a.alice_id}});
  auto message = a.f.post(a.mia, "/api/messages/",
                          nlohmann::json{{"recipient", a.alice_id}, {"content", "Hi"}}.dump());
  REQUIRE(message.status == 201);
  const std::string at = std::to_string(position_of(message));

  auto feed_of = [&](const std::string& query) {
    auto feed =
        a.f.call(a.alice, verb::get, "/api/notifications/" + query, "", {{"X-Min-Position", at}});
    REQUIRE_MESSAGE(feed.status == 200, feed.body);
    return feed.json()["results"];
  };
  const auto performance = feed_of("?category=performance");
  REQUIRE(performance.size() == 1);
  CHECK(performance[0]["type"] == "performance_update");
  CHECK(performance[0]["category"] == "performance");
  CHECK(performance[0]["message"] ==
        "Winter <launch> reached 600 people with 20 engagements; $25.00 spent so far");
  CHECK(a.notifications(a.mia, "performance_update", at).empty());  // the agent did it

  const auto all = feed_of("");
  std::size_t filtered = 0;
  for (const char* category : {"payments", "tasks", "messages", "content", "performance"}) {
    CAPTURE(category);
    const auto items = feed_of(std::string("?category=") + category);
    for (const auto& item : items) CHECK(item["category"] == category);
    filtered += items.size();
  }
  std::size_t unfiltered = 0;  // shown only under "all"
  for (const auto& item : all) {
    if (item["category"] == "account") ++unfiltered;
  }
  CHECK(filtered + unfiltered == all.size());
  CHECK(feed_of("?category=tasks").size() == 1);     // the task assigned to her
  CHECK(feed_of("?category=messages").size() == 1);  // mia's message
  CHECK(feed_of("?category=payments").size() >= 1);  // the top-up, the reserved budget
  CHECK(feed_of("?category=tasks&type=message_received").empty());

  auto bad = a.f.get(a.alice, "/api/notifications/?category=gossip");
  CHECK(bad.status == 400);
  CHECK(bad.json()["errors"].contains("category"));
  CHECK(metrics.status == 200);
}

}  // namespace
}  // namespace ledger
