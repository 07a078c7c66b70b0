// Website versions over HTTP: the website agent uploads a zip as multipart/form-data, streamed
// into the blob store; the file comes back byte for byte; the workflow per role; scope hides
// everything from other clients and agents (404); refused uploads leave no blob behind.
#include <doctest/doctest.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/api_fixture.h"
#include "tests/support/multipart_body.h"
#include "tests/support/zip_file.h"

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
    auto project =
        f.post(alice, "/api/website-projects/",
               R"({"name":"Shop","answers":{"business_name":"Alice's","goals":"Sell"}})");
    REQUIRE(project.status == 201);
    project_id = project.json()["id"].get<std::string>();
  }

  testing::HttpAnswer upload(const std::string& token, const std::string& body,
                             std::string content_type = testing::multipart_content_type()) {
    return f.call(token, verb::post, "/api/website-versions/", body,
                  {{"Content-Type", content_type}});
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

TEST_CASE(
    "a version from upload to deployment: the file back byte for byte, each step by its "
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
  for (const char* type :
       {"website_version_uploaded", "website_version_testing", "website_version_deployed"}) {
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
  CHECK(f.get(team.alice, "/api/website-versions/?project_id=" + team.project_id).json()["count"] ==
        1);
  CHECK(f.get(team.admin, "/api/website-versions/?status=deployed").json()["count"] == 1);
  CHECK(f.get(team.admin, "/api/website-versions/?status=testing").json()["count"] == 0);
}

TEST_CASE("scope: other clients and agents get 404 on every version endpoint, roles get 403") {
  ApiFixture f;
  WebsiteTeam team(f);
  auto uploaded = team.upload(team.web, team.form("1.0", testing::zip_shaped_file(4096, 2)));
  REQUIRE(uploaded.status == 201);
  const std::string path =
      "/api/website-versions/" + uploaded.json()["id"].get<std::string>() + "/";
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

TEST_CASE("a version's description changes, and the version is withdrawn, until it is deployed") {
  ApiFixture f;
  WebsiteTeam team(f);
  auto uploaded = team.upload(team.web, team.form("1.0", testing::zip_shaped_file(4096, 2)));
  REQUIRE(uploaded.status == 201);
  const std::string path =
      "/api/website-versions/" + uploaded.json()["id"].get<std::string>() + "/";
  auto changed = f.call(team.web, verb::patch, path,
                        R"({"notes":"second cut","technologies_used":["Astro","HTMX"]})");
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  CHECK(changed.json()["notes"] == "second cut");
  CHECK(changed.json()["changelog"] == "- home page");
  CHECK(changed.json()["technologies_used"] == nlohmann::json::array({"Astro", "HTMX"}));
  CHECK(f.call(team.alice, verb::patch, path, R"({"notes":"x"})").status == 403);
  CHECK(f.call(team.web2, verb::patch, path, R"({"notes":"x"})").status == 404);
  CHECK(f.call(team.web, verb::patch, path, R"({"version_number":"9"})").status == 400);
  CHECK(f.call(team.web, verb::patch, path, R"({"file_sha256":"00"})").status == 400);
  CHECK(f.call(team.alice, verb::delete_, path, "").status == 403);
  CHECK(f.call(team.web2, verb::delete_, path, "").status == 404);

  auto withdrawn = f.call(team.web, verb::delete_, path, "");
  REQUIRE_MESSAGE(withdrawn.status == 200, withdrawn.body);
  CHECK(f.get(team.alice, path).status == 404);
  CHECK(f.get(team.alice, path + "file/").status == 404);
  CHECK(f.get(team.alice, "/api/website-versions/").json()["count"] == 0);
  CHECK(f.get(team.web, "/api/website-versions/my_uploads/").json()["count"] == 0);
  CHECK(f.call(team.web, verb::delete_, path, "").status == 404);

  // The number is free again; a deployed version stays as it went live.
  auto again = team.upload(team.web, team.form("1.0", testing::zip_shaped_file(4096, 3)));
  REQUIRE_MESSAGE(again.status == 201, again.body);
  const std::string live = "/api/website-versions/" + again.json()["id"].get<std::string>() + "/";
  REQUIRE(f.post(team.web, live + "start_testing/", "").status == 200);
  REQUIRE(f.post(team.alice, live + "approve/", "").status == 200);
  REQUIRE(f.post(team.web, live + "deploy/", R"({"deployment_url":"https://shop.example.com"})")
              .status == 200);
  auto late = f.call(team.web, verb::patch, live, R"({"notes":"after the fact"})");
  CHECK(late.status == 422);
  CHECK(late.json()["code"] == "invalid_transition");
  CHECK(f.call(team.admin, verb::delete_, live, "").status == 422);
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
       testing::multipart_content_type(), 404, ""},  // like a project out of scope: no field
      {"JSON instead of a form", R"({"project_id":"x"})", "application/json", 400, "Content-Type"},
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

// One multipart part, for bodies the helpers above do not build (a file first, a field last).
std::string multipart_part(const std::string& name, const std::string& value,
                           const std::string& file_name = "") {
  std::string part = std::string("--") + testing::kMultipartBoundary +
                     "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
  if (!file_name.empty()) part += "; filename=\"" + file_name + "\"";
  return part + "\r\n\r\n" + value + "\r\n";
}

std::string multipart_close() { return std::string("--") + testing::kMultipartBoundary + "--\r\n"; }

// Checks after a refused upload: the answer names `field`, nothing was stored or left staged,
// and the server still answers.
void check_refused_cleanly(ApiFixture& f, const testing::HttpAnswer& answer, unsigned status,
                           const std::string& field, std::size_t blobs, std::uint64_t head) {
  CHECK(answer.status == status);
  REQUIRE(answer.header("Content-Type") == "application/problem+json");
  CHECK_MESSAGE(answer.json()["errors"].contains(field), answer.body);
  CHECK(f.blobs->blob_count() == blobs);
  CHECK(f.blobs->staging_files() == 0);
  CHECK(f.log->head().position == head);
  CHECK(f.get("", "/healthz").status == 200);
}

TEST_CASE(
    "text that is not UTF-8 or holds control characters, in any field or the file name, is "
    "refused naming it, nothing is stored and the server goes on") {
  ApiFixture f;
  WebsiteTeam team(f);
  const std::string zip = testing::zip_shaped_file(8 * 1024, 11);
  const auto head = f.log->head().position;
  struct Case {
    const char* what;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string file_name;
    const char* field;
  };
  auto fields = [&](const std::string& name, const std::string& value) {
    std::vector<std::pair<std::string, std::string>> all = {{"project_id", team.project_id},
                                                            {"version_number", "3.0"}};
    if (name == "project_id" || name == "version_number") {
      for (auto& field : all) {
        if (field.first == name) field.second = value;
      }
    } else {
      all.emplace_back(name, value);
    }
    return all;
  };
  const std::vector<Case> cases = {
      {"0xFF in notes", fields("notes", "first \xff cut"), "site.zip", "notes"},
      {"Latin-1 in changelog", fields("changelog", "caf\xe9"), "site.zip", "changelog"},
      {"overlong slash in technologies_used", fields("technologies_used", "React,\xc0\xaf"),
       "site.zip", "technologies_used"},
      {"surrogate in a JSON array of technologies_used",
       fields("technologies_used", "[\"\xed\xa0\x80\"]"), "site.zip", "technologies_used"},
      {"truncated sequence in project_id", fields("project_id", "p\xe2\x82"), "site.zip",
       "project_id"},
      {"0xFF in version_number", fields("version_number", "1.\xff"), "site.zip", "version_number"},
      {"Latin-1 file name", fields("notes", "ok"), "caf\xe9.zip", "file"},
      {"control character in technologies_used", fields("technologies_used", "React\x07"),
       "site.zip", "technologies_used"},
      {"escaped NUL in a JSON array of technologies_used",
       fields("technologies_used", R"(["Re\u0000act"])"), "site.zip", "technologies_used"},
      {"bidi override in technologies_used",
       fields("technologies_used",
              "Re\xe2\x80\xae"
              "act"),
       "site.zip", "technologies_used"},
      {"escape character in notes", fields("notes", "a\x1b[31mred"), "site.zip", "notes"},
      {"bidi override in the file name", fields("notes", "ok"), "evil\xe2\x80\xaepiz.exe", "file"},
      {"tab in the file name", fields("notes", "ok"), "site\t.zip", "file"},
  };
  for (const auto& test : cases) {
    CAPTURE(std::string(test.what));
    check_refused_cleanly(f,
                          team.upload(team.web, multipart_body(test.fields, test.file_name, zip)),
                          400, test.field, 0, head);
  }
  // A field after the file is checked as well, before the file is kept.
  const std::string notes_last =
      multipart_part("project_id", team.project_id) + multipart_part("version_number", "3.0") +
      multipart_part("file", zip, "site.zip") + multipart_part("notes", "\xff") + multipart_close();
  check_refused_cleanly(f, team.upload(team.web, notes_last), 400, "notes", 0, head);
  // Line breaks and tabs are text in notes and changelog; UTF-8 names are fine.
  auto accepted =
      team.upload(team.web, multipart_body({{"project_id", team.project_id},
                                            {"version_number", "3.0"},
                                            {"notes", "line one\r\nline two\tend"},
                                            {"changelog", "- caf\xc3\xa9\n- \xe2\x82\xac"},
                                            {"technologies_used", "React, Vue"}},
                                           "caf\xc3\xa9.zip", zip));
  REQUIRE_MESSAGE(accepted.status == 201, accepted.body);
  CHECK(accepted.json()["file_name"] == "caf\xc3\xa9.zip");
  CHECK(accepted.json()["notes"] == "line one\r\nline two\tend");
}

// Sends `bytes` (a request head and the start of its body, the rest never sent) and reads the
// answer that comes meanwhile, then whether the server closed the connection: each within
// `wait`.
struct EarlyAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  testing::AnswerHeaders headers;
  bool closed = false;
};

EarlyAnswer answer_to_partial_request(unsigned short port, const std::string& bytes,
                                      std::chrono::seconds wait) {
  namespace beast = boost::beast;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), port));
  EarlyAnswer early;
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> response;
  std::array<char, 256> rest{};
  stream.expires_after(wait);
  boost::asio::async_write(stream, boost::asio::buffer(bytes), [&](beast::error_code, std::size_t) {
    stream.expires_after(wait);
    beast::http::async_read(stream, buffer, response, [&](beast::error_code error, std::size_t) {
      if (error) return;
      early.status = response.result_int();
      early.content_type = std::string(response[beast::http::field::content_type]);
      early.body = response.body();
      for (const auto& field : response) {
        early.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      stream.expires_after(wait);
      stream.async_read_some(boost::asio::buffer(rest), [&](beast::error_code closed, std::size_t) {
        early.closed =
            closed == boost::asio::error::eof || closed == boost::asio::error::connection_reset;
      });
    });
  });
  io.run();
  return early;
}

TEST_CASE(
    "a file part sent before project_id and version_number is refused at once: the answer "
    "comes before the rest of the body is sent, and the connection is closed") {
  ApiFixture f;
  WebsiteTeam team(f);
  const std::string zip = testing::zip_shaped_file(900 * 1024, 12);
  for (const auto* token : {&team.web2, &team.web}) {
    CAPTURE(*token == team.web ? "assigned agent" : "unassigned agent");
    const std::string body = multipart_part("file", zip, "site.zip") +
                             multipart_part("project_id", team.project_id) +
                             multipart_part("version_number", "4.0") + multipart_close();
    const std::string head =
        "POST /api/website-versions/ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
        *token + "\r\nContent-Type: " + testing::multipart_content_type() +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    // The head and a tenth of the body: the rest never comes.
    const auto early = answer_to_partial_request(
        f.server->port(), head + body.substr(0, body.size() / 10), std::chrono::seconds(5));
    CHECK(early.status == 400);
    REQUIRE_MESSAGE(!early.body.empty(), "no answer before the body was whole");
    testing::check_documented_answer("POST", "/api/website-versions/", early.status,
                                     early.content_type, early.body, early.headers);
    const auto problem = nlohmann::json::parse(early.body);
    CHECK(problem["errors"].contains("file"));
    CHECK(problem["detail"].get<std::string>().find("before the file") != std::string::npos);
    CHECK(early.closed);
    CHECK(f.blobs->blob_count() == 0);
    CHECK(f.blobs->staging_files() == 0);
  }
}

// A zip upload of version `number` carrying `archive`.
testing::HttpAnswer upload_zip(WebsiteTeam& team, const std::string& number,
                               const std::string& archive) {
  return team.upload(team.web, team.form(number, archive));
}

TEST_CASE(
    "zips that would extract outside their directory, lie about their sizes, are encrypted "
    "or unpack past the limit are refused, ordinary zips are stored") {
  ApiFixture f;
  WebsiteTeam team(f);
  f.api.options.upload_zip_limits.uncompressed_bytes_max = 256 * 1024;
  f.api.options.upload_zip_limits.entries_max = 50;
  const auto head = f.log->head().position;
  using Entry = testing::ZipFileEntry;
  const std::string page = "<html>hello</html>";
  const std::string kib100(100 * 1024, 'a');
  struct Case {
    const char* what;
    std::string archive;
    const char* detail;
  };
  std::vector<Entry> many(51, Entry{"a.html", page});
  for (std::size_t index = 0; index < many.size(); ++index) {
    many[index].name = std::to_string(index) + ".html";
  }
  const std::vector<Case> cases = {
      {"parent segment", testing::zip_file({{"index.html", page}, {"../../etc/cron.d/x", page}}),
       "\"..\" segment"},
      {"parent segment inside", testing::zip_file({{"assets/../../x.html", page}}),
       "\"..\" segment"},
      {"absolute path", testing::zip_file({{"/var/www/index.html", page}}), "absolute path"},
      {"drive letter", testing::zip_file({{"C:/Windows/x.html", page}}), "absolute path"},
      {"backslash traversal", testing::zip_file({{"..\\..\\x.html", page}}), "backslash"},
      {"control character in a name",
       testing::zip_file({{"a\x01"
                           "b.html",
                           page}}),
       "control character"},
      {"empty name", testing::zip_file({{"", page}}), "empty name"},
      {"name over the limit", testing::zip_file({{std::string(1025, 'n'), page}}), "over 1024"},
      {"too many entries", testing::zip_file(many), "entries, over the limit of 50"},
      {"total unpacked size over the limit",
       testing::zip_file({{"a.bin", kib100}, {"b.bin", kib100}, {"c.bin", kib100}}),
       "declares more than 262144 bytes unpacked"},
      {"declared size that cannot be (a zip bomb's directory)",
       testing::zip_file({{"bomb.bin", page, 0xfffffff0u}}), "declares sizes that cannot be"},
      {"deflate beyond its largest ratio",
       testing::zip_file({{"bomb.bin", std::string("\x03\x00", 2), 200'000, 8}}),
       "declares sizes that cannot be"},
      {"encrypted entry", testing::zip_file({{"secret.html", page, {}, 0, true}}), "encrypted"},
      {"symbolic link", testing::zip_file({{"link", "/etc/passwd", {}, 0, false, true}}),
       "symbolic link"},
      {"unsupported compression", testing::zip_file({{"a.bz2", page, {}, 12}}), "method 12"},
      {"shaped like a zip, no directory",
       std::string("PK\x03\x04", 4) + std::string(4096, 'x') + std::string("PK\x05\x06", 4) +
           std::string(4, '\0') + std::string("\x01\x00\x01\x00\x2e\x00\x00\x00", 8) +
           std::string(6, '\0'),
       "not a zip archive"},
  };
  for (const auto& test : cases) {
    CAPTURE(std::string(test.what));
    const auto answer = upload_zip(team, "5.0", test.archive);
    check_refused_cleanly(f, answer, 400, "file", 0, head);
    CHECK_MESSAGE(answer.json()["detail"].get<std::string>().find(test.detail) != std::string::npos,
                  answer.body);
  }
  // An ordinary site, an empty zip and a zip with a comment are stored.
  const std::string site = testing::zip_file({{"index.html", page},
                                              {"assets/", ""},
                                              {"assets/app.js", "console.log(1)"},
                                              {"caf\xc3\xa9/..menu.html", page},
                                              {"a.bin", kib100},
                                              {"b.bin", kib100}});
  const std::string empty = testing::zip_file({});
  const std::string commented = testing::zip_file({{"index.html", page}}, "built by CI");
  for (const auto& number_and_archive :
       {std::pair{"6.0", &site}, std::pair{"6.1", &empty}, std::pair{"6.2", &commented}}) {
    const auto& number = number_and_archive.first;
    const auto& archive = number_and_archive.second;
    CAPTURE(number);
    auto stored = upload_zip(team, number, *archive);
    CHECK_MESSAGE(stored.status == 201, stored.body);
  }
  CHECK(f.blobs->blob_count() == 3);
}

}  // namespace
}  // namespace ledger
