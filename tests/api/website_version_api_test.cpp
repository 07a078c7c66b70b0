// Website versions over HTTP: the website agent uploads a zip as multipart/form-data, streamed
// into the blob store; the file comes back byte for byte; the workflow per role; scope hides
// everything from other clients and agents (404); refused uploads leave no blob behind.
#include <doctest/doctest.h>

#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/api_fixture.h"
#include "tests/support/multipart_body.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;
using testing::multipart_body;

struct WebsiteTeam {
  explicit WebsiteTeam(ApiFixture& fixture) : f(fixture) {
    admin = f.admin();
    alice_id = f.create_user(admin, "alice@x.com", "client");
    alice = f.login_as("alice@x.com");
    f.create_user(admin, "bob@x.com", "client");
    bob = f.login_as("bob@x.com");
    web_id = f.create_user(admin, "web@x.com", "agent", "website");
    web = f.login_as("web@x.com");
    f.create_user(admin, "web2@x.com", "agent", "website");
    web2 = f.login_as("web2@x.com");
    mkt_id = f.create_user(admin, "mkt@x.com", "agent", "marketing");
    mkt = f.login_as("mkt@x.com");
    for (const auto& [agent, service] : {std::pair{web_id, "website"}, {mkt_id, "marketing"}}) {
      REQUIRE(f.post(admin, "/api/clients/" + alice_id + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
    auto project = f.post(alice, "/api/website-projects/",
                          R"({"name":"Shop","answers":{"business_name":"Alice's","goals":"Sell"}})");
    REQUIRE(project.status == 201);
    project_id = project.json()["id"].get<std::string>();
  }

  testing::HttpAnswer upload(const std::string& token, const std::string& body,
                             std::string content_type = testing::multipart_content_type()) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", content_type}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return f.client().request(verb::post, "/api/website-versions/", body, headers);
  }

  std::string form(const std::string& number, const std::string& file,
                   const std::string& file_name = "site.zip") {
    return multipart_body({{"project_id", project_id},
                           {"version_number", number},
                           {"notes", "first cut"},
                           {"technologies_used", R"(["React","Tailwind"])"},
                           {"changelog", "- home page"}},
                          file_name, file);
  }

  ApiFixture& f;
  std::string admin, alice_id, alice, bob, web_id, web, web2, mkt_id, mkt, project_id;
};

TEST_CASE("a version from upload to deployment: the file back byte for byte, each step by its "
          "role") {
  ApiFixture f;
  WebsiteTeam team(f);
  const std::string zip = testing::zip_shaped_file(300 * 1024, 1);
  auto uploaded = team.upload(team.web, team.form("1.0.0", zip));
  REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
  auto version = uploaded.json();
  CHECK(version["status"] == "uploaded");
  CHECK(version["version_number"] == "1.0.0");
  CHECK(version["file_size"] == zip.size());
  CHECK(version["file_sha256"] == to_hex(sha256(zip)));
  CHECK(version["technologies_used"] == nlohmann::json::array({"React", "Tailwind"}));
  CHECK(version["project_title"] == "Shop");
  CHECK(version["agent_id"] == team.web_id);
  CHECK(f.blobs->blob_count() == 1);
  CHECK(f.blobs->staging_files() == 0);
  const std::string path = "/api/website-versions/" + version["id"].get<std::string>() + "/";

  for (const auto* token : {&team.alice, &team.web, &team.admin}) {
    auto file = f.get(*token, path + "file/");
    REQUIRE(file.status == 200);
    CHECK(file.body == zip);
    CHECK(file.header("Content-Type") == "application/zip");
    CHECK(file.header("Content-Disposition") == "attachment; filename=\"site.zip\"");
    CHECK(file.header("X-Content-SHA256") == to_hex(sha256(zip)));
  }

  // Each action by the roles that may not take it, then by the one that may.
  CHECK(f.post(team.alice, path + "start_testing/", "").status == 403);
  CHECK(f.post(team.admin, path + "start_testing/", "").status == 403);
  CHECK(f.post(team.web, path + "approve/", "").status == 403);
  CHECK(f.post(team.web, path + "deploy/", R"({"deployment_url":"https://shop.example.com"})")
            .json()["code"] == "invalid_transition");
  CHECK(f.post(team.web, path + "start_testing/", R"({"preview_url":"javascript:x"})").status ==
        400);
  auto testing_started =
      f.post(team.web, path + "start_testing/", R"({"preview_url":"https://preview.example.com"})");
  REQUIRE_MESSAGE(testing_started.status == 200, testing_started.body);
  CHECK(testing_started.json()["preview_url"] == "https://preview.example.com");
  CHECK(f.post(team.web, path + "start_testing/", "").json()["code"] == "invalid_transition");
  CHECK(f.post(team.alice, path + "deploy/", R"({"deployment_url":"https://shop.example.com"})")
            .status == 403);
  auto approved = f.post(team.alice, path + "approve/", "");
  REQUIRE_MESSAGE(approved.status == 200, approved.body);
  CHECK(approved.json()["approved_by"] == team.alice_id);
  CHECK(f.post(team.admin, path + "approve/", "").json()["code"] == "invalid_transition");
  CHECK(f.post(team.web, path + "deploy/", "{}").status == 400);
  CHECK(f.post(team.web, path + "deploy/", R"({"deployment_url":"https://x.com","status":"x"})")
            .status == 400);
  auto deployed =
      f.post(team.web, path + "deploy/", R"({"deployment_url":"https://shop.example.com"})");
  REQUIRE_MESSAGE(deployed.status == 200, deployed.body);
  CHECK(deployed.json()["status"] == "deployed");
  CHECK(deployed.json()["deployment_url"] == "https://shop.example.com");
  // The read models follow: the agent's deployed versions, the client's notifications.
  const std::string position = deployed.header("X-Ledger-Position");
  auto performance = f.call(team.admin, verb::get, "/api/admin/agents/performance/", "",
                            {{"X-Min-Position", position}});
  REQUIRE(performance.status == 200);
  const nlohmann::json agents = performance.json()["agents"];
  for (const auto& agent : agents) {
    CHECK(agent["deployed_versions"] == (agent["agent_id"] == team.web_id ? 1 : 0));
  }
  for (const char* type : {"website_version_uploaded", "website_version_testing",
                           "website_version_deployed"}) {
    CAPTURE(type);
    auto feed = f.call(team.alice, verb::get, std::string("/api/notifications/?type=") + type, "",
                       {{"X-Min-Position", position}});
    CHECK(feed.json()["count"] == 1);
  }
  auto agent_feed = f.call(team.web, verb::get, "/api/notifications/?type=website_version_approved",
                           "", {{"X-Min-Position", position}});
  CHECK(agent_feed.json()["count"] == 1);

  for (const auto* token : {&team.alice, &team.web, &team.admin}) {
    CHECK(f.post(*token, path + "add_feedback/", R"({"message":"looks good"})").status == 200);
  }
  CHECK(f.post(team.alice, path + "add_feedback/", R"({"message":""})").status == 400);
  auto read = f.get(team.alice, path).json();
  CHECK(read["feedback"].size() == 3);
  CHECK(read["status"] == "deployed");

  CHECK(f.get(team.web, "/api/website-versions/my_uploads/").json()["count"] == 1);
  CHECK(f.get(team.web2, "/api/website-versions/my_uploads/").json()["count"] == 0);
  CHECK(f.get(team.alice, "/api/website-versions/my_uploads/").status == 403);
  CHECK(f.get(team.alice, "/api/website-versions/?project_id=" + team.project_id)
            .json()["count"] == 1);
  CHECK(f.get(team.admin, "/api/website-versions/?status=deployed").json()["count"] == 1);
  CHECK(f.get(team.admin, "/api/website-versions/?status=testing").json()["count"] == 0);
}

TEST_CASE("scope: other clients and agents get 404 on every version endpoint; roles get 403") {
  ApiFixture f;
  WebsiteTeam team(f);
  auto uploaded = team.upload(team.web, team.form("1.0", testing::zip_shaped_file(4096, 2)));
  REQUIRE(uploaded.status == 201);
  const std::string path = "/api/website-versions/" + uploaded.json()["id"].get<std::string>() + "/";
  for (const auto* token : {&team.bob, &team.web2, &team.mkt}) {
    CHECK(f.get(*token, path).status == 404);
    CHECK(f.get(*token, path + "file/").status == 404);
    CHECK(f.get(*token, "/api/website-versions/").json()["count"] == 0);
    CHECK(f.get(*token, "/api/website-versions/?project_id=" + team.project_id).status == 404);
    CHECK(f.post(*token, path + "add_feedback/", R"({"message":"hi"})").status == 404);
  }
  CHECK(f.post(team.web2, path + "start_testing/", "").status == 404);
  CHECK(f.post(team.mkt, path + "start_testing/", "").status == 404);
  CHECK(f.post(team.bob, path + "approve/", "").status == 404);
  // Uploads: an agent outside the client's scope gets 404 (before the file is read), a client
  // 403, no token 401.
  const std::string other = team.form("2.0", testing::zip_shaped_file(4096, 3));
  CHECK(team.upload(team.web2, other).status == 404);
  CHECK(team.upload(team.mkt, other).status == 404);
  CHECK(team.upload(team.alice, other).status == 403);
  CHECK(team.upload(team.admin, other).status == 403);
  CHECK(team.upload("", other).status == 401);
  CHECK(f.blobs->blob_count() == 1);
  CHECK(f.blobs->staging_files() == 0);
}

TEST_CASE("refused uploads answer clearly and leave no blob behind") {
  ApiFixture f;
  WebsiteTeam team(f);
  const std::string zip = testing::zip_shaped_file(64 * 1024, 4);
  REQUIRE(team.upload(team.web, team.form("1.0", zip)).status == 201);
  REQUIRE(f.blobs->blob_count() == 1);
  const auto head = f.log->head().position;

  struct Case {
    const char* what;
    std::string body;
    std::string content_type;
    unsigned status;
    const char* field;
  };
  const std::string form = team.form("2.0", testing::zip_shaped_file(64 * 1024, 5));
  const std::vector<Case> cases = {
      {"truncated body", form.substr(0, form.size() / 2), testing::multipart_content_type(), 400,
       ""},
      {"no closing boundary", form.substr(0, form.size() - 30), testing::multipart_content_type(),
       400, ""},
      {"not a zip", team.form("2.0", std::string(70 * 1024, 'x')),
       testing::multipart_content_type(), 400, "file"},
      {"oversize", team.form("2.0", testing::zip_shaped_file((1 << 20) + 1, 6)),
       testing::multipart_content_type(), 413, "file"},
      {"version number taken", team.form("1.0", testing::zip_shaped_file(64 * 1024, 7)),
       testing::multipart_content_type(), 422, "version_number"},
      {"no file",
       multipart_body({{"project_id", team.project_id}, {"version_number", "2.0"}}, "", ""),
       testing::multipart_content_type(), 400, "file"},
      {"unknown field",
       multipart_body({{"project_id", team.project_id}, {"status", "deployed"}}, "a.zip", zip),
       testing::multipart_content_type(), 400, "status"},
      {"bad version number", team.form("2 0", zip), testing::multipart_content_type(), 400,
       "version_number"},
      {"unknown project",
       multipart_body({{"project_id", "nope"}, {"version_number", "2.0"}}, "a.zip", zip),
       testing::multipart_content_type(), 404, "project_id"},
      {"JSON instead of a form", R"({"project_id":"x"})", "application/json", 400,
       "Content-Type"},
      {"no boundary", form, "multipart/form-data", 400, "Content-Type"},
  };
  for (const auto& test : cases) {
    CAPTURE(std::string(test.what));
    auto answer = team.upload(team.web, test.body, test.content_type);
    CHECK(answer.status == test.status);
    if (answer.header("Content-Type") == "application/problem+json" && test.field[0] != '\0') {
      CHECK_MESSAGE(answer.json()["errors"].contains(test.field), answer.body);
    }
    CHECK(f.blobs->blob_count() == 1);
    CHECK(f.blobs->staging_files() == 0);
  }
  CHECK(f.log->head().position == head);
  // The same bytes under another version number share the blob.
  REQUIRE(team.upload(team.web, team.form("1.1", zip)).status == 201);
  CHECK(f.blobs->blob_count() == 1);
}

}  // namespace
}  // namespace ledger
