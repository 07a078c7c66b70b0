// The hostile-client suite: ledgerd as a real process, attacked the ways a client without good
// intentions would try (docs/SECURITY.md lists each defence; the X-Min-Position stall has its own
// process test, tests/server/ledgerd_min_position_test.cpp). A crash shows as a dead process, a
// stall as a health check that waits, an injection as markup in an email file, an oracle as two
// different answers. Every case ends by checking that the process is still alive and answers.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/multipart_body.h"
#include "tests/support/payment_load.h"
#include "tests/support/temp_directory.h"
#include "tests/support/zip_file.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::LedgerdProcess;

// A fresh ledgerd with an admin token, emails written as .eml files quickly.
struct HostileTarget {
  testing::TempDirectory dir;
  LedgerdProcess ledgerd{dir.string(), {"--email-interval-ms", "50", "--password-cost", "10"}};
  unsigned short port = 0;
  std::string admin;

  HostileTarget() {
    port = static_cast<unsigned short>(
        std::stoi(ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))));
    HttpClient client = connect();
    admin = testing::login(client, "admin@localhost", LedgerdProcess::admin_password(dir.string()));
  }

  HttpClient connect() const { return HttpClient("127.0.0.1", port); }

  // Creates a verified user as the admin; answers its id.
  std::string create_user(HttpClient& client, const std::string& email, const std::string& role,
                          const std::string& department = "") {
    nlohmann::json body{
        {"email", email}, {"password", "password-" + email}, {"name", email}, {"role", role}};
    if (!department.empty()) body["department"] = department;
    auto created =
        client.request(verb::post, "/api/users/", body.dump(), {{"Authorization", admin}});
    REQUIRE_MESSAGE(created.status == 201, created.body);
    return created.json()["id"].get<std::string>();
  }

  std::string login_as(HttpClient& client, const std::string& email) {
    return testing::login(client, email, "password-" + email);
  }

  void assign(HttpClient& client, const std::string& client_id, const std::string& agent_id,
              const std::string& service) {
    auto assigned =
        client.request(verb::post, "/api/clients/" + client_id + "/assign_agent/",
                       nlohmann::json{{"service", service}, {"agent_id", agent_id}}.dump(),
                       {{"Authorization", admin}});
    REQUIRE_MESSAGE(assigned.status == 200, assigned.body);
  }

  // The process has not exited, and a new connection gets a healthy answer.
  void require_alive() {
    int status = 0;
    REQUIRE_MESSAGE(::waitpid(ledgerd.pid(), &status, WNOHANG) == 0, "ledgerd exited");
    HttpClient probe = connect();
    REQUIRE(probe.get("/healthz").status == 200);
  }

  std::size_t blob_count() const {
    const auto root = dir.path() / "blobs" / "sha256";
    if (!std::filesystem::exists(root)) return 0;
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) ++count;
    }
    return count;
  }
};

// Sends raw bytes on a new connection and answers the status line's code (0: no answer).
unsigned raw_status(unsigned short port, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  boost::beast::flat_buffer buffer;
  boost::beast::http::response<boost::beast::http::string_body> response;
  boost::beast::error_code error;
  boost::beast::http::read(socket, buffer, response, error);
  return error ? 0 : response.result_int();
}

std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& token, const std::string& content_type,
                        const std::string& body, const std::string& extra_headers = "") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: " + token + "\r\n";
  if (!content_type.empty()) request += "Content-Type: " + content_type + "\r\n";
  request += extra_headers;
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return request;
}

TEST_CASE(
    "hostile bytes in a path, a query, a header or a JSON body end in a 4xx answer, and "
    "ledgerd stays up") {
  HostileTarget target;
  HttpClient client = target.connect();
  const std::string client_id = target.create_user(client, "alice@x.com", "client");
  const std::string alice = target.login_as(client, "alice@x.com");
  const std::string json = "application/json";
  struct Attempt {
    const char* what;
    std::string request;
  };
  const std::vector<Attempt> attempts = {
      {"invalid UTF-8 in a path segment",
       raw_request("GET", "/api/campaigns/\xff\xfe/", target.admin, "", "")},
      {"percent-encoded invalid UTF-8 in a path segment",
       raw_request("GET", "/api/campaigns/%FF%C0/", target.admin, "", "")},
      {"invalid UTF-8 in a query parameter",
       raw_request("GET", "/api/campaigns/?status=%FF", target.admin, "", "")},
      {"invalid UTF-8 in a JSON string",
       raw_request("POST", "/api/wallet/topup/", alice, json,
                   "{\"amount\":\"1.00\",\"payment_method\":\"\xff\"}")},
      {"invalid UTF-8 in an idempotency key",
       raw_request("POST", "/api/wallet/topup/", alice, json,
                   R"({"amount":"1.00","payment_method":"card"})",
                   "Idempotency-Key: \xff\xfe\r\n")},
      {"a duplicated key",
       raw_request("POST", "/api/wallet/topup/", alice, json,
                   R"({"amount":"1.00","amount":"999.00","payment_method":"card"})")},
      {"a NUL after the document",
       raw_request("POST", "/api/wallet/topup/", alice, json,
                   std::string(R"({"amount":"1.00","payment_method":"card"})") + '\0')},
      {"JSON sent as text/plain", raw_request("POST", "/api/wallet/topup/", alice, "text/plain",
                                              R"({"amount":"1.00","payment_method":"card"})")},
      {"a name with a NUL",
       raw_request("POST", "/api/auth/register/", "", json,
                   std::string(R"({"email":"n@x.com","password":"long-enough-1","name":"a)") +
                       std::string("\\u0000b\"}"))},
      {"a name with a bidi override",
       raw_request("POST", "/api/auth/register/", "", json,
                   R"({"email":"b@x.com","password":"long-enough-1","name":"evil\u202Etxt.exe"})")},
      {"a name of spaces only",
       raw_request("POST", "/api/auth/register/", "", json,
                   R"({"email":"s@x.com","password":"long-enough-1","name":"   "})")},
      {"a name with a line break and a MIME delimiter",
       raw_request(
           "POST", "/api/auth/register/", "", json,
           R"({"email":"m@x.com","password":"long-enough-1","name":"x\r\n--ledger-1-welcome\r\nContent-Type: text/html\r\n\r\n<a href=x>y</a>"})")},
  };
  for (const auto& attempt : attempts) {
    CAPTURE(attempt.what);
    const unsigned status = raw_status(target.port, attempt.request);
    CHECK(status >= 400);
    CHECK(status < 500);
    target.require_alive();
  }
  // Nothing was stored by any of them: the wallet has no top-up, no user was registered.
  HttpClient after = target.connect();
  auto users = after.request(verb::get, "/api/users/", "", {{"Authorization", target.admin}});
  REQUIRE(users.status == 200);
  CHECK(users.json()["count"] == 2);  // the admin and alice
  CHECK(client_id.size() > 0);
}

TEST_CASE(
    "an upload with invalid UTF-8 in a field or its file name is refused naming the field, "
    "stores no blob, and ledgerd stays up") {
  HostileTarget target;
  HttpClient client = target.connect();
  const std::string client_id = target.create_user(client, "alice@x.com", "client");
  const std::string alice = target.login_as(client, "alice@x.com");
  const std::string web_id = target.create_user(client, "web@x.com", "agent", "website");
  const std::string web = target.login_as(client, "web@x.com");
  target.assign(client, client_id, web_id, "website");
  auto project = client.request(verb::post, "/api/website-projects/",
                                R"({"name":"Shop","answers":{"business_name":"A","goals":"Sell"}})",
                                {{"Authorization", alice}});
  REQUIRE_MESSAGE(project.status == 201, project.body);
  const std::string project_id = project.json()["id"].get<std::string>();
  const std::string zip = testing::zip_file({{.name = "index.html", .content = "<html></html>"}});
  struct Attempt {
    const char* field;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string file_name;
  };
  const std::vector<Attempt> attempts = {
      {"notes",
       {{"project_id", project_id}, {"version_number", "1.0"}, {"notes", "caf\xe9"}},
       "site.zip"},
      {"technologies_used",
       {{"project_id", project_id}, {"version_number", "1.0"}, {"technologies_used", "[\"\xff\"]"}},
       "site.zip"},
      {"file", {{"project_id", project_id}, {"version_number", "1.0"}}, "caf\xe9.zip"},
  };
  for (const auto& attempt : attempts) {
    CAPTURE(attempt.field);
    HttpClient uploader = target.connect();
    auto answer = uploader.request(
        verb::post, "/api/website-versions/",
        testing::multipart_body(attempt.fields, attempt.file_name, zip),
        {{"Authorization", web}, {"Content-Type", testing::multipart_content_type()}});
    CHECK(answer.status == 400);
    CHECK(answer.body.find(attempt.field) != std::string::npos);
    target.require_alive();
  }
  CHECK(target.blob_count() == 0);
}

// The .eml files ledgerd wrote for `address` (no --smtp-relay: DATA_DIR/outbox/), waiting until
// one appears.
std::vector<std::string> emails_to(const std::filesystem::path& outbox,
                                   const std::string& address) {
  std::vector<std::string> found;
  for (int attempt = 0; attempt < 300 && found.empty(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!std::filesystem::exists(outbox)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(outbox)) {
      if (entry.path().extension() != ".eml") continue;
      std::ifstream file(entry.path(), std::ios::binary);
      std::string message((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      if (message.find("To: " + address) != std::string::npos ||
          message.find("<" + address + ">") != std::string::npos) {
        found.push_back(std::move(message));
      }
    }
  }
  return found;
}

// Quoted-printable soft line breaks joined, so that a value cut at 76 columns reads whole.
std::string without_soft_breaks(std::string message) {
  for (std::size_t at; (at = message.find("=\r\n")) != std::string::npos;) message.erase(at, 3);
  return message;
}

TEST_CASE(
    "a registration name of markup and a forged MIME boundary reaches the verification email "
    "escaped and inside its own part") {
  HostileTarget target;
  HttpClient client = target.connect();
  const std::string head = client.get("/api/ledger/head/").json()["position"].dump();
  // Markup, and the delimiter the old position-based boundary would have had, on one line (a
  // line break is refused at the door, see the case above).
  const std::string name =
      "<script>alert(1)</script><a href=\"https://evil.example\">Verify</a> "
      "--ledger-" +
      head + "-welcome--";
  auto registered = client.request(
      verb::post, "/api/auth/register/",
      nlohmann::json{{"email", "victim@x.com"}, {"password", "long enough"}, {"name", name}}
          .dump());
  REQUIRE_MESSAGE(registered.status == 201, registered.body);
  const auto emails = emails_to(target.dir.path() / "outbox", "victim@x.com");
  REQUIRE(!emails.empty());  // the verification email (a welcome may come with it)
  bool escaped_seen = false;
  for (const auto& email : emails) {
    const std::string message = without_soft_breaks(email);
    // The text part shows the name as typed (plain text is never rendered); the HTML part must
    // carry it escaped.
    const auto html_at = message.find("Content-Type: text/html");
    REQUIRE(html_at != std::string::npos);
    const std::string html = message.substr(html_at);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("<a href=\"https://evil.example\">") == std::string::npos);
    escaped_seen = escaped_seen || html.find("&lt;script&gt;") != std::string::npos;
    // The boundary is random, not the forged one, and the message has exactly its two parts.
    std::smatch boundary;
    REQUIRE(std::regex_search(message, boundary, std::regex("boundary=\"([^\"]+)\"")));
    CHECK(boundary[1].str().find("ledger-" + head + "-welcome") == std::string::npos);
    std::size_t delimiters = 0;
    const std::string delimiter = "\r\n--" + boundary[1].str();
    for (std::size_t at = 0; (at = message.find(delimiter, at)) != std::string::npos; ++at) {
      ++delimiters;
    }
    CHECK(delimiters == 3);  // text part, HTML part, closing delimiter
  }
  CHECK(escaped_seen);
  target.require_alive();
}

TEST_CASE(
    "an agent gets the same 404 for a client, project or support ticket that does not exist and "
    "for one not assigned to it, on every route that takes one") {
  HostileTarget target;
  HttpClient client = target.connect();
  const std::string bob_id = target.create_user(client, "bob@x.com", "client");
  target.create_user(client, "mkt@x.com", "agent", "marketing");
  const std::string mkt = target.login_as(client, "mkt@x.com");
  const std::string unknown_id = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"/api/campaigns/", R"({"client_id":"ID","name":"C","platform":"instagram","budget":"10.00",)"
                          R"("target_reach":1000,"target_engagement":100})"},
      {"/api/content-schedule/",
       R"({"client_id":"ID","platform":"instagram","social_account":"@a","caption":"x",)"
       R"("scheduled_at":"2030-01-01T00:00:00Z","hashtags":["#a"],)"
       R"("media_urls":["https://cdn.example.com/a.jpg"]})"},
      {"/api/tasks/", R"({"client":"ID","title":"Send the logo","priority":"low"})"},
      {"/api/messages/", R"({"recipient":"ID","content":"Hello"})"},
  };
  for (const auto& path_and_body_template : routes) {
    const auto& path = path_and_body_template.first;
    const auto& body_template = path_and_body_template.second;
    CAPTURE(path);
    const auto body_for = [&](const std::string& id) {
      return std::regex_replace(body_template, std::regex("ID"), id);
    };
    auto unassigned = client.request(verb::post, path, body_for(bob_id), {{"Authorization", mkt}});
    auto missing = client.request(verb::post, path, body_for(unknown_id), {{"Authorization", mkt}});
    CHECK(unassigned.status == 404);
    CHECK(missing.status == unassigned.status);
    CHECK(missing.body == unassigned.body);
  }
  // The same for an upload naming a website project: bob's, not served by this agent, and one
  // that does not exist.
  const std::string bob = target.login_as(client, "bob@x.com");
  target.create_user(client, "web@x.com", "agent", "website");
  const std::string web = target.login_as(client, "web@x.com");
  auto project = client.request(verb::post, "/api/website-projects/",
                                R"({"name":"Shop","answers":{"business_name":"B","goals":"Sell"}})",
                                {{"Authorization", bob}});
  REQUIRE_MESSAGE(project.status == 201, project.body);
  const auto upload_for = [&](const std::string& project_id) {
    HttpClient uploader = target.connect();
    return uploader.request(
        verb::post, "/api/website-versions/",
        testing::multipart_body({{"project_id", project_id}, {"version_number", "1.0"}}, "site.zip",
                                testing::zip_file({{.name = "a.html", .content = "a"}})),
        {{"Authorization", web}, {"Content-Type", testing::multipart_content_type()}});
  };
  auto unassigned = upload_for(project.json()["id"].get<std::string>());
  auto missing = upload_for(unknown_id);
  CHECK(unassigned.status == 404);
  CHECK(missing.status == unassigned.status);
  CHECK(missing.body == unassigned.body);

  // And for bob's support ticket, on every route that names one.
  auto ticket =
      client.request(verb::post, "/api/support-tickets/",
                     R"({"subject":"Down","description":"Since noon"})", {{"Authorization", bob}});
  REQUIRE_MESSAGE(ticket.status == 201, ticket.body);
  const std::string ticket_id = ticket.json()["id"];
  for (const auto& [method, suffix, body] :
       {std::tuple{verb::get, "", ""},
        {verb::post, "reply/", R"({"message":"Hello"})"},
        {verb::post, "change_status/", R"({"status":"resolved"})"}}) {
    const std::string route = std::string("/api/support-tickets/{id}/") + suffix;
    CAPTURE(route);
    for (const auto* agent : {&mkt, &web}) {
      auto hidden = client.request(method, "/api/support-tickets/" + ticket_id + "/" + suffix, body,
                                   {{"Authorization", *agent}});
      auto absent = client.request(method, "/api/support-tickets/" + unknown_id + "/" + suffix,
                                   body, {{"Authorization", *agent}});
      CHECK(hidden.status == 404);
      CHECK(absent.status == hidden.status);
      CHECK(absent.body == hidden.body);
    }
  }
  target.require_alive();
}

TEST_CASE(
    "a client gets the same 404 for another client's service settings as for settings that do "
    "not exist, and changes nothing") {
  HostileTarget target;
  HttpClient client = target.connect();
  const std::string alice_id = target.create_user(client, "alice@x.com", "client");
  target.create_user(client, "bob@x.com", "client");
  const std::string bob = target.login_as(client, "bob@x.com");
  const std::string body = R"({"settings":{"weekly_report":false}})";
  const auto update = [&](const std::string& id) {
    return client.request(verb::patch, "/api/service-settings/" + id + "/update_settings/", body,
                          {{"Authorization", bob}});
  };
  auto others = update(alice_id + "-marketing");
  auto missing = update("01JZZZZZZZZZZZZZZZZZZZZZZZ-marketing");
  CHECK(others.status == 404);
  CHECK(missing.status == others.status);
  CHECK(missing.body == others.body);
  const std::string alice = target.login_as(client, "alice@x.com");
  auto hers = client.request(verb::get, "/api/service-settings/", "", {{"Authorization", alice}});
  REQUIRE(hers.status == 200);
  CHECK(hers.json()["results"][0]["settings"]["weekly_report"] == true);
  target.require_alive();
}

}  // namespace
}  // namespace ledger
