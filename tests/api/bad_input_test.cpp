// Bad input, table-driven: each malformed request gets its documented status with a problem+json
// body, and nothing is written (the log head does not move).
#include <doctest/doctest.h>

#include "core/domain/text_limits.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

struct BadRequest {
  const char* what;
  const char* path;
  std::string body;
  unsigned status;
  verb method = verb::post;
};

TEST_CASE("bad input is refused with a problem document and writes nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.fund(admin, alice, "10.00");

  const std::vector<BadRequest> table = {
      {"malformed JSON", "/api/wallet/pay/", R"({"amount":)", 400},
      {"not an object", "/api/wallet/pay/", R"(["amount"])", 400},
      {"wrong type", "/api/wallet/pay/", R"({"amount":"1.00","service":7})", 400},
      {"unknown field", "/api/wallet/pay/", R"({"amount":"1.00","service":"website","x":1})", 400},
      {"huge number", "/api/redeem-codes/",
       R"({"value":"1.00","usage_limit":99999999999999999999999})", 403},
      {"money as a number of three decimals", "/api/wallet/topup/",
       R"({"amount":10.001,"payment_method":"card"})", 400},
      {"money as a number with an exponent", "/api/wallet/topup/",
       R"({"amount":1e1,"payment_method":"card"})", 400},
      {"money as a negative number", "/api/wallet/topup/",
       R"({"amount":-10,"payment_method":"card"})", 400},
      {"one name twice", "/api/wallet/topup/",
       R"({"amount":"10.00","amount":"10.00","payment_method":"card"})", 400},
      {"too many decimals", "/api/wallet/topup/", R"({"amount":"10.001","payment_method":"card"})",
       400},
      {"above the maximum", "/api/wallet/topup/",
       R"({"amount":"1000000000.01","payment_method":"card"})", 400},
      {"bad payment method", "/api/wallet/topup/", R"({"amount":"1.00","payment_method":"gold"})",
       400},
      {"deep nesting", "/api/wallet/pay/", std::string(100, '[') + std::string(100, ']'), 400},
      {"mass assignment", "/api/auth/register/",
       R"({"email":"m@x.com","password":"long enough","name":"M","is_admin":true})", 400},
      {"unknown service", "/api/wallet/pay/", R"({"amount":"1.00","service":"plumbing"})", 400},
      {"short new password", "/api/auth/change-password/",
       R"({"old_password":"password-alice@x.com","new_password":"short"})", 400},
      {"a reset for no email", "/api/auth/password-reset/", R"({"email":"not-an-email"})", 400},
      {"reset token too long", "/api/auth/password-reset/confirm/",
       R"({"email":"alice@x.com","token":")" + std::string(65, 'a') +
           R"(","new_password":"long enough"})",
       400},
      {"blank name", "/api/auth/me/", R"({"name":"  "})", 400, verb::patch},
      {"preference as text", "/api/auth/me/email-preferences/", R"({"payments":"no"})", 400,
       verb::patch},
      {"security emails off", "/api/auth/me/email-preferences/", R"({"security":false})", 400,
       verb::patch},
      {"a client updating users", "/api/users/nobody/", R"({"is_active":false})", 403, verb::patch},
      {"a stream ticket for someone else", "/api/notifications/stream-ticket/",
       R"({"user_id":"someone-else"})", 400},
      {"a stream ticket of a longer life", "/api/notifications/stream-ticket/",
       R"({"expires_at":"2099-01-01T00:00:00Z"})", 400},
  };
  for (const auto& bad : table) {
    CAPTURE(bad.what);
    const auto head = f.log->head().position;
    const std::string token = std::string(bad.path) == "/api/auth/register/" ? "" : alice;
    auto answer = f.call(token, bad.method, bad.path, bad.body);
    CHECK(answer.status == bad.status);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK_FALSE(answer.json()["code"].get<std::string>().empty());
    CHECK(f.log->head().position == head);
  }
  CHECK(f.get(alice, "/api/wallet/").json()["balance"] == "10.00");
}

TEST_CASE("bad task input is refused with a problem document naming the field and writes nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string client = R"("client":")" + alice_id + R"(",)";
  const std::vector<std::pair<std::string, const char*>> table = {
      {"{" + client + R"("title":"Logo","priority":"urgent"})", "priority"},
      {"{" + client + R"("title":"Logo","priority":"low","due_date":"2026-13-01"})", "due_date"},
      {"{" + client + R"("title":"Logo","priority":"low","due_date":"2026-11-01"})", "due_date"},
      {"{" + client + "\"title\":\"Lo\\u0000go\",\"priority\":\"low\"}", "title"},
      {"{" + client + "\"title\":\"\\u202eLogo\",\"priority\":\"low\"}", "title"},
      {"{" + client + R"("title":"Logo","priority":"low","service":"plumbing"})", "service"},
      {"{" + client + R"("title":"Logo","priority":"low","status":"done"})", "status"},
      {"{" + client + R"("title":"Logo","priority":"low","assigned_to":"nobody"})", "assigned_to"},
      {"{" + client + R"("title":")" + std::string(domain::text_limits::kName + 1, 't') +
           R"(","priority":"low"})",
       "title"},
      {R"({"title":"Logo","priority":"low"})", "client"},
  };
  const auto head = f.log->head().position;
  for (const auto& body_and_field : table) {
    const auto& [body, field] = body_and_field;
    CAPTURE(body_and_field.first);
    auto answer = f.post(admin, "/api/tasks/", body);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["errors"].contains(field));
  }
  CHECK(f.log->head().position == head);
}

TEST_CASE(
    "bad message input is refused with a problem document naming the field and writes "
    "nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string to = R"("recipient":")" + alice_id + R"(",)";
  const std::vector<std::pair<std::string, const char*>> table = {
      {"{" + to + R"("content":""})", "content"},
      {"{" + to + "\"content\":\"Hi\\u0000there\"}", "content"},
      {"{" + to + R"("content":")" + std::string(domain::text_limits::kDescription + 1, 'x') +
           R"("})",
       "content"},
      {"{" + to + R"("content":"Hi","service":"plumbing"})", "service"},
      {"{" + to + R"("content":"Hi","sender":"someone"})", "sender"},
      {"{" + to + R"("content":42})", "content"},
      {R"({"content":"Hi"})", "recipient"},
      {R"({"recipient":"","content":"Hi"})", "recipient"},
  };
  const auto head = f.log->head().position;
  for (const auto& body_and_field : table) {
    const std::string& body = body_and_field.first;
    CAPTURE(body);
    auto answer = f.post(admin, "/api/messages/", body);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["errors"].contains(body_and_field.second));
  }
  CHECK(f.get(admin, "/api/messages/?with=" + std::string(300, 'x')).status == 400);
  CHECK(f.log->head().position == head);
}

TEST_CASE(
    "bad support ticket input is refused with a problem document naming the field and writes "
    "nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  auto opened = f.post(alice, "/api/support-tickets/", R"({"subject":"Down","description":"x"})");
  REQUIRE(opened.status == 201);
  const std::string ticket = "/api/support-tickets/" + opened.json()["id"].get<std::string>();
  const std::string subject = R"("subject":"Down",)";
  const std::vector<std::tuple<std::string, std::string, const char*>> table = {
      {"/api/support-tickets/", "{" + subject + R"("description":"x","priority":"urgent"})",
       "priority"},
      {"/api/support-tickets/", "{" + subject + R"("description":"x","service":"plumbing"})",
       "service"},
      {"/api/support-tickets/", "{\"subject\":\"Do\\u0000wn\",\"description\":\"x\"}", "subject"},
      {"/api/support-tickets/", "{\"subject\":\"\\u202eDown\",\"description\":\"x\"}", "subject"},
      {"/api/support-tickets/",
       R"({"subject":")" + std::string(domain::text_limits::kName + 1, 's') +
           R"(","description":"x"})",
       "subject"},
      {"/api/support-tickets/", "{" + subject + R"("description":"x","status":"open"})", "status"},
      {"/api/support-tickets/", R"({"description":"x"})", "subject"},
      {ticket + "/reply/", R"({"message":""})", "message"},
      {ticket + "/reply/",
       R"({"message":")" + std::string(domain::text_limits::kMessage + 1, 'm') + "\"}", "message"},
      {ticket + "/change_status/", R"({"status":"reopened"})", "status"},
      {ticket + "/change_status/", "{}", "status"},
  };
  const auto head = f.log->head().position;
  for (const auto& entry : table) {
    const std::string target = std::get<0>(entry);
    const std::string body = std::get<1>(entry);
    CAPTURE(target);
    CAPTURE(body);
    auto answer = f.post(alice, target, body);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["errors"].contains(std::get<2>(entry)));
  }
  CHECK(f.log->head().position == head);
}

TEST_CASE(
    "bad course and lesson input is refused with a problem document naming the field and writes "
    "nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  auto course = f.post(admin, "/api/courses/", R"({"title":"SEO","is_free":true})");
  REQUIRE(course.status == 201);
  const std::string path = "/api/courses/" + course.json()["id"].get<std::string>() + "/";
  auto lesson = f.post(admin, path + "lessons/",
                       R"({"title":"One","module":"M","order":1,"body":"x","duration_minutes":5})");
  REQUIRE_MESSAGE(lesson.status == 201, lesson.body);
  const std::string lesson_path = path + "lessons/" + lesson.json()["id"].get<std::string>() + "/";
  const std::string valid = R"("title":"Two","module":"M","order":1,"duration_minutes":5,)";
  struct Bad {
    verb method;
    std::string target;
    std::string body;
    const char* field;
  };
  const std::vector<Bad> table = {
      {verb::patch, path, R"({"title":"SEO","is_deleted":true})", "is_deleted"},
      {verb::patch, path, R"({"title":""})", "title"},
      {verb::patch, path, R"({"price":"-1.00"})", "price"},
      {verb::patch, path, R"({"price":"1.001"})", "price"},
      {verb::patch, path, R"({"access_days":36501})", "access_days"},
      {verb::patch, path, R"({"is_free":"no"})", "is_free"},
      {verb::patch, path, R"({"is_free":false})", "price"},  // a paid course needs a price
      {verb::post, path + "lessons/", "{" + valid + R"("body":"x","video_url":"https://v.x/1"})",
       "body"},
      {verb::post, path + "lessons/", "{" + valid + R"("video_url":"ftp://v.x/1"})", "video_url"},
      {verb::post, path + "lessons/", "{" + valid + R"json("video_url":"javascript:alert(1)"})json",
       "video_url"},
      {verb::post, path + "lessons/",
       R"({"title":"Two","module":"M","order":1,"duration_minutes":5})", "body"},
      {verb::post, path + "lessons/",
       R"({"title":"Two","module":"M","order":-1,"duration_minutes":5,"body":"x"})", "order"},
      {verb::post, path + "lessons/",
       R"({"title":"Two","module":"M","order":1,"duration_minutes":1441,"body":"x"})",
       "duration_minutes"},
      {verb::post, path + "lessons/",
       R"({"title":"Two","order":1,"duration_minutes":5,"body":"x"})", "module"},
      {verb::post, path + "lessons/", "{" + valid + R"("body":"x","course_id":"other"})",
       "course_id"},
      {verb::post, path + "lessons/",
       "{" + valid + R"("body":")" + std::string(domain::text_limits::kLessonBody + 1, 'b') +
           R"("})",
       "body"},
      {verb::post, path + "lessons/", "{" + valid + R"("body":"a\u202eb"})", "body"},
      {verb::patch, lesson_path, R"({"body":"y","video_url":"https://v.x/1"})", "body"},
      {verb::patch, lesson_path, R"({"body":""})", "body"},
      {verb::patch, lesson_path, R"({"order":"first"})", "order"},
      {verb::patch, lesson_path, R"({"is_completed":true})", "is_completed"},
  };
  const auto head = f.log->head().position;
  for (const auto& bad : table) {
    CAPTURE(bad.target);
    CAPTURE(bad.body);
    auto answer = f.call(admin, bad.method, bad.target, bad.body);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["errors"].contains(bad.field));
  }
  // A client's completion takes no body fields.
  auto completion = f.post(alice, lesson_path + "complete/", R"({"lesson_id":"x"})");
  CHECK(completion.status == 400);
  CHECK(completion.json()["errors"].contains("lesson_id"));
  CHECK(f.log->head().position == head);
}

TEST_CASE(
    "bad service settings input is refused with a problem document naming the field and writes "
    "nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const std::string marketing = "/api/service-settings/" + alice_id + "-marketing/update_settings/";
  const std::string courses = "/api/service-settings/" + alice_id + "-courses/update_settings/";
  const std::vector<std::tuple<std::string, std::string, const char*>> table = {
      {marketing, R"({"settings":{"preferred_stack":"react"}})", "settings.preferred_stack"},
      {courses, R"({"settings":{"weekly_report":true}})", "settings.weekly_report"},
      {marketing, R"({"settings":{"theme":"dark"}})", "settings.theme"},
      {marketing, R"({"settings":{"weekly_report":"yes"}})", "settings.weekly_report"},
      {marketing, R"({"settings":{"approval_required":1}})", "settings.approval_required"},
      {marketing, R"({"settings":{"posting_timezone":"Mars/Olympus"}})",
       "settings.posting_timezone"},
      {marketing, R"({"settings":{"posting_timezone":"Europe/Paris\u0000"}})",
       "settings.posting_timezone"},
      {marketing, R"({"settings":{"posting_timezone":")" + std::string(100, 'a') + R"("}})",
       "settings.posting_timezone"},
      {courses, R"({"settings":{"learning_reminders":"hourly"}})", "settings.learning_reminders"},
      {courses, R"({"settings":{"learning_reminders":"unspecified"}})",
       "settings.learning_reminders"},
      {marketing, R"({"settings":{"weekly_report":true,"weekly_report":false}})", "weekly_report"},
      {marketing, R"({"settings":["weekly_report"]})", "settings"},
      {marketing, R"({"settings":null})", "settings"},
      {marketing, "{}", "settings"},
      {marketing, R"({"settings":{},"weekly_report":true})", "weekly_report"},
  };
  const auto head = f.log->head().position;
  for (const auto& entry : table) {
    CAPTURE(std::get<0>(entry));
    CAPTURE(std::get<1>(entry));
    auto answer = f.call(alice, verb::patch, std::get<0>(entry), std::get<1>(entry));
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["errors"].contains(std::get<2>(entry)));
  }
  CHECK(f.log->head().position == head);
}

TEST_CASE("oversize bodies are 413 and oversize headers 431, and the server goes on") {
  ApiFixture f;
  const std::string admin = f.admin();
  const auto head = f.log->head().position;
  auto big = f.post(admin, "/api/users/", std::string(2 << 20, ' '));
  CHECK(big.status == 413);
  auto headers =
      f.call(admin, verb::get, "/api/auth/me/", "", {{"X-Filler", std::string(20 * 1024, 'x')}});
  CHECK(headers.status == 431);
  CHECK(f.log->head().position == head);
  CHECK(f.get(admin, "/api/auth/me/").status == 200);
}

TEST_CASE("missing, malformed and unknown bearer tokens are 401 problem documents") {
  ApiFixture f;
  for (const char* authorization : {"", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=",
                                    "Bearer lct_notatoken", "bearer lct_0"}) {
    CAPTURE(authorization);
    std::vector<std::pair<std::string, std::string>> headers;
    if (*authorization != '\0') headers.emplace_back("Authorization", authorization);
    auto answer = f.call("", verb::get, "/api/wallet/", "", headers);
    CHECK(answer.status == 401);
    CHECK(answer.header("Content-Type") == "application/problem+json");
  }
}

TEST_CASE(
    "an id of invalid UTF-8 in the path is a 400 problem document naming it, the server "
    "goes on") {
  // Found by tests/fuzz/http_request_fuzzer: the refusal quoted the id, and rendering it used to
  // throw on the sequencer thread, which ended the process. Now the router refuses it first.
  ApiFixture f;
  const std::string admin = f.admin();
  auto answer = f.post(admin, "/api/clients/\xb5\xff/assign_agent/",
                       R"({"service":"marketing","agent_id":"nobody"})");
  CHECK(answer.status == 400);
  CHECK(answer.header("Content-Type") == "application/problem+json");
  CHECK(answer.json()["errors"].contains("id"));
  CHECK(f.get(admin, "/api/auth/me/").status == 200);
}

TEST_CASE("a duplicated key is 400 and writes nothing: the last value no longer wins") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const auto head = f.log->head().position;
  auto answer = f.post(alice, "/api/wallet/topup/",
                       R"({"amount":"1.00","amount":"999.00","payment_method":"card"})");
  CHECK(answer.status == 400);
  CHECK(answer.json()["errors"].contains("amount"));
  CHECK(f.log->head().position == head);
}

TEST_CASE("a JSON body sent as text or a form is 415, a NUL after the document is 400") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const auto head = f.log->head().position;
  const std::string topup = R"({"amount":"1.00","payment_method":"card"})";
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "text/json"}) {
    CAPTURE(type);
    auto answer = f.post(alice, "/api/wallet/topup/", topup, {{"Content-Type", type}});
    CHECK(answer.status == 415);
    CHECK(answer.header("Content-Type") == "application/problem+json");
    CHECK(answer.json()["code"] == "unsupported_media_type");
    CHECK(answer.json()["errors"].contains("Content-Type"));
  }
  auto trailing = f.post(alice, "/api/wallet/topup/", topup + std::string(1, '\0'));
  CHECK(trailing.status == 400);
  CHECK(f.log->head().position == head);
  auto charset = f.post(alice, "/api/wallet/topup/", topup,
                        {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  CHECK(charset.status == 201);
  // A command without fields still needs no body and no Content-Type: the body is read (an
  // empty object) and the command goes on to find no such course.
  auto finish = f.call(alice, verb::post, "/api/courses/nope/finish/", "");
  CHECK(finish.status != 415);
  CHECK(finish.status != 400);
}

TEST_CASE("names with NUL, a bidirectional override or only spaces are 400 and stored nowhere") {
  ApiFixture f;
  const std::string admin = f.admin();
  const auto head = f.log->head().position;
  for (const std::string& name : {std::string("Eve\\u0000Admin"), std::string("\\u202eevE"),
                                  std::string("   "), std::string("Eve\\u0085")}) {
    CAPTURE(name);
    auto answer = f.post(admin, "/api/users/",
                         R"({"email":"eve@x.com","password":"long enough","name":")" + name +
                             R"(","role":"client"})");
    CHECK(answer.status == 400);
    CHECK(answer.json()["errors"].contains("name"));
  }
  CHECK(f.log->head().position == head);
}

TEST_CASE("a query parameter of invalid UTF-8 is 400 naming it, the server goes on") {
  ApiFixture f;
  const std::string admin = f.admin();
  for (const char* target :
       {"/api/users/?role=%FF", "/api/users/?role=\xff\xfe", "/api/users/?limit=%C3"}) {
    CAPTURE(target);
    auto answer = f.get(admin, target);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
  }
  CHECK(f.get(admin, "/api/users/?role=client").status == 200);
}

TEST_CASE(
    "a kind of text has one limit on every route: a description is as long on a payment "
    "as on a course, and the decider accepts what the API lets through") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.fund(admin, alice, "50.00");
  struct Route {
    const char* what;
    std::string token;
    const char* path;
    nlohmann::json body;  // without its description
  };
  const std::vector<Route> routes = {
      {"payment", alice, "/api/wallet/pay/", {{"amount", "1.00"}, {"service", "website"}}},
      {"course", admin, "/api/courses/", {{"title", "Ads 101"}, {"price", "5.00"}}},
      {"invoice",
       admin,
       "/api/invoices/",
       {{"client_id", alice_id},
        {"amount", "3.00"},
        {"service", "marketing"},
        {"due_date", "2099-01-01"}}},
      {"redeem codes", admin, "/api/redeem-codes/", {{"value", "1.00"}, {"usage_limit", 1}}},
      {"task",
       admin,
       "/api/tasks/",
       {{"client", alice_id}, {"title", "Send the logo"}, {"priority", "low"}}},
      {"support ticket", alice, "/api/support-tickets/", {{"subject", "The site is down"}}},
  };
  const std::size_t limit = domain::text_limits::kDescription;
  for (const auto& route : routes) {
    CAPTURE(route.what);
    auto too_long = route.body;
    too_long["description"] = std::string(limit + 1, 'd');
    const auto head = f.log->head().position;
    auto refused = f.post(route.token, route.path, too_long.dump());
    CHECK(refused.status == 400);
    CHECK(refused.json()["errors"].contains("description"));
    CHECK(f.log->head().position == head);

    auto longest = route.body;
    longest["description"] = std::string(limit, 'd');
    auto accepted = f.post(route.token, route.path, longest.dump());
    CHECK_MESSAGE(accepted.status / 100 == 2, accepted.body);
  }
}

}  // namespace
}  // namespace ledger
