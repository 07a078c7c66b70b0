// Password rules through the real sequencer and store: changing one's own password (old one
// required, other tokens revoked), reset tokens (only a MAC in the log, the token in the outbox,
// single use, 30 minutes, one refusal for every bad case) and the bound on live tokens.
#include <doctest/doctest.h>

#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/passwords.h"
#include "core/domain/sessions.h"
#include "core/domain/user_profile.h"
#include "tests/support/fold_checks.h"
#include "tests/support/identity_steps.h"
#include "tests/support/outbox_emails.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::log_in;
using testing::revoked;
using testing::user_row;

const CodeMacKey& test_key() {
  static const CodeMacKey key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'r'));
  return key;
}

const std::string kToken(40, 'a');

Result<domain::Executed<events::UserState>> change(LedgerFixture& f,
                                                   const domain::ChangeOwnPassword& command) {
  return f.run<events::UserState>(
      [=](UnitOfWork& uow) { return domain::change_own_password(uow, command); });
}

Result<domain::Executed<events::PasswordResetIssued>> ask_reset(LedgerFixture& f,
                                                                const std::string& email,
                                                                const std::string& token = kToken) {
  const std::string email_id = f.id();
  return f.run<events::PasswordResetIssued>([=](UnitOfWork& uow) {
    return domain::request_password_reset(uow,
                                          {email, token, test_key(), domain::EmailId{email_id}});
  });
}

Result<domain::Executed<events::UserState>> reset(LedgerFixture& f, const std::string& email,
                                                  const std::string& token,
                                                  const std::string& hash = "scrypt$new") {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::reset_password(uow, {email, token, test_key(), hash});
  });
}

void deactivate(LedgerFixture& f, const std::string& id) {
  REQUIRE(f.run<events::UserState>([=](UnitOfWork& uow) {
             return domain::update_user(
                 uow, {.user_id = domain::UserId{id}, .active = false, .updated_by = "admin"});
           }).ok());
}

TEST_CASE("changing one's password needs the old one and revokes every other token") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  const std::string first = log_in(f, "c1");
  const std::string used = log_in(f, "c1");
  const std::string third = log_in(f, "c1");
  const auto head = f.log->head().position;

  auto wrong = change(f, {"c1", "scrypt$c1", false, "scrypt$new", used});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == Errc::wrong_password);
  CHECK(wrong.error().field == "old_password");
  // Checked against a hash that is no longer the stored one (changed since): refused the same.
  auto stale = change(f, {"c1", "scrypt$old", true, "scrypt$new", used});
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().code == Errc::wrong_password);
  auto no_hash = change(f, {"c1", "scrypt$c1", true, "", used});
  REQUIRE_FALSE(no_hash.ok());
  CHECK(no_hash.error().code == Errc::invalid_argument);
  auto unknown = change(f, {"ghost", "scrypt$c1", true, "scrypt$new", used});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::not_found);
  CHECK(f.log->head().position == head);

  auto changed = change(f, {"c1", "scrypt$c1", true, "scrypt$new", used});
  REQUIRE(changed.ok());
  CHECK(changed->answer.password_hash() == "scrypt$new");
  CHECK(revoked(f, first));
  CHECK(revoked(f, third));
  CHECK_FALSE(revoked(f, used));
  auto sessions =
      f.row<events::UserSessions>(domain::kIdentityKeyspace, domain::sessions_key("c1"));
  REQUIRE(sessions.has_value());
  REQUIRE(sessions->tokens_size() == 1);
  CHECK(sessions->tokens(0).token_digest() == used);
}

TEST_CASE("a deactivated user changes no password") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  deactivate(f, "c1");
  auto refused = change(f, {"c1", "scrypt$c1", true, "scrypt$new", ""});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::account_deactivated);
}

TEST_CASE("a reset token goes to the outbox, the log keeps only its MAC under the server key") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  auto issued = ask_reset(f, "C1@X.com");
  REQUIRE(issued.ok());
  CHECK(issued->answer.user_id() == "c1");
  CHECK(issued->answer.token_mac() ==
        test_key().code_mac(domain::kPasswordResetPurpose, "c1", kToken));
  CHECK(issued->answer.expires_at_us() == f.clock.now_us() + domain::kPasswordResetLifetimeUs);
  const auto user = user_row(f, "c1");
  CHECK(user.reset_token_mac() == issued->answer.token_mac());

  const auto emails = testing::outbox_emails(*f.log);
  REQUIRE(emails.size() == 1);
  CHECK(emails[0].to() == "c1@x.com");
  CHECK(emails[0].template_name() == domain::kPasswordResetTemplate);
  CHECK(emails[0].text_body().find("\n\n" + kToken + "\n\n") != std::string::npos);
  auto envelopes = f.log->read_all(0, 100);
  REQUIRE(envelopes.ok());
  for (const auto& envelope : *envelopes) {
    CHECK(envelope.payload().find(kToken) == std::string::npos);
  }
}

TEST_CASE("asking a reset for an unknown email or a deactivated user writes and sends nothing") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  deactivate(f, "c1");
  const auto head = f.log->head().position;
  for (const char* email : {"nobody@x.com", "c1@x.com"}) {
    CAPTURE(email);
    auto nothing = ask_reset(f, email);
    REQUIRE(nothing.ok());
    CHECK(nothing->answer.user_id().empty());
  }
  CHECK(f.log->head().position == head);
  CHECK(testing::outbox_emails(*f.log).empty());
  // Malformed requests are refused (the API answers 400 before it asks).
  CHECK(ask_reset(f, "not-an-email").error().code == Errc::invalid_argument);
  CHECK(ask_reset(f, "c1@x.com", "short").error().code == Errc::invalid_argument);
}

TEST_CASE("a reset token works once, within 30 minutes, for its user, every refusal is one") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  REQUIRE(testing::add_user(f, "c2", "client").ok());
  const std::string session = log_in(f, "c1");
  REQUIRE(ask_reset(f, "c1@x.com").ok());
  REQUIRE(ask_reset(f, "c2@x.com", std::string(40, 'b')).ok());
  const auto head = f.log->head().position;

  std::vector<Error> refusals;
  for (const auto& [email, token] : std::vector<std::pair<std::string, std::string>>{
           {"c1@x.com", std::string(40, 'z')},  // wrong
           {"c1@x.com", std::string(40, 'b')},  // another user's
           {"c2@x.com", kToken},                // used on another user
           {"nobody@x.com", kToken},            // no such user
           {"not an email", kToken},
           {"c1@x.com", ""}}) {
    auto refused = reset(f, email, token);
    REQUIRE_FALSE(refused.ok());
    refusals.push_back(refused.error());
  }
  for (const auto& refusal : refusals) {
    CHECK(refusal.code == Errc::invalid_reset_token);
    CHECK(refusal.message == refusals[0].message);
    CHECK(refusal.field == "token");
  }
  CHECK(f.log->head().position == head);

  f.clock.advance_us(domain::kPasswordResetLifetimeUs - 1);
  auto done = reset(f, "c1@x.com", kToken);
  REQUIRE(done.ok());
  CHECK(done->answer.password_hash() == "scrypt$new");
  CHECK(done->answer.reset_token_mac().empty());
  CHECK(revoked(f, session));  // a reset revokes every token
  auto again = reset(f, "c1@x.com", kToken, "scrypt$again");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::invalid_reset_token);
  CHECK(user_row(f, "c1").password_hash() == "scrypt$new");

  // c2's token, unused, expires with the 30 minutes.
  f.clock.advance_us(1);
  auto late = reset(f, "c2@x.com", std::string(40, 'b'));
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == Errc::invalid_reset_token);
}

TEST_CASE("a new reset token replaces the one before, any password change uses it up") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  REQUIRE(ask_reset(f, "c1@x.com", std::string(40, '1')).ok());
  REQUIRE(ask_reset(f, "c1@x.com", std::string(40, '2')).ok());
  CHECK(reset(f, "c1@x.com", std::string(40, '1')).error().code == Errc::invalid_reset_token);
  REQUIRE(change(f, {"c1", "scrypt$c1", true, "scrypt$changed", ""}).ok());
  CHECK(reset(f, "c1@x.com", std::string(40, '2')).error().code == Errc::invalid_reset_token);
  // Deactivation voids a pending token too, and reactivation does not revive it.
  REQUIRE(ask_reset(f, "c1@x.com", std::string(40, '3')).ok());
  deactivate(f, "c1");
  REQUIRE(f.run<events::UserState>([](UnitOfWork& uow) {
             return domain::update_user(uow,
                                        {.user_id = "c1", .active = true, .updated_by = "admin"});
           }).ok());
  CHECK(reset(f, "c1@x.com", std::string(40, '3')).error().code == Errc::invalid_reset_token);
  CHECK(user_row(f, "c1").password_hash() == "scrypt$changed");
}

TEST_CASE(
    "a user holds at most kSessionsPerUserMax live tokens: a login beyond revokes the oldest") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  std::vector<std::string> digests;
  for (std::size_t i = 0; i < domain::kSessionsPerUserMax; ++i) digests.push_back(log_in(f, "c1"));
  CHECK_FALSE(revoked(f, digests.front()));
  digests.push_back(log_in(f, "c1"));
  CHECK(revoked(f, digests[0]));
  CHECK_FALSE(revoked(f, digests[1]));
  auto sessions =
      f.row<events::UserSessions>(domain::kIdentityKeyspace, domain::sessions_key("c1"));
  REQUIRE(sessions.has_value());
  CHECK(sessions->tokens_size() == static_cast<int>(domain::kSessionsPerUserMax));
  CHECK(sessions->tokens(0).token_digest() == digests[1]);

  // Expired tokens leave the row at the user's next token event; revoking all empties it.
  f.clock.advance_us(kMicrosPerHour);
  const std::string fresh = log_in(f, "c1");
  sessions = f.row<events::UserSessions>(domain::kIdentityKeyspace, domain::sessions_key("c1"));
  REQUIRE(sessions.has_value());
  CHECK(sessions->tokens_size() == 1);
  std::size_t revoked_count = 0;
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) -> Result<events::UserState> {
             auto count = domain::revoke_sessions(uow, "c1", "", "admin");
             if (!count) return std::move(count).error();
             revoked_count = *count;
             return domain::load_user(uow, "c1");
           }).ok());
  CHECK(revoked_count == 1);
  CHECK(revoked(f, fresh));
  CHECK_FALSE(f.row<events::UserSessions>(domain::kIdentityKeyspace, domain::sessions_key("c1"))
                  .has_value());
  testing::check_rows_are_the_fold(*f.log);
}

}  // namespace
}  // namespace ledger
