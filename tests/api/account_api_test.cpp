// Account management end to end: changing one's password (the other sessions 401 at once), the
// password reset by email (the token read from the delivered .eml; 202 whatever the email;
// single use; 30 minutes on the test clock), one's name, email preferences (a payment email not
// queued, a security one queued) and admins updating users (deactivation: 401 at once,
// assignments freed, no login; reactivation; the refusals).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/domain/keyspaces.h"
#include "core/domain/passwords.h"
#include "events/outbox_state.pb.h"
#include "projections/email_delivery.h"
#include "tests/support/api_fixture.h"
#include "tests/support/outbox_emails.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;
using testing::HttpAnswer;

HttpAnswer patch(ApiFixture& f, const std::string& token, const std::string& target,
                 const nlohmann::json& body) {
  return f.call(token, verb::patch, target, body.dump());
}

HttpAnswer change_password(ApiFixture& f, const std::string& token, const std::string& old_password,
                           const std::string& new_password) {
  return f.post(
      token, "/api/auth/change-password/",
      nlohmann::json{{"old_password", old_password}, {"new_password", new_password}}.dump());
}

HttpAnswer ask_reset(ApiFixture& f, const std::string& email) {
  return f.post("", "/api/auth/password-reset/", nlohmann::json{{"email", email}}.dump());
}

HttpAnswer confirm_reset(ApiFixture& f, const std::string& email, const std::string& token,
                         const std::string& new_password) {
  return f.post(
      "", "/api/auth/password-reset/confirm/",
      nlohmann::json{{"email", email}, {"token", token}, {"new_password", new_password}}.dump());
}

// Waits until every command submitted before has been decided: the sequencer decides in order.
void after_queued_commands(ApiFixture& f) {
  REQUIRE(
      f.ledger
          .execute_and_wait<events::UserState>(
              {"test", "", "", "", ""},
              [](domain::UnitOfWork&) -> Result<events::UserState> { return events::UserState(); })
          .ok());
}

// The outbox emails to `to` (every one when empty), once the email projection has caught up.
std::vector<events::OutboxEmail> outbox(ApiFixture& f, const std::string& to = "") {
  REQUIRE(f.projections.find("emails")->catch_up().ok());
  std::vector<events::OutboxEmail> emails;
  for (auto& email : testing::outbox_emails(*f.log)) {
    if (to.empty() || email.to() == to) emails.push_back(std::move(email));
  }
  return emails;
}

std::vector<std::string> templates_to(ApiFixture& f, const std::string& to) {
  std::vector<std::string> names;
  for (const auto& email : outbox(f, to)) names.push_back(email.template_name());
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Delivers the outbox into .eml files and reads the reset token from the one sent to `to`: a
// line of 40 hex digits in its text part.
std::string emailed_reset_token(ApiFixture& f, const std::string& to) {
  after_queued_commands(f);
  const auto directory = f.dir.path() / "delivered";
  projections::EmailDelivery delivery(*f.log, f.clock, directory.string());
  REQUIRE(delivery.deliver_once().ok());
  std::string token;
  for (const auto& email : outbox(f, to)) {
    if (email.template_name() != domain::kPasswordResetTemplate) continue;
    CHECK(email.text_body().empty());  // erased once sent: only the .eml has it
    std::ifstream file(directory / (email.email_id() + ".eml"), std::ios::binary);
    const std::string eml((std::istreambuf_iterator<char>(file)), {});
    REQUIRE(eml.find("To: " + to) != std::string::npos);
    std::smatch found;
    REQUIRE(std::regex_search(eml, found, std::regex("\r\n([0-9a-f]{40})\r\n")));
    token = found[1];
  }
  REQUIRE_MESSAGE(token.size() == 40, "no reset token was emailed to " << to);
  return token;
}

TEST_CASE("changing one's password: other sessions are 401 at once, the one used goes on") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const std::string used = f.login_as("cleo@x.com");
  const std::string other = f.login_as("cleo@x.com");

  auto wrong = change_password(f, used, "not the password", "a new password");
  CHECK(wrong.status == 422);
  CHECK(wrong.json()["code"] == "wrong_password");
  CHECK(wrong.json()["errors"].contains("old_password"));
  auto short_one = change_password(f, used, "password-cleo@x.com", "short");
  CHECK(short_one.status == 400);
  CHECK(short_one.json()["errors"].contains("new_password"));
  CHECK(f.get(other, "/api/auth/me/").status == 200);

  auto changed = change_password(f, used, "password-cleo@x.com", "a new password");
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  CHECK(changed.json()["email"] == "cleo@x.com");
  CHECK(changed.json().contains("position"));
  CHECK(f.get(other, "/api/auth/me/").status == 401);
  CHECK(f.get(used, "/api/auth/me/").status == 200);
  CHECK(f.post("", "/api/auth/login/", R"({"email":"cleo@x.com","password":"password-cleo@x.com"})")
            .status == 401);
  CHECK(f.login("cleo@x.com", "a new password").size() > 40);
  CHECK(has(templates_to(f, "cleo@x.com"), "password_changed"));
}

TEST_CASE("a password reset end to end: the emailed token works once and signs every session out") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const std::string session = f.login_as("cleo@x.com");

  auto asked = ask_reset(f, "Cleo@X.com");
  REQUIRE_MESSAGE(asked.status == 202, asked.body);
  const std::string token = emailed_reset_token(f, "cleo@x.com");

  auto wrong = confirm_reset(f, "cleo@x.com", std::string(40, '0'), "brand new password");
  CHECK(wrong.status == 422);
  CHECK(wrong.json()["code"] == "invalid_reset_token");
  CHECK(confirm_reset(f, "cleo@x.com", token, "short").status == 400);
  auto reset = confirm_reset(f, "cleo@x.com", token, "brand new password");
  REQUIRE_MESSAGE(reset.status == 200, reset.body);
  CHECK(reset.json().contains("position"));

  CHECK(f.get(session, "/api/auth/me/").status == 401);
  CHECK(f.post("", "/api/auth/login/", R"({"email":"cleo@x.com","password":"password-cleo@x.com"})")
            .status == 401);
  CHECK(f.login("cleo@x.com", "brand new password").size() > 40);

  // Used up: the same refusal as a wrong token.
  auto again = confirm_reset(f, "cleo@x.com", token, "another new password");
  CHECK(again.status == 422);
  CHECK(again.json()["code"] == wrong.json()["code"]);
  CHECK(again.json()["detail"] == wrong.json()["detail"]);
  CHECK(has(templates_to(f, "cleo@x.com"), "password_changed"));
}

TEST_CASE(
    "asking a reset for an unknown email answers the same 202 and writes and queues nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const auto queued = outbox(f).size();
  const auto head = f.log->head().position;

  auto unknown = ask_reset(f, "nobody@x.com");
  CHECK(unknown.status == 202);
  after_queued_commands(f);
  CHECK(f.log->head().position == head);
  CHECK(outbox(f).size() == queued);

  auto known = ask_reset(f, "cleo@x.com");
  CHECK(known.status == 202);
  CHECK(known.body == unknown.body);
  after_queued_commands(f);
  CHECK(outbox(f).size() == queued + 1);
  CHECK(ask_reset(f, "not-an-email").status == 400);
  auto unknown_confirm = confirm_reset(f, "nobody@x.com", std::string(40, 'a'), "long enough");
  CHECK(unknown_confirm.status == 422);
  CHECK(unknown_confirm.json()["code"] == "invalid_reset_token");
}

TEST_CASE("a reset token expires after 30 minutes") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  REQUIRE(ask_reset(f, "cleo@x.com").status == 202);
  const std::string token = emailed_reset_token(f, "cleo@x.com");
  f.clock.advance_us(domain::kPasswordResetLifetimeUs);
  auto late = confirm_reset(f, "cleo@x.com", token, "brand new password");
  CHECK(late.status == 422);
  CHECK(late.json()["code"] == "invalid_reset_token");
  CHECK(f.login_as("cleo@x.com").size() > 40);  // the password is as it was
}

TEST_CASE("reset requests are rate limited per email, with 429 and Retry-After") {
  ApiFixture f;
  int accepted = 0;
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto answer = ask_reset(f, "someone@x.com");
    if (answer.status == 202) ++accepted;
    if (answer.status == 429) {
      ++limited;
      CHECK_FALSE(answer.header("Retry-After").empty());
    }
  }
  CHECK(accepted == 5);
  CHECK(limited == 3);
  CHECK(ask_reset(f, "someone-else@x.com").status == 202);  // another email has its own
}

TEST_CASE("PATCH /api/auth/me/ renames the caller and answers as GET /api/auth/me/") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const std::string cleo = f.login_as("cleo@x.com");
  auto renamed = patch(f, cleo, "/api/auth/me/", {{"name", "Cleo P."}});
  REQUIRE_MESSAGE(renamed.status == 200, renamed.body);
  auto me = f.get(cleo, "/api/auth/me/").json();
  CHECK(me["name"] == "Cleo P.");
  auto answered = renamed.json();
  answered.erase("position");
  CHECK(answered == me);
  CHECK(patch(f, cleo, "/api/auth/me/", nlohmann::json::object()).status == 400);
  CHECK(patch(f, cleo, "/api/auth/me/", {{"name", "C"}, {"email", "x@y.com"}}).status == 400);
  CHECK(patch(f, cleo, "/api/auth/me/", {{"name", "  "}}).status == 400);
}

TEST_CASE(
    "email preferences: all on until turned off, a payment email is not queued, security is") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const std::string cleo = f.login_as("cleo@x.com");
  auto preferences = f.get(cleo, "/api/auth/me/email-preferences/");
  REQUIRE(preferences.status == 200);
  CHECK(preferences.json() == nlohmann::json{{"payments", true},
                                             {"tasks", true},
                                             {"messages", true},
                                             {"content", true},
                                             {"performance", true},
                                             {"marketing", true}});
  auto off = patch(f, cleo, "/api/auth/me/email-preferences/", {{"payments", false}});
  REQUIRE_MESSAGE(off.status == 200, off.body);
  CHECK(off.json()["payments"] == false);
  CHECK(off.json()["marketing"] == true);
  CHECK(f.get(cleo, "/api/auth/me/email-preferences/").json()["payments"] == false);
  CHECK(patch(f, cleo, "/api/auth/me/email-preferences/", {{"security", false}}).status == 400);
  CHECK(patch(f, cleo, "/api/auth/me/email-preferences/", {{"payments", "no"}}).status == 400);

  f.fund(admin, cleo, "20.00");  // a payment confirmation: turned off
  REQUIRE(change_password(f, cleo, "password-cleo@x.com", "a new password").status == 200);
  const auto names = templates_to(f, "cleo@x.com");
  CHECK(has(names, "welcome"));
  CHECK(has(names, "password_changed"));
  CHECK_FALSE(has(names, "payment_confirmation"));

  REQUIRE(patch(f, cleo, "/api/auth/me/email-preferences/", {{"payments", true}}).status == 200);
  f.fund(admin, cleo, "5.00");
  CHECK(has(templates_to(f, "cleo@x.com"), "payment_confirmation"));
}

TEST_CASE("deactivating an agent: its tokens are 401 at once, its clients freed, no login") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string agent_id = f.create_user(admin, "web@x.com", "agent", "website", 2);
  const std::string client_id = f.create_user(admin, "cleo@x.com", "client");
  REQUIRE(f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                 nlohmann::json{{"service", "website"}, {"agent_id", agent_id}}.dump())
              .status == 200);
  const std::string agent = f.login_as("web@x.com");
  const std::string cleo = f.login_as("cleo@x.com");
  CHECK(f.get(agent, "/api/agents/my-clients/").json()["count"] == 1);

  auto deactivated = patch(f, admin, "/api/users/" + agent_id + "/", {{"is_active", false}});
  REQUIRE_MESSAGE(deactivated.status == 200, deactivated.body);
  CHECK(deactivated.json()["is_active"] == false);
  CHECK(deactivated.json()["assigned_clients"] == 0);
  CHECK(f.get(agent, "/api/auth/me/").status == 401);
  auto login =
      f.post("", "/api/auth/login/", R"({"email":"web@x.com","password":"password-web@x.com"})");
  CHECK(login.status == 422);
  CHECK(login.json()["code"] == "account_deactivated");
  const auto services = f.get(cleo, "/api/service-settings/my_services/").json()["services"];
  for (const auto& service : services) CHECK(service["agent"].is_null());
  auto assign = f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                       nlohmann::json{{"service", "website"}, {"agent_id", agent_id}}.dump());
  CHECK(assign.status == 422);
  CHECK(assign.json()["code"] == "account_deactivated");
  auto listed = f.get(admin, "/api/users/?role=agent").json();
  CHECK(listed["results"][0]["is_active"] == false);

  auto reactivated = patch(f, admin, "/api/users/" + agent_id + "/", {{"is_active", true}});
  REQUIRE(reactivated.status == 200);
  CHECK(reactivated.json()["is_active"] == true);
  CHECK(f.get(agent, "/api/auth/me/").status == 401);  // its old tokens stay revoked
  const std::string again = f.login_as("web@x.com");
  CHECK(f.get(again, "/api/agents/my-clients/").json()["count"] == 0);
}

TEST_CASE("an admin's user updates: refusals by rule and by input, and what goes through") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string admin_id = f.get(admin, "/api/auth/me/").json()["id"];
  const std::string agent_id = f.create_user(admin, "web@x.com", "agent", "website", 2);
  const std::string client_id = f.create_user(admin, "cleo@x.com", "client");
  REQUIRE(f.post(admin, "/api/clients/" + client_id + "/assign_agent/",
                 nlohmann::json{{"service", "website"}, {"agent_id", agent_id}}.dump())
              .status == 200);
  const auto head = f.log->head().position;
  struct Refusal {
    std::string id;
    nlohmann::json body;
    unsigned status;
    std::string code;
  };
  const std::vector<Refusal> refusals = {
      {admin_id, {{"is_active", false}}, 422, "cannot_deactivate_self"},
      {agent_id, {{"department", "marketing"}}, 422, "agent_has_clients"},
      {agent_id, {{"max_clients", 0}}, 400, "invalid_argument"},
      {agent_id, {{"department", "sales"}}, 400, "invalid_argument"},
      {client_id, {{"max_clients", 3}}, 400, "invalid_argument"},
      {client_id, {{"email", "new@x.com"}}, 400, "invalid_argument"},
      {"nobody", {{"name", "N"}}, 404, "not_found"},
  };
  for (const auto& refusal : refusals) {
    CAPTURE(refusal.body.dump());
    auto answer = patch(f, admin, "/api/users/" + refusal.id + "/", refusal.body);
    CHECK(answer.status == refusal.status);
    CHECK(answer.json()["code"] == refusal.code);
  }
  CHECK(f.log->head().position == head);
  const std::string cleo = f.login_as("cleo@x.com");
  CHECK(patch(f, cleo, "/api/users/" + client_id + "/", {{"name", "Me"}}).status == 403);

  auto updated =
      patch(f, admin, "/api/users/" + agent_id + "/", {{"name", "Web Agent"}, {"max_clients", 5}});
  REQUIRE_MESSAGE(updated.status == 200, updated.body);
  CHECK(updated.json()["name"] == "Web Agent");
  CHECK(updated.json()["max_clients"] == 5);
  CHECK(updated.json()["department"] == "website");
}

}  // namespace
}  // namespace ledger
