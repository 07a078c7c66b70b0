// Identity rules through the real sequencer and store: registration, email verification,
// tokens, agent assignment with departments and capacity, service activation, and races.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <google/protobuf/message.h>

#include <atomic>
#include <map>
#include <thread>

#include "core/domain/identity_fold.h"
#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;

std::string digest(std::string_view code) { return to_hex(sha256(code)); }

const CodeMacKey& test_key() {
  static const CodeMacKey key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'k'));
  return key;
}

std::string code_mac(std::string_view user_id, std::string_view code) {
  return test_key().code_mac(domain::kEmailVerificationPurpose, user_id, code);
}

Result<domain::Executed<events::UserState>> add_user(
    LedgerFixture& f, const std::string& id, const std::string& email, const std::string& role,
    const std::string& department = "", std::uint32_t max_clients = 0, bool verified = true) {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::register_user(
        uow, {domain::UserId{id}, email, "Name " + id, role, department, max_clients, "scrypt$hash",
              verified, "admin", verified ? "" : code_mac(id, "123456")});
  });
}

Result<domain::Executed<events::UserState>> assign(LedgerFixture& f, const std::string& client,
                                                   const std::string& service,
                                                   const std::string& agent) {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::assign_agent(uow,
                                {domain::UserId{client}, service, domain::UserId{agent}, "admin"});
  });
}

events::UserState user(LedgerFixture& f, std::string_view id) {
  auto row = domain::find_user(*f.log, id);
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  return **row;
}

TEST_CASE("registration lower-cases the email and refuses a taken one") {
  LedgerFixture f;
  auto alice = add_user(f, "u1", "Alice@Example.COM", "client");
  REQUIRE(alice.ok());
  CHECK(alice->answer.email() == "alice@example.com");
  auto found = domain::find_user_by_email(*f.log, "ALICE@example.com");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->user_id() == "u1");

  const auto head = f.log->head().position;
  auto again = add_user(f, "u2", "alice@example.com", "client");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::email_taken);
  CHECK(f.log->head().position == head);
}

TEST_CASE("registration validates email, name, role, department and capacity") {
  LedgerFixture f;
  auto refused = [&](domain::RegisterUser command, std::string_view field) {
    auto registered = f.run<events::UserState>(
        [&](UnitOfWork& uow) { return domain::register_user(uow, command); });
    REQUIRE_FALSE(registered.ok());
    CHECK(registered.error().code == Errc::invalid_argument);
    CHECK(registered.error().field == field);
  };
  const std::string h = "scrypt$hash";
  refused({"u", "not-an-email", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "a@b", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "a b@c.com", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "a b@localhost", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "x\n@localhost", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "<x>@localhost", "N", "client", "", 0, h, true, "a", ""}, "email");
  refused({"u", "a@c.com", "", "client", "", 0, h, true, "a", ""}, "name");
  refused({"u", "a@c.com", "N", "root", "", 0, h, true, "a", ""}, "role");
  refused({"u", "a@c.com", "N", "agent", "", 0, h, true, "a", ""}, "department");
  refused({"u", "a@c.com", "N", "agent", "sales", 0, h, true, "a", ""}, "department");
  refused({"u", "a@c.com", "N", "client", "website", 0, h, true, "a", ""}, "department");
  refused({"u", "a@c.com", "N", "client", "", 5, h, true, "a", ""}, "max_clients");
  refused({"u", "a@c.com", "N", "client", "", 0, "", true, "a", ""}, "password");
  CHECK(f.log->head().position == 0);
  CHECK(add_user(f, "admin", "admin@localhost", "admin").ok());
  CHECK(add_user(f, "agent", "agent@x.com", "agent", "website").value().answer.max_clients() ==
        domain::kDefaultAgentCapacity);
}

TEST_CASE("email verification: right code within 10 minutes, never a wrong or late one") {
  LedgerFixture f;
  REQUIRE(add_user(f, "u1", "bob@example.com", "client", "", 0, /*verified=*/false).ok());
  CHECK_FALSE(user(f, "u1").email_verified());
  auto verify = [&](const std::string& email, const std::string& code) {
    return f.run<events::UserState>([=](UnitOfWork& uow) {
      return domain::verify_email(uow, {email, code, test_key()});
    });
  };
  auto wrong = verify("bob@example.com", "654321");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == Errc::invalid_verification_code);
  auto unknown = verify("nobody@example.com", "123456");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::invalid_verification_code);

  // No token before verification.
  auto early_token = f.run<events::TokenState>([&](UnitOfWork& uow) {
    return domain::issue_token(uow, {"t1", "u1", digest("tok"), f.clock.now_us() + 1000});
  });
  REQUIRE_FALSE(early_token.ok());
  CHECK(early_token.error().code == Errc::email_not_verified);

  REQUIRE(add_user(f, "u2", "dave@example.com", "client", "", 0, /*verified=*/false).ok());
  f.clock.advance_us(domain::kVerificationCodeLifetimeUs - 1);
  auto verified = verify("BOB@example.com", "123456");
  REQUIRE(verified.ok());
  CHECK(verified->answer.email_verified());
  CHECK(user(f, "u1").email_verified());
  CHECK(verify("bob@example.com", "000000").ok());  // already verified: nothing to do
  f.clock.advance_us(1);  // the time is in the sequencer's clock, which never goes back
  auto late = verify("dave@example.com", "123456");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == Errc::invalid_verification_code);
}

Result<domain::Executed<events::UserState>> verify_with(LedgerFixture& f, const std::string& email,
                                                        const std::string& code,
                                                        const CodeMacKey& key) {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::verify_email(uow, {email, code, key});
  });
}

Result<domain::Executed<events::UserState>> add_unverified(LedgerFixture& f, const std::string& id,
                                                           const std::string& email,
                                                           const std::string& stored_code) {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::register_user(uow, {domain::UserId{id}, email, "Name", "client", "", 0,
                                       "scrypt$hash", false, "self", stored_code});
  });
}

TEST_CASE("a code matches only its MAC under the server's key, for its own user") {
  LedgerFixture f;
  REQUIRE(add_unverified(f, "u1", "bob@example.com", code_mac("u1", "123456")).ok());
  // Carol's stored MAC is of the same code, made for another user.
  REQUIRE(add_unverified(f, "u2", "carol@example.com", code_mac("u1", "123456")).ok());
  const auto other_key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'o'));
  auto other = verify_with(f, "bob@example.com", "123456", other_key);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == Errc::invalid_verification_code);
  auto not_hers = verify_with(f, "carol@example.com", "123456", test_key());
  REQUIRE_FALSE(not_hers.ok());
  CHECK(not_hers.error().code == Errc::invalid_verification_code);
  CHECK(verify_with(f, "bob@example.com", "123456", test_key()).ok());
  // The MAC binds the purpose too, and is not the code's bare SHA-256.
  CHECK(code_mac("u1", "123456") != test_key().code_mac("password-reset", "u1", "123456"));
  CHECK(code_mac("u1", "123456") != digest("123456"));
}

TEST_CASE("a code stored as a bare SHA-256 before codes were keyed is accepted until it expires") {
  LedgerFixture f;
  REQUIRE(add_unverified(f, "u1", "bob@example.com", digest("123456")).ok());
  REQUIRE(add_unverified(f, "u2", "dave@example.com", digest("123456")).ok());
  CHECK_FALSE(verify_with(f, "bob@example.com", "654321", test_key()).ok());
  f.clock.advance_us(domain::kVerificationCodeLifetimeUs - 1);
  CHECK(verify_with(f, "bob@example.com", "123456", test_key()).ok());
  f.clock.advance_us(1);
  auto late = verify_with(f, "dave@example.com", "123456", test_key());
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == Errc::invalid_verification_code);
}

TEST_CASE("tokens: issued to verified users, found by digest, revoked once") {
  LedgerFixture f;
  REQUIRE(add_user(f, "u1", "carol@example.com", "client").ok());
  const std::int64_t expiry = f.clock.now_us() + kMicrosPerHour;
  REQUIRE(f.run<events::TokenState>([&](UnitOfWork& uow) {
             return domain::issue_token(uow, {"t1", "u1", digest("secret"), expiry});
           }).ok());
  auto found = domain::find_token(*f.log, digest("secret"));
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->user_id() == "u1");
  CHECK((*found)->expires_at_us() == expiry);
  CHECK_FALSE((*found)->revoked());

  // A second token under the same id would leave the first one's id index pointing elsewhere.
  const auto before_reuse = f.log->head().position;
  auto reused = f.run<events::TokenState>([&](UnitOfWork& uow) {
    return domain::issue_token(uow, {"t1", "u1", digest("another"), expiry});
  });
  REQUIRE_FALSE(reused.ok());
  CHECK(reused.error().code == Errc::invalid_argument);
  CHECK(reused.error().field == "token_id");
  CHECK(reused.error().message == "token id t1 is already used");
  CHECK(f.log->head().position == before_reuse);

  auto revoke = [&] {
    return f.run<events::TokenState>([&](UnitOfWork& uow) {
      return domain::revoke_token(uow, {digest("secret"), "u1"});
    });
  };
  REQUIRE(revoke().ok());
  const auto head = f.log->head().position;
  REQUIRE(revoke().ok());
  CHECK(f.log->head().position == head);
  CHECK(domain::find_token(*f.log, digest("secret")).value()->revoked());
  auto unknown = f.run<events::TokenState>([&](UnitOfWork& uow) {
    return domain::revoke_token(uow, {digest("other"), "u1"});
  });
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::not_found);
}

TEST_CASE("assigning agents: department must match, capacity is respected, reassigning frees") {
  LedgerFixture f;
  REQUIRE(add_user(f, "c1", "c1@x.com", "client").ok());
  REQUIRE(add_user(f, "c2", "c2@x.com", "client").ok());
  REQUIRE(add_user(f, "m1", "m1@x.com", "agent", "marketing", 1).ok());
  REQUIRE(add_user(f, "m2", "m2@x.com", "agent", "marketing", 5).ok());
  REQUIRE(add_user(f, "w1", "w1@x.com", "agent", "website", 5).ok());

  auto mismatch = assign(f, "c1", "marketing", "w1");
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().code == Errc::department_mismatch);

  REQUIRE(assign(f, "c1", "marketing", "m1").ok());
  CHECK(user(f, "c1").agents().at("marketing") == "m1");
  CHECK(user(f, "m1").assigned_clients() == 1);
  CHECK(f.count_rows(domain::kIdentityKeyspace, domain::agent_clients_prefix("m1")) == 1);

  const auto head = f.log->head().position;
  REQUIRE(assign(f, "c1", "marketing", "m1").ok());  // same agent: nothing to do
  CHECK(f.log->head().position == head);

  auto full = assign(f, "c2", "marketing", "m1");
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == Errc::agent_at_capacity);

  REQUIRE(assign(f, "c1", "marketing", "m2").ok());  // reassign: m1 has room again
  CHECK(user(f, "m1").assigned_clients() == 0);
  CHECK(f.count_rows(domain::kIdentityKeyspace, domain::agent_clients_prefix("m1")) == 0);
  CHECK(assign(f, "c2", "marketing", "m1").ok());
  CHECK(assign(f, "c1", "website", "w1").ok());
  CHECK(user(f, "c1").agents().size() == 2);

  auto not_client = assign(f, "m2", "marketing", "m1");
  REQUIRE_FALSE(not_client.ok());
  CHECK(not_client.error().code == Errc::not_found);
  auto not_agent = assign(f, "c2", "website", "c1");
  REQUIRE_FALSE(not_agent.ok());
  CHECK(not_agent.error().code == Errc::invalid_argument);
  auto bad_service = assign(f, "c2", "courses", "w1");
  REQUIRE_FALSE(bad_service.ok());
  CHECK(bad_service.error().code == Errc::invalid_argument);
}

TEST_CASE("services are activated and deactivated once each") {
  LedgerFixture f;
  REQUIRE(add_user(f, "c1", "c1@x.com", "client").ok());
  auto set = [&](const std::string& service, bool active) {
    return f.run<events::UserState>([=](UnitOfWork& uow) {
      return domain::set_service_active(uow, {"c1", service, active});
    });
  };
  REQUIRE(set("courses", true).ok());
  const auto head = f.log->head().position;
  REQUIRE(set("courses", true).ok());
  CHECK(f.log->head().position == head);
  CHECK(user(f, "c1").active_services_size() == 1);
  REQUIRE(set("courses", false).ok());
  CHECK(user(f, "c1").active_services_size() == 0);
  auto unknown = set("plumbing", true);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::invalid_argument);
  REQUIRE(add_user(f, "a1", "a1@x.com", "agent", "website").ok());
  auto agent = f.run<events::UserState>([](UnitOfWork& uow) {
    return domain::set_service_active(uow, {"a1", "courses", true});
  });
  REQUIRE_FALSE(agent.ok());
  CHECK(agent.error().code == Errc::invalid_argument);
}

TEST_CASE("the identity rows are the fold of the log: replaying it gives the same bytes") {
  LedgerFixture f;
  auto step = [&] { f.clock.advance_us(kMicrosPerSecond); };
  REQUIRE(add_user(f, "admin", "admin@localhost", "admin").ok());
  REQUIRE(add_user(f, "m1", "m1@x.com", "agent", "marketing", 3).ok());
  REQUIRE(add_user(f, "m2", "m2@x.com", "agent", "marketing").ok());
  REQUIRE(add_user(f, "w1", "w1@x.com", "agent", "website", 2).ok());
  step();
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
             return domain::register_user(
                 uow, {"c1", "Cleo@X.com", "Cleo", "client", "", 0, "scrypt$one", false, "self",
                       code_mac("c1", "482913"), "482913", "email-c1"});
           }).ok());
  REQUIRE(add_user(f, "c2", "c2@x.com", "client").ok());
  step();
  REQUIRE(verify_with(f, "cleo@x.com", "482913", test_key()).ok());
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
             return domain::change_password(uow, {"c1", "scrypt$two"});
           }).ok());
  for (const auto* token : {"t1", "t2"}) {
    step();
    REQUIRE(f.run<events::TokenState>([&](UnitOfWork& uow) {
               return domain::issue_token(uow, {domain::TokenId{std::string(token)}, "c1",
                                                digest(token), f.clock.now_us() + kMicrosPerHour});
             }).ok());
  }
  REQUIRE(f.run<events::TokenState>([&](UnitOfWork& uow) {
             return domain::revoke_token(uow, {digest("t1"), "c1"});
           }).ok());
  step();
  REQUIRE(assign(f, "c1", "marketing", "m1").ok());
  REQUIRE(assign(f, "c2", "marketing", "m1").ok());
  step();
  REQUIRE(assign(f, "c1", "marketing", "m2").ok());
  REQUIRE(assign(f, "c1", "website", "w1").ok());
  for (const auto& service_and_active : std::vector<std::pair<std::string, bool>>{
           {"marketing", true}, {"website", true}, {"courses", true}, {"website", false}}) {
    const auto& service = service_and_active.first;
    const auto& active = service_and_active.second;
    step();
    REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
               return domain::set_service_active(uow, {"c1", service, active});
             }).ok());
  }

  const auto stored = testing::stored_rows(*f.log, domain::kIdentityKeyspace);
  // users, emails, tokens, token ids, agent links, c1's live tokens, the three agents' rosters
  CHECK(stored.size() == 6 + 6 + 2 + 2 + 3 + 1 + 3);
  CHECK(testing::replayed_rows(*f.log, domain::kIdentityKeyspace) == stored);
  const auto c1 = user(f, "c1");
  CHECK(c1.email_verified());
  CHECK(c1.verification_digest().empty());
  CHECK(c1.password_hash() == "scrypt$two");
  CHECK(c1.agents().at("marketing") == "m2");
  CHECK(c1.active_services_size() == 2);
  CHECK(user(f, "m1").assigned_clients() == 1);
  CHECK(domain::find_token(*f.log, digest("t1")).value()->revoked());
  CHECK_FALSE(domain::find_token(*f.log, digest("t2")).value()->revoked());
}

TEST_CASE("the verification code goes to the outbox, never into the log") {
  LedgerFixture f;
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
             return domain::register_user(
                 uow, {"c1", "cleo@x.com", "Cleo", "client", "", 0, "scrypt$one", false, "self",
                       code_mac("c1", "482913"), "482913", "email-c1"});
           }).ok());
  auto email =
      f.row<events::OutboxEmail>(domain::kOutboxKeyspace, domain::outbox_email_key("email-c1"));
  REQUIRE(email.has_value());
  CHECK(email->to() == "cleo@x.com");
  CHECK(email->template_name() == "verification_code");
  CHECK(email->status() == "queued");
  CHECK(email->created_at_us() == f.clock.now_us());
  CHECK(email->text_body().find("482913") != std::string::npos);
  auto pending = f.log->read_state(domain::kOutboxKeyspace, domain::outbox_pending_key("email-c1"));
  REQUIRE(pending.ok());
  CHECK(pending->has_value());
  auto envelopes = f.log->read_all(0, 100);
  REQUIRE(envelopes.ok());
  CHECK(envelopes->size() == 2);
  for (const auto& envelope : *envelopes) {
    CHECK(envelope.payload().find("482913") == std::string::npos);
  }
}

TEST_CASE("the identity fold is total: an event whose rows are missing changes what it can") {
  testing::MemoryFoldRows rows;
  auto evolve = [&](const google::protobuf::Message& payload) {
    return testing::fold_one(rows, domain::kIdentityKeyspace, payload, "user:ghost",
                             testing::kTestEpochUs);
  };
  events::EmailVerificationIssued issued;
  issued.set_user_id("ghost");
  events::EmailVerified verified;
  verified.set_user_id("ghost");
  events::PasswordChanged changed;
  changed.set_user_id("ghost");
  events::ServiceDeactivated deactivated;
  deactivated.set_client_id("ghost");
  deactivated.set_service("website");
  events::TokenRevoked revoked;
  revoked.set_token_id("t1");
  revoked.set_token_digest(digest("t1"));
  events::TokenRevoked revoked_without_digest;  // written before events carried the digest
  revoked_without_digest.set_token_id("t2");
  for (const google::protobuf::Message* event :
       std::initializer_list<const google::protobuf::Message*>{
           &issued, &verified, &changed, &deactivated, &revoked, &revoked_without_digest}) {
    CHECK(evolve(*event).ok());
  }
  CHECK(rows.rows_of(domain::kIdentityKeyspace).empty());

  // Neither the client, nor the new agent, nor the previous one has a row: only the link is made
  // (and listed on the new agent's roster).
  events::AgentAssigned assigned;
  assigned.set_client_id("ghost");
  assigned.set_service("website");
  assigned.set_agent_id("w1");
  assigned.set_previous_agent_id("w0");
  REQUIRE(evolve(assigned).ok());
  const auto linked = rows.rows_of(domain::kIdentityKeyspace);
  CHECK(linked.size() == 2);
  CHECK(linked.contains(domain::agent_client_key("w1", "ghost")));
  CHECK(linked.contains(domain::roster_key("w1")));

  // A row that does not decode is the one error.
  rows.set(domain::kIdentityKeyspace, domain::user_key("ghost"), std::string("\xff\xff\xff"));
  auto corrupt = evolve(changed);
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.error().code == Errc::corruption);
}

TEST_CASE("a revocation written before TokenRevoked carried the digest still revokes its token") {
  testing::MemoryFoldRows rows;
  auto evolve = [&](const google::protobuf::Message& payload) {
    return testing::fold_one(rows, domain::kIdentityKeyspace, payload, "user:u1",
                             testing::kTestEpochUs);
  };
  events::TokenIssued issued;
  issued.set_token_id("t1");
  issued.set_user_id("u1");
  issued.set_token_digest(digest("t1"));
  REQUIRE(evolve(issued).ok());
  events::TokenRevoked old_revocation;  // no token_digest: as written by earlier versions
  old_revocation.set_token_id("t1");
  old_revocation.set_user_id("u1");
  REQUIRE(evolve(old_revocation).ok());
  events::TokenState token;
  REQUIRE(token.ParseFromString(
      rows.rows_of(domain::kIdentityKeyspace).at(domain::token_key(digest("t1")))));
  CHECK(token.revoked());
}

TEST_CASE("32 threads registering one email: exactly one user") {
  LedgerFixture f;
  std::atomic<int> succeeded{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  threads.reserve(32);
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      auto registered = f.ledger.execute_and_wait<events::UserState>(
          {"test", "", "", "", ""}, [i](UnitOfWork& uow) {
            return domain::register_user(
                uow, {domain::UserId{"u" + std::to_string(i)}, "race@example.com", "N", "client",
                      "", 0, "h", true, "self", ""});
          });
      if (registered.ok()) {
        ++succeeded;
      } else if (registered.error().code == Errc::email_taken) {
        ++taken;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 1);
  CHECK(taken == 31);
}

TEST_CASE("16 clients assigned at once to an agent with room for 5: exactly 5") {
  LedgerFixture f;
  REQUIRE(add_user(f, "agent", "agent@x.com", "agent", "website", 5).ok());
  for (int i = 0; i < 16; ++i) {
    REQUIRE(add_user(f, "c" + std::to_string(i), fmt::format("c{}@x.com", i), "client").ok());
  }
  std::atomic<int> succeeded{0};
  std::atomic<int> full{0};
  std::vector<std::thread> threads;
  threads.reserve(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto assigned = f.ledger.execute_and_wait<events::UserState>(
          {"test", "", "", "", ""}, [i](UnitOfWork& uow) {
            return domain::assign_agent(
                uow, {domain::UserId{"c" + std::to_string(i)}, "website", "agent", "a"});
          });
      if (assigned.ok()) {
        ++succeeded;
      } else if (assigned.error().code == Errc::agent_at_capacity) {
        ++full;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 5);
  CHECK(full == 11);
  CHECK(user(f, "agent").assigned_clients() == 5);
}

}  // namespace
}  // namespace ledger
