// Identity endpoints end to end: first admin, login/logout/me, registration with the email
// verification code from the outbox, admin user creation, agents and services.
#include <doctest/doctest.h>

#include "core/code_mac_key.h"
#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "core/secret_token.h"
#include "core/sha256.h"
#include "events/event_types.h"
#include "events/outbox_state.pb.h"
#include "events/user_events.pb.h"
#include "tests/support/api_fixture.h"
#include "tests/support/outbox_emails.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

TEST_CASE("first start writes the admin password to a 0600 file, and it logs in") {
  ApiFixture f;
  const auto path = std::filesystem::path(f.dir.string()) / "initial-admin-password";
  std::ifstream file(path);
  std::string stored;
  std::getline(file, stored);
  CHECK(stored == f.admin_password);
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const std::string token = f.admin();
  auto me = f.get(token, "/api/auth/me/");
  REQUIRE(me.status == 200);
  CHECK(me.json()["email"] == "admin@localhost");
  CHECK(me.json()["role"] == "admin");
  CHECK_FALSE(me.json().contains("password_hash"));
  // A second start finds the admin and creates nothing.
  auto again = http::ensure_initial_admin(f.ledger, *f.log, f.ids, f.dir.string(),
                                          f.api.options.password_hashing);
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
}

TEST_CASE("a wrong password and an unknown email get the same 401") {
  ApiFixture f;
  auto wrong = f.post("", "/api/auth/login/",
                      R"({"email":"admin@localhost","password":"not-the-password"})");
  auto unknown = f.post("", "/api/auth/login/",
                        R"({"email":"nobody@example.com","password":"not-the-password"})");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(wrong.body == unknown.body);
}

TEST_CASE("no token, a bad token and a revoked token are all 401") {
  ApiFixture f;
  CHECK(f.get("", "/api/auth/me/").status == 401);
  CHECK(f.get("lct_0000", "/api/auth/me/").status == 401);
  const std::string token = f.admin();
  CHECK(f.get(token, "/api/auth/me/").status == 200);
  CHECK(f.post(token, "/api/auth/logout/").status == 200);
  CHECK(f.get(token, "/api/auth/me/").status == 401);
}

TEST_CASE("tokens expire") {
  ApiFixture f;
  const std::string token = f.admin();
  f.clock.advance_us(f.api.options.token_lifetime_us);
  CHECK(f.get(token, "/api/auth/me/").status == 401);
}

// The verification code emailed to `to`, read from the outbox (where it is the only copy).
std::string emailed_code(ApiFixture& f, const std::string& to) {
  std::string code;
  for (const auto& email : testing::outbox_emails(*f.log)) {
    if (email.template_name() != "verification_code" || email.to() != to) continue;
    const auto at = email.text_body().find("code is ");
    REQUIRE(at != std::string::npos);
    code = email.text_body().substr(at + 8, 6);
  }
  REQUIRE(code.size() == 6);
  return code;
}

// Registers `email` through the API and answers the new user's id.
std::string register_client(ApiFixture& f, const std::string& email) {
  auto registered =
      f.post("", "/api/auth/register/",
             nlohmann::json{{"email", email}, {"password", "long enough"}, {"name", "New"}}.dump());
  REQUIRE_MESSAGE(registered.status == 201, registered.body);
  return registered.json()["id"];
}

testing::HttpAnswer verify(ApiFixture& f, const std::string& email, const std::string& code) {
  return f.post("", "/api/auth/verify-email/",
                nlohmann::json{{"email", email}, {"code", code}}.dump());
}

// The payload of the first event of type E in `stream`.
template <class E>
E first_event(ApiFixture& f, const std::string& stream) {
  auto events = f.log->read_stream(stream, 1, store::ReadDirection::forward, 100);
  REQUIRE(events.ok());
  for (const auto& envelope : *events) {
    if (envelope.event_type() != events::event_type_of<E>()) continue;
    E event;
    REQUIRE(event.ParseFromString(envelope.payload()));
    return event;
  }
  FAIL("no ", events::event_type_of<E>(), " in ", stream);
  return E();
}

TEST_CASE("a verification code is stored as its MAC under the server's key, not its SHA-256") {
  ApiFixture f;
  const auto key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'k'));
  f.api.options.code_mac_key = key;
  const std::string id = register_client(f, "new@example.com");
  const std::string code = emailed_code(f, "new@example.com");
  const auto issued = first_event<events::EmailVerificationIssued>(f, domain::user_stream(id));
  CHECK(issued.code_digest() == key.code_mac(domain::kEmailVerificationPurpose, id, code));
  CHECK(issued.code_digest() != to_hex(sha256(code)));

  // A server with another key cannot check the code: the key, not the log, decides.
  f.api.options.code_mac_key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'o'));
  CHECK(verify(f, "new@example.com", code).status == 422);
  f.api.options.code_mac_key = key;
  CHECK(verify(f, "new@example.com", code).status == 200);
}

TEST_CASE("the events list shows no password hash, token digest or code MAC, only [redacted]") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string id = register_client(f, "new@example.com");
  const std::string code = emailed_code(f, "new@example.com");
  REQUIRE(verify(f, "new@example.com", code).status == 200);
  const std::string token = f.login("new@example.com", "long enough");
  const auto user = domain::find_user(*f.log, id);
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  const std::string secrets[] = {
      (*user)->password_hash(), token_digest(token), token_digest(admin),
      first_event<events::EmailVerificationIssued>(f, domain::user_stream(id)).code_digest(),
      to_hex(sha256(code))};

  auto listed = f.get(admin, "/api/ledger/events/?limit=500");
  REQUIRE(listed.status == 200);
  for (const auto& secret : secrets) {
    REQUIRE(secret.size() >= 32);
    CHECK_MESSAGE(listed.body.find(secret) == std::string::npos, secret);
  }
  CHECK(listed.body.find("scrypt$") == std::string::npos);
  int redacted = 0;
  const auto body = listed.json();
  for (const auto& event : body["results"]) {
    for (const char* field : {"password_hash", "token_digest", "code_digest"}) {
      if (!event["data"].contains(field)) continue;
      CHECK(event["data"][field] == "[redacted]");
      ++redacted;
    }
  }
  CHECK(redacted >= 4);  // two registrations, a code, two logins
}

TEST_CASE("self-registration: unverified until the emailed code is entered") {
  ApiFixture f;
  auto registered = f.post("", "/api/auth/register/",
                           R"({"email":"New@Example.com","password":"long enough","name":"New"})");
  REQUIRE_MESSAGE(registered.status == 201, registered.body);
  CHECK(registered.json()["email"] == "new@example.com");
  CHECK(registered.json()["email_verified"] == false);
  CHECK(f.post("", "/api/auth/login/", R"({"email":"new@example.com","password":"long enough"})")
            .status == 422);

  // The code is only in the outbox email.
  const std::string code = emailed_code(f, "new@example.com");
  const std::string wrong = code == "000000" ? "111111" : "000000";
  CHECK(f.post("", "/api/auth/verify-email/",
               nlohmann::json{{"email", "new@example.com"}, {"code", wrong}}.dump())
            .status == 422);
  auto verified = f.post("", "/api/auth/verify-email/",
                         nlohmann::json{{"email", "new@example.com"}, {"code", code}}.dump());
  REQUIRE_MESSAGE(verified.status == 200, verified.body);
  CHECK(verified.json()["email_verified"] == true);
  CHECK(f.login("new@example.com", "long enough").size() > 40);
}

TEST_CASE("registration refuses short passwords, bad emails, taken emails and extra fields") {
  ApiFixture f;
  CHECK(f.post("", "/api/auth/register/", R"({"email":"a@b.com","password":"short","name":"A"})")
            .status == 400);
  CHECK(f.post("", "/api/auth/register/",
               R"({"email":"not-an-email","password":"long enough","name":"A"})")
            .status == 400);
  auto admin_taken = f.post("", "/api/auth/register/",
                            R"({"email":"admin@localhost","password":"long enough","name":"A"})");
  CHECK(admin_taken.status == 422);
  CHECK(admin_taken.json()["code"] == "email_taken");
  auto escalation =
      f.post("", "/api/auth/register/",
             R"({"email":"x@y.com","password":"long enough","name":"A","role":"admin"})");
  CHECK(escalation.status == 400);
  CHECK(escalation.json()["errors"].contains("role"));
}

TEST_CASE("login attempts are throttled per address with 429 and Retry-After") {
  ApiFixture f;
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 15; ++i) {
    auto answer =
        f.post("", "/api/auth/login/",
               R"({"email":"admin@localhost","password":"guess-)" + std::to_string(i) + R"("})");
    if (answer.status == 429) {
      ++limited;
      retry_after = answer.header("Retry-After");
    } else {
      CHECK(answer.status == 401);
    }
  }
  CHECK(limited == 5);  // a burst of 10, then refused
  CHECK_FALSE(retry_after.empty());
  f.clock.advance_us(kMicrosPerMinute);  // attempts come back with time
  CHECK(f.post("", "/api/auth/login/",
               nlohmann::json{{"email", "admin@localhost"}, {"password", f.admin_password}}.dump())
            .status == 200);
}

TEST_CASE("admins create users and agents, lists filter by role, only admins may") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string client_id = f.create_user(admin, "client@x.com", "client");
  const std::string agent_id = f.create_user(admin, "agent@x.com", "agent", "website", 2);
  auto agents = f.get(admin, "/api/users/?role=agent");
  REQUIRE(agents.status == 200);
  CHECK(agents.json()["count"] == 1);
  CHECK(agents.json()["results"][0]["id"] == agent_id);
  CHECK(agents.json()["results"][0]["max_clients"] == 2);
  CHECK(f.get(admin, "/api/users/?role=wizard").status == 400);

  const std::string client = f.login_as("client@x.com");
  CHECK(f.get(client, "/api/users/").status == 403);
  CHECK(f.post(client, "/api/users/",
               R"({"email":"e@x.com","password":"password1","name":"E","role":"admin"})")
            .status == 403);
  CHECK(f.post(admin, "/api/users/",
               R"({"email":"e@x.com","password":"password1","name":"E","role":"agent"})")
            .status == 400);  // an agent needs a department
  (void)client_id;
}

TEST_CASE("assigning agents and what agents and clients see of it") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string client_id = f.create_user(admin, "client@x.com", "client");
  const std::string other_id = f.create_user(admin, "other@x.com", "client");
  const std::string agent_id = f.create_user(admin, "web@x.com", "agent", "website", 1);
  const std::string marketer_id = f.create_user(admin, "mkt@x.com", "agent", "marketing");

  auto mismatch = f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                         nlohmann::json{{"service", "marketing"}, {"agent_id", agent_id}}.dump());
  CHECK(mismatch.status == 422);
  CHECK(mismatch.json()["code"] == "department_mismatch");
  auto assigned = f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                         nlohmann::json{{"service", "website"}, {"agent_id", agent_id}}.dump());
  REQUIRE_MESSAGE(assigned.status == 200, assigned.body);
  auto full = f.post(admin, "/api/clients/" + other_id + "/assign_agent/",
                     nlohmann::json{{"service", "website"}, {"agent_id", agent_id}}.dump());
  CHECK(full.status == 422);
  CHECK(full.json()["code"] == "agent_at_capacity");

  auto clients = f.get(f.login_as("web@x.com"), "/api/agents/my-clients/");
  REQUIRE(clients.status == 200);
  CHECK(clients.json()["count"] == 1);
  CHECK(clients.json()["results"][0]["id"] == client_id);
  CHECK(f.get(f.login_as("mkt@x.com"), "/api/agents/my-clients/").json()["count"] == 0);

  const std::string client = f.login_as("client@x.com");
  CHECK(f.post(client, "/api/service-settings/activate_service/", R"({"service":"website"})")
            .status == 200);
  auto services = f.get(client, "/api/service-settings/my_services/");
  REQUIRE(services.status == 200);
  const nlohmann::json listed = services.json();
  bool saw_website = false;
  for (const auto& service : listed["services"]) {
    if (service["service"] == "website") {
      saw_website = true;
      CHECK(service["is_active"] == true);
      CHECK(service["agent"]["id"] == agent_id);
    }
  }
  CHECK(saw_website);
  CHECK(f.post(client, "/api/service-settings/activate_service/", R"({"service":"gardening"})")
            .status == 400);
  (void)marketer_id;
}

}  // namespace
}  // namespace ledger
