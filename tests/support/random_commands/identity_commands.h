// Random identity commands for the property test (tests/support/random_ledger.h): registrations
// (clients and agents, verified or waiting for a code; emails drawn from a small pool, so some
// are taken), email verification with the right or a wrong code, before or after it expires,
// password changes, tokens issued and revoked, agents assigned per service (across departments
// and beyond capacity) and services switched on and off. Some commands name users or tokens
// never issued, or carry malformed values, on purpose.
//
// Invariant (`check_invariants`): each agent's count of assigned clients is the number of
// clients whose agent it is, and never above its capacity.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/code_mac_key.h"
#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "events/user_state.pb.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class IdentityCommands {
 public:
  explicit IdentityCommands(RandomLedger& ledger) : l_(ledger) {
    register_known("admin", "admin", "");
    for (const auto& client : l_.clients) register_known(client, "client", "");
    for (const auto& agent : l_.marketing_agents) register_known(agent, "agent", "marketing");
    for (const auto& agent : l_.website_agents) register_known(agent, "agent", "website");
  }

  void step() {
    using Command = void (IdentityCommands::*)();
    static constexpr Command kCommands[] = {
        &IdentityCommands::register_user,   &IdentityCommands::verify_email,
        &IdentityCommands::change_password, &IdentityCommands::issue_token,
        &IdentityCommands::revoke_token,    &IdentityCommands::assign_agent,
        &IdentityCommands::assign_agent,    &IdentityCommands::set_service_active,
    };
    (this->*l_.pick(kCommands))();
  }

  void check_invariants() {
    std::map<std::string, events::UserState> users;
    REQUIRE(l_.f.log
                ->scan_state(domain::kIdentityKeyspace, domain::kUserKeyPrefix,
                             store::ReadDirection::forward,
                             [&](std::string_view, std::string_view value) {
                               events::UserState user;
                               REQUIRE(user.ParseFromArray(value.data(),
                                                           static_cast<int>(value.size())));
                               users.emplace(user.user_id(), std::move(user));
                               return true;
                             })
                .ok());
    std::map<std::string, std::uint32_t> served;  // agent -> clients
    for (const auto& [id, user] : users) {
      for (const auto& [service, agent] : user.agents()) ++served[agent];
    }
    for (const auto& id_and_user : users) {
      const auto& [id, user] = id_and_user;
      if (user.role() != "agent") continue;
      CAPTURE(id_and_user.first);
      CHECK(user.assigned_clients() == served[id]);
      CHECK(user.assigned_clients() <= user.max_clients());
    }
  }

 private:
  using UnitOfWork = domain::UnitOfWork;

  static const CodeMacKey& code_key() {
    static const CodeMacKey key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'k'));
    return key;
  }
  static std::string digest(std::string_view text) { return to_hex(sha256(text)); }

  void register_known(const std::string& id, const std::string& role,
                      const std::string& department) {
    const std::string email = id + "@example.com";
    REQUIRE(l_.f.run<events::UserState>([&](UnitOfWork& uow) {
                  return domain::register_user(
                      uow, {domain::UserId{id}, email, "Name " + id, role, department,
                            role == "agent" ? 2u : 0u, "scrypt$hash", true, "admin", ""});
                })
                .ok());
    users_.push_back(id);
  }

  void register_user() {
    const bool reused_id = l_.chance(5);
    const bool malformed = !reused_id && l_.chance(5);
    const std::string id = reused_id ? l_.pick(users_) : l_.f.id();
    // A fresh address for a reused id, so that the id is what is refused.
    const std::string email = reused_id ? id + ".again@example.com"
                              : malformed
                                  ? "not-an-email"
                                  : "person" + std::to_string(l_.between(1, 12)) + "@example.com";
    const bool agent = l_.chance(30);
    const std::string role = agent ? "agent" : "client";
    const std::string department = agent ? (l_.chance(50) ? "marketing" : "website") : "";
    const std::uint32_t capacity = agent ? static_cast<std::uint32_t>(l_.between(0, 3)) : 0;
    const bool verified = l_.chance(50);
    const std::string code = std::to_string(l_.between(100'000, 999'999));
    const std::string mac =
        verified ? "" : code_key().code_mac(domain::kEmailVerificationPurpose, id, code);
    const std::string email_id = l_.f.id();
    auto result = l_.run<events::UserState>(
        refused_as_if(reused_id || malformed, kInvalid), [&](UnitOfWork& uow) {
          return domain::register_user(
              uow, {domain::UserId{id}, email, "Name " + id, role, department, capacity,
                    "scrypt$hash", verified, "admin", mac, verified ? "" : code,
                    domain::EmailId{verified ? "" : email_id}});
        });
    if (!result.ok()) return;
    users_.push_back(id);
    if (!verified) codes_[email] = code;
    if (agent) {
      (department == "marketing" ? l_.marketing_agents : l_.website_agents).push_back(id);
    } else {
      l_.clients.push_back(id);
    }
  }

  void verify_email() {
    if (codes_.empty()) return;
    auto waiting = codes_.begin();
    std::advance(waiting, l_.between(0, static_cast<std::int64_t>(codes_.size()) - 1));
    const bool right = l_.chance(70);
    const std::string email = waiting->first;
    const std::string code = right ? waiting->second : "000000";
    // A wrong or expired code (the clock moves on) is invalid_verification_code.
    l_.send<events::UserState>({kRule}, [&](UnitOfWork& uow) {
      return domain::verify_email(uow, {email, code, code_key()});
    });
  }

  void change_password() {
    const std::string user = l_.known_or_unknown(users_);
    const bool malformed = l_.chance(5);
    const std::string hash = malformed ? "" : "scrypt$" + l_.f.id();
    l_.send<events::UserState>(RandomLedger::is_unknown(user) ? Refusable::certain({kUnknown})
                                                              : refused_as_if(malformed, kInvalid),
                               [&](UnitOfWork& uow) {
                                 return domain::change_password(uow, {domain::UserId{user}, hash});
                               });
  }

  void issue_token() {
    const std::string user = l_.known_or_unknown(users_);
    const std::string token = l_.f.id();
    // An expiry in the past now and then: invalid_argument, once the user is found verified.
    const bool malformed = l_.chance(5);
    const std::int64_t expires_at =
        l_.f.clock.now_us() + (malformed ? -1 : 1) * l_.between(1, 48) * kMicrosPerHour;
    auto result = l_.run<events::TokenState>(
        RandomLedger::is_unknown(user) ? Refusable::certain({kUnknown})
        : malformed                    ? Refusable::certain({kInvalid, kRule})
                                       : Refusable{kRule},
        [&](UnitOfWork& uow) {
          return domain::issue_token(
              uow, {domain::TokenId{token}, domain::UserId{user}, digest(token), expires_at});
        });
    if (result.ok()) tokens_.push_back(digest(token));
  }

  void revoke_token() {
    const bool unknown = tokens_.empty() || l_.chance(10);
    const std::string token = unknown ? digest(l_.unknown_id()) : l_.pick(tokens_);
    l_.send<events::TokenState>(refused_as_if(unknown, kUnknown), [&](UnitOfWork& uow) {
      return domain::revoke_token(uow, {token, "admin"});
    });
  }

  void assign_agent() {
    const bool unknown = l_.chance(5);
    const bool malformed = !unknown && l_.chance(5);
    const std::string client = unknown ? l_.unknown_id() : l_.pick(l_.clients);
    const std::string service = malformed ? "courses" : l_.chance(60) ? "marketing" : "website";
    // Agents of either department: a mismatch is department_mismatch.
    const std::string agent =
        l_.chance(60) ? l_.pick(l_.marketing_agents) : l_.pick(l_.website_agents);
    l_.send<events::UserState>(
        unknown ? Refusable::certain({kUnknown}) : refused_as_if(malformed, kInvalid),
        [&](UnitOfWork& uow) {
          return domain::assign_agent(
              uow, {domain::UserId{client}, service, domain::UserId{agent}, "admin"});
        });
  }

  void set_service_active() {
    const bool unknown = l_.chance(5);
    const bool malformed = !unknown && l_.chance(5);
    const std::string client = unknown ? l_.unknown_id() : l_.pick(l_.clients);
    static const std::string kServices[] = {"marketing", "website", "courses"};
    const std::string service = malformed ? "catering" : l_.pick(kServices);
    const bool active = l_.chance(60);
    l_.send<events::UserState>(
        unknown ? Refusable::certain({kUnknown}) : refused_as_if(malformed, kInvalid),
        [&](UnitOfWork& uow) {
          return domain::set_service_active(uow, {domain::UserId{client}, service, active});
        });
  }

  RandomLedger& l_;
  std::vector<std::string> users_;
  std::map<std::string, std::string> codes_;  // email -> the code sent to it
  std::vector<std::string> tokens_;           // digests
};

}  // namespace ledger::testing
