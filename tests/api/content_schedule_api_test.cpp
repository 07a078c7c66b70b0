// The content schedule over HTTP: an agent schedules, the client approves, the agent publishes;
// calendar, upcoming and overdue from the server's clock; scope 404s; bad input 400s.
#include <doctest/doctest.h>

#include "events/timestamp.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

struct Schedule {
  ApiFixture f;
  std::string admin = f.admin();
  std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  std::string alice = f.login_as("alice@x.com");
  std::string bob = (f.create_user(admin, "bob@x.com", "client"), f.login_as("bob@x.com"));
  std::string mia_id = f.create_user(admin, "mia@x.com", "agent", "marketing");
  std::string mia = f.login_as("mia@x.com");
  std::string max =
      (f.create_user(admin, "max@x.com", "agent", "marketing"), f.login_as("max@x.com"));
  std::string web_id = f.create_user(admin, "web@x.com", "agent", "website");
  std::string web = f.login_as("web@x.com");

  Schedule() {
    for (const auto& [agent, service] : {std::pair{mia_id, "marketing"}, {web_id, "website"}}) {
      REQUIRE(f.post(admin, "/api/clients/" + alice_id + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
  }

  std::string at(std::int64_t days_from_now) {
    return events::format_rfc3339(f.clock.now_us() + days_from_now * kMicrosPerDay);
  }

  std::string schedule(std::int64_t days_from_now) {
    auto posted = f.post(mia, "/api/content-schedule/",
                         nlohmann::json{{"client_id", alice_id},
                                        {"platform", "instagram"},
                                        {"social_account", "@alice.shop"},
                                        {"scheduled_at", at(days_from_now)},
                                        {"caption", "Winter sale"},
                                        {"hashtags", {"#sale"}},
                                        {"media_urls", {"https://cdn.example.com/a.jpg"}}}
                             .dump());
    REQUIRE_MESSAGE(posted.status == 201, posted.body);
    return posted.json()["id"];
  }
};

TEST_CASE("schedule, approve, publish, upcoming, overdue and the calendar") {
  Schedule s;
  const std::string soon = s.schedule(2);
  const std::string later = s.schedule(10);
  const std::string path = "/api/content-schedule/" + soon + "/";

  CHECK(s.f.get(s.alice, "/api/content-schedule/").json()["count"] == 2);
  CHECK(s.f.get(s.mia, "/api/content-schedule/upcoming/").json()["count"] == 1);
  CHECK(s.f.get(s.mia, "/api/content-schedule/overdue/").json()["count"] == 0);
  const std::string today = events::format_date(s.f.clock.now_us());
  const std::string in_five = events::format_date(s.f.clock.now_us() + 5 * kMicrosPerDay);
  CHECK(s.f.get(s.alice, "/api/content-schedule/calendar/?start=" + today + "&end=" + in_five)
            .json()["count"] == 1);
  CHECK(s.f.get(s.alice, "/api/content-schedule/calendar/?start=" + in_five + "&end=" + today)
            .status == 400);
  CHECK(s.f.get(s.alice, "/api/content-schedule/calendar/?start=" + today).status == 400);

  auto early = s.f.post(s.mia, path + "publish/");
  CHECK(early.status == 422);
  CHECK(early.json()["code"] == "invalid_transition");
  CHECK(s.f.post(s.mia, path + "approve/").status == 403);  // agents do not approve
  auto approved = s.f.post(s.alice, path + "approve/");
  REQUIRE_MESSAGE(approved.status == 200, approved.body);
  CHECK(approved.json()["approved"] == true);
  auto failed = s.f.post(s.mia, path + "fail/", R"({"error":"the API timed out"})");
  REQUIRE(failed.status == 200);
  CHECK(failed.json()["retry_count"] == 1);
  CHECK(s.f.post(s.mia, path + "fail/", "{}").status == 400);
  auto published = s.f.post(s.mia, path + "publish/");
  REQUIRE_MESSAGE(published.status == 200, published.body);
  CHECK(published.json()["status"] == "published");
  CHECK(s.f.call(s.mia, verb::delete_, path).json()["code"] == "invalid_transition");
  auto performance = s.f.call(s.admin, verb::get, "/api/admin/agents/performance/", "",
                              {{"X-Min-Position", published.header("X-Ledger-Position")}});
  REQUIRE(performance.status == 200);
  const nlohmann::json agents = performance.json()["agents"];
  for (const auto& agent : agents) {
    CHECK(agent["published_content"] == (agent["agent_id"] == s.mia_id ? 1 : 0));
  }

  // Time passes: the later post is overdue once its time has gone by unpublished.
  s.f.clock.advance_us(11 * kMicrosPerDay);
  auto overdue = s.f.get(s.alice, "/api/content-schedule/overdue/").json();
  REQUIRE(overdue["count"] == 1);
  CHECK(overdue["results"][0]["id"] == later);
  CHECK(overdue["results"][0]["is_overdue"] == true);

  // The client rejects the later one with feedback: its agent reads it in the notification.
  const std::string later_path = "/api/content-schedule/" + later + "/";
  CHECK(s.f.post(s.alice, later_path + "reject/", "{}").status == 400);  // feedback required
  CHECK(s.f.post(s.mia, later_path + "reject/", R"({"feedback":"no"})").status == 403);
  auto rejected =
      s.f.post(s.alice, later_path + "reject/", R"({"feedback":"Use the <b>blue</b> logo"})");
  REQUIRE_MESSAGE(rejected.status == 200, rejected.body);
  CHECK(rejected.json()["status"] == "rejected");
  CHECK(rejected.json()["feedback"] == "Use the <b>blue</b> logo");
  CHECK(rejected.json()["approved"] == false);
  auto feed = s.f.call(s.mia, verb::get, "/api/notifications/?type=content_rejected", "",
                       {{"X-Min-Position", rejected.header("X-Ledger-Position")}});
  REQUIRE(feed.json()["count"] == 1);
  CHECK(feed.json()["results"][0]["message"] == "Feedback: Use the <b>blue</b> logo");
  CHECK(feed.json()["results"][0]["category"] == "content");
  CHECK(s.f.post(s.alice, later_path + "reject/", R"({"feedback":"again"})").status == 422);
  CHECK(s.f.post(s.alice, later_path + "approve/").status == 422);  // the agent changes it first

  // The agent's change puts it up for approval again.
  auto resubmitted =
      s.f.call(s.mia, verb::patch, later_path, R"({"caption":"In blue now","title":"Blue"})");
  REQUIRE_MESSAGE(resubmitted.status == 200, resubmitted.body);
  CHECK(resubmitted.json()["status"] == "scheduled");
  CHECK(resubmitted.json()["title"] == "Blue");

  // A client's cancel is a cancel, and its agent hears of it as one.
  auto cancelled = s.f.post(s.alice, later_path + "cancel/");
  REQUIRE(cancelled.status == 200);
  auto cancels = s.f.call(s.mia, verb::get, "/api/notifications/?type=content_cancelled", "",
                          {{"X-Min-Position", cancelled.header("X-Ledger-Position")}});
  CHECK(cancels.json()["count"] == 1);
}

TEST_CASE("a draft is the agent's until submitted, then the client is asked to approve it") {
  Schedule s;
  auto drafted = s.f.post(s.mia, "/api/content-schedule/",
                          nlohmann::json{{"client", s.alice_id},
                                         {"title", "Idea"},
                                         {"platform", "instagram"},
                                         {"social_account", "@alice.shop"},
                                         {"status", "draft"}}
                              .dump());
  REQUIRE_MESSAGE(drafted.status == 201, drafted.body);
  CHECK(drafted.json()["status"] == "draft");
  CHECK(drafted.json()["scheduled_for"].is_null());
  const std::string path = "/api/content-schedule/" + drafted.json()["id"].get<std::string>() + "/";
  CHECK(s.f.get(s.mia, "/api/content-schedule/?status=draft").json()["count"] == 1);
  CHECK(s.f.post(s.alice, path + "approve/").status == 422);
  // Submitting needs a time; with one, the client is asked (and only then).
  auto timeless = s.f.call(s.mia, verb::patch, path, R"({"status":"scheduled"})");
  CHECK(timeless.status == 400);
  CHECK(timeless.json()["errors"].contains("scheduled_at"));
  CHECK(s.f.call(s.mia, verb::patch, path, R"({"status":"draft"})").status == 400);
  auto submitted =
      s.f.call(s.mia, verb::patch, path,
               nlohmann::json{{"status", "scheduled"}, {"scheduled_for", s.at(3)}}.dump());
  REQUIRE_MESSAGE(submitted.status == 200, submitted.body);
  CHECK(submitted.json()["status"] == "scheduled");
  auto asked = s.f.call(s.alice, verb::get, "/api/notifications/?type=content_scheduled", "",
                        {{"X-Min-Position", submitted.header("X-Ledger-Position")}});
  CHECK(asked.json()["count"] == 1);  // one: none for the draft
  CHECK(s.f.call(s.mia, verb::patch, path, R"({"status":"scheduled"})").status == 422);
  CHECK(s.f.post(s.alice, path + "approve/").status == 200);
}

TEST_CASE("scheduled posts out of scope are not found, input is checked") {
  Schedule s;
  const std::string id = s.schedule(3);
  const std::string path = "/api/content-schedule/" + id + "/";
  for (const auto* token : {&s.bob, &s.max, &s.web}) {
    CHECK(s.f.get(*token, path).status == 404);
    CHECK(s.f.get(*token, "/api/content-schedule/").json()["count"] == 0);
    CHECK(s.f.post(*token, path + "cancel/").status == 404);
  }
  for (const auto* token : {&s.max, &s.web}) {
    CHECK(s.f.call(*token, verb::patch, path, R"({"caption":"x"})").status == 404);
    CHECK(s.f.post(*token, path + "publish/").status == 404);
    CHECK(s.f.post(*token, path + "fail/", R"({"error":"x"})").status == 404);
    CHECK(s.f.call(*token, verb::delete_, path).status == 404);
  }
  CHECK(s.f.post(s.bob, path + "approve/").status == 404);
  CHECK(s.f.get(s.alice, path).json()["status"] == "scheduled");

  const std::string base = R"("client_id":")" + s.alice_id + R"(","platform":"instagram",)" +
                           R"("social_account":"@a",)";
  for (const std::string& body :
       {"{" + base + R"("scheduled_at":")" + s.at(-1) + R"("})",
        "{" + base + R"("scheduled_at":"tomorrow"})",
        "{" + base + R"("scheduled_at":")" + s.at(1) + R"(","media_urls":["ftp://x/a"]})",
        "{" + base + R"("scheduled_at":")" + s.at(1) + R"(","media_urls":"https://x.com/a"})",
        "{" + base + R"("scheduled_at":")" + s.at(1) + R"(","hashtags":["two words"]})",
        "{" + base + R"("scheduled_at":")" + s.at(1) + R"(","status":"published"})",
        "{" + base + R"("scheduled_at":")" + s.at(1) + R"(","campaign_id":"nope"})"}) {
    CHECK_MESSAGE(s.f.post(s.mia, "/api/content-schedule/", body).status == 400, body);
  }
  auto changed = s.f.call(s.mia, verb::patch, path, R"({"caption":"New words"})");
  REQUIRE(changed.status == 200);
  CHECK(changed.json()["caption"] == "New words");
}

}  // namespace
}  // namespace ledger
