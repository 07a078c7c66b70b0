// The seed's documented requests (../shared/seed/platform-plan.md, "HOW TO USE THE NEW AGENT
// FEATURES"), sent verbatim with only the ids substituted, and read back as its dashboards read
// them: DRF-style names (`client`, `campaign`, `project`), `title`, `scheduled_for`,
// `media_files`, hashtags without "#", and money as a JSON number (`"budget": 500.00`).
// The examples are dated June 2025, so the server's clock starts on 2025-05-01.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/api_fixture.h"
#include "tests/support/multipart_body.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

constexpr std::int64_t kSeedDayUs = 1'746'057'600'000'000;  // 2025-05-01T00:00:00Z

// Replaces every `placeholder` (a quoted id in the seed's text) with `value`.
std::string substituted(std::string text, const std::string& placeholder,
                        const std::string& value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

struct SeedAgency {
  ApiFixture f{kSeedDayUs};
  std::string admin = f.admin();
  std::string client_id = f.create_user(admin, "client@x.com", "client");
  std::string client = f.login_as("client@x.com");
  std::string marketer_id = f.create_user(admin, "marketer@x.com", "agent", "marketing");
  std::string marketer = f.login_as("marketer@x.com");
  std::string builder_id = f.create_user(admin, "builder@x.com", "agent", "website");
  std::string builder = f.login_as("builder@x.com");

  SeedAgency() {
    for (const auto& [service, agent] :
         {std::pair{"marketing", marketer_id}, std::pair{"website", builder_id}}) {
      REQUIRE(f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
  }
};

TEST_CASE("the seed's 'Create a Campaign', 'Schedule Content' and 'Get Analytics' work verbatim") {
  SeedAgency s;
  const std::string campaign_request = substituted(R"({
  "client": "client_id",
  "title": "Summer Sale 2025",
  "description": "Instagram campaign for summer products",
  "platform": "instagram",
  "start_date": "2025-06-01",
  "end_date": "2025-06-30",
  "goal": "Increase engagement by 50%",
  "target_reach": 10000,
  "target_engagement": 5000,
  "budget": 500.00
})",
                                                   "\"client_id\"", '"' + s.client_id + '"');
  auto created = s.f.post(s.marketer, "/api/campaigns/", campaign_request);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const auto campaign = created.json();
  CHECK(campaign["client"] == s.client_id);
  CHECK(campaign["client_id"] == s.client_id);
  CHECK(campaign["title"] == "Summer Sale 2025");
  CHECK(campaign["name"] == "Summer Sale 2025");
  CHECK(campaign["budget"] == "500.00");  // read from the literal, never through a double
  CHECK(campaign["target_reach"] == 10000);
  CHECK(campaign["start_date"] == "2025-06-01");
  CHECK(campaign["status"] == "draft");
  const std::string campaign_id = campaign["id"].get<std::string>();

  std::string content_request = R"({
  "client": "client_id",
  "campaign": "campaign_id",
  "title": "Summer Product Showcase",
  "caption": "Check out our summer collection! #Summer2025",
  "platform": "instagram",
  "social_account": "account_id",
  "scheduled_for": "2025-06-15T10:00:00Z",
  "hashtags": ["Summer2025", "Sale", "Fashion"],
  "media_files": ["https://cdn.example.com/image1.jpg"]
})";
  content_request = substituted(content_request, "\"client_id\"", '"' + s.client_id + '"');
  content_request = substituted(content_request, "\"campaign_id\"", '"' + campaign_id + '"');
  auto scheduled = s.f.post(s.marketer, "/api/content-schedule/", content_request);
  REQUIRE_MESSAGE(scheduled.status == 201, scheduled.body);
  const auto post = scheduled.json();
  CHECK(post["client"] == s.client_id);
  CHECK(post["campaign"] == campaign_id);
  CHECK(post["campaign_id"] == campaign_id);
  CHECK(post["title"] == "Summer Product Showcase");
  CHECK(post["social_account"] == "account_id");
  CHECK(post["social_account_id"] == "account_id");
  CHECK(post["scheduled_for"] == "2025-06-15T10:00:00Z");
  CHECK(post["scheduled_at"] == "2025-06-15T10:00:00Z");
  CHECK(post["hashtags"] == nlohmann::json::array({"#Summer2025", "#Sale", "#Fashion"}));
  CHECK(post["media_files"] == nlohmann::json::array({"https://cdn.example.com/image1.jpg"}));
  CHECK(post["media_urls"] == post["media_files"]);

  // A foreign key is also taken with `_id`, never under both names.
  auto by_id = s.f.call(s.marketer, boost::beast::http::verb::patch,
                        "/api/content-schedule/" + post["id"].get<std::string>() + "/",
                        R"({"social_account_id":"other_account"})");
  REQUIRE_MESSAGE(by_id.status == 200, by_id.body);
  CHECK(by_id.json()["social_account"] == "other_account");
  auto both = s.f.call(s.marketer, boost::beast::http::verb::patch,
                       "/api/content-schedule/" + post["id"].get<std::string>() + "/",
                       R"({"social_account":"a","social_account_id":"b"})");
  CHECK(both.status == 400);
  CHECK(both.json()["errors"].contains("social_account_id"));

  // The calendar the dashboard draws holds it; the client sees it too.
  auto calendar =
      s.f.get(s.client, "/api/content-schedule/calendar/?start=2025-06-01&end=2025-06-30").json();
  REQUIRE(calendar["count"] == 1);
  CHECK(calendar["results"][0]["title"] == "Summer Product Showcase");

  // "Get Analytics": the keys the seed's response shows, with the campaign's figures.
  auto analytics = s.f.get(s.marketer, "/api/campaigns/analytics/");
  REQUIRE(analytics.status == 200);
  const auto totals = analytics.json();
  for (const char* key :
       {"total_campaigns", "active_campaigns", "completed_campaigns", "total_budget", "total_spend",
        "total_reach", "total_engagement", "avg_performance"}) {
    CHECK_MESSAGE(totals.contains(key), key);
  }
  CHECK(totals["total_campaigns"] == 1);
  CHECK(totals["total_budget"] == "500.00");
}

TEST_CASE("the seed's 'Upload a Version' (field project) and 'Deploy a Version' work verbatim") {
  SeedAgency s;
  auto project =
      s.f.post(s.client, "/api/website-projects/",
               R"({"name":"Client site","answers":{"business_name":"Client","goals":"Sell"}})");
  REQUIRE(project.status == 201);
  const std::string project_id = project.json()["id"].get<std::string>();
  const std::string form =
      testing::multipart_body({{"project", project_id},
                               {"version_number", "v1.0"},
                               {"notes", "Initial version with homepage"},
                               {"technologies_used", R"(["React", "Next.js", "Tailwind"])"},
                               {"changelog", "- Created homepage\n- Added navigation"}},
                              "site.zip", testing::zip_shaped_file(4096, 7));
  auto uploaded = s.f.call(s.builder, verb::post, "/api/website-versions/", form,
                           {{"Content-Type", testing::multipart_content_type()}});
  REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
  const auto version = uploaded.json();
  CHECK(version["project"] == project_id);
  CHECK(version["project_id"] == project_id);
  CHECK(version["version_number"] == "v1.0");
  CHECK(version["technologies_used"] == nlohmann::json::array({"React", "Next.js", "Tailwind"}));
  CHECK(version["changelog"] == "- Created homepage\n- Added navigation");
  const std::string path = "/api/website-versions/" + version["id"].get<std::string>() + "/";

  REQUIRE(s.f.post(s.builder, path + "start_testing/").status == 200);
  REQUIRE(s.f.post(s.client, path + "approve/").status == 200);
  auto deployed = s.f.post(s.builder, path + "deploy/", R"({
  "deployment_url": "https://client-site.vercel.app"
})");
  REQUIRE_MESSAGE(deployed.status == 200, deployed.body);
  CHECK(deployed.json()["status"] == "deployed");
  CHECK(deployed.json()["deployment_url"] == "https://client-site.vercel.app");

  // Both names at once is ambiguous, and refused.
  const std::string both = testing::multipart_body(
      {{"project", project_id}, {"project_id", project_id}, {"version_number", "v2.0"}}, "site.zip",
      testing::zip_shaped_file(4096, 8));
  auto refused = s.f.call(s.builder, verb::post, "/api/website-versions/", both,
                          {{"Content-Type", testing::multipart_content_type()}});
  CHECK(refused.status == 400);
}

TEST_CASE("a field sent under both of its names is refused, naming the seed's one") {
  SeedAgency s;
  auto refused = s.f.post(
      s.marketer, "/api/campaigns/",
      nlohmann::json{{"client", s.client_id}, {"client_id", s.client_id}, {"name", "x"}}.dump());
  REQUIRE(refused.status == 400);
  CHECK(refused.json()["errors"].contains("client"));
  for (const char* body :
       {R"({"client":"C","title":"x","budget":5.001})",
        R"({"client":"C","title":"x","budget":1e3})", R"({"client":"C","title":"x","budget":-1})",
        R"({"client":"C","name":"x","title":"y"})"}) {
    const std::string text = substituted(body, "\"C\"", '"' + s.client_id + '"');
    CHECK_MESSAGE(s.f.post(s.marketer, "/api/campaigns/", text).status == 400, text);
  }
  CHECK(s.f.get(s.marketer, "/api/campaigns/").json()["count"] == 0);
}

TEST_CASE("both spellings of the client's purchases path answer the same list") {
  SeedAgency s;
  auto underscore = s.f.get(s.client, "/api/courses/my_purchases/");
  auto dash = s.f.get(s.client, "/api/courses/my-purchases/");
  REQUIRE(underscore.status == 200);
  REQUIRE(dash.status == 200);
  CHECK(underscore.json() == dash.json());
}

}  // namespace
}  // namespace ledger
