// Random identity commands for the property test (tests/support/random_ledger.h): registrations
// (clients and agents, verified or waiting for a code; emails drawn from a small pool, so some
// are taken), email verification with the right or a wrong code, before or after it expires,
// password changes (set, or by the owner with the right or a wrong old password), password resets
// asked and used (the right token, a wrong one, a late one), tokens issued and revoked, agents
// assigned per service (across departments and beyond capacity), services switched on and off,
// names, capacities, deactivation and reactivation, email preferences and service settings. Some
// commands name users or tokens never issued, or carry malformed values, on purpose.
//
// Invariants (`check_invariants`): each agent's count of assigned clients is the number of
// clients whose agent it is, never above its capacity, and its roster lists exactly them; a
// deactivated user holds no unexpired token and is part of no assignment; every live token listed
// for a user is that user's and not revoked; every service-settings row is a client's, of a
// service of theirs, holding that service's settings.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/code_mac_key.h"
#include "core/domain/email_preferences.h"
#include "core/domain/identity_fold.h"
#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/passwords.h"
#include "core/domain/service_settings.h"
#include "core/domain/sessions.h"
#include "core/domain/user_profile.h"
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
        &IdentityCommands::register_user,
        &IdentityCommands::verify_email,
        &IdentityCommands::change_password,
        &IdentityCommands::issue_token,
        &IdentityCommands::revoke_token,
        &IdentityCommands::assign_agent,
        &IdentityCommands::assign_agent,
        &IdentityCommands::set_service_active,
        &IdentityCommands::change_own_password,
        &IdentityCommands::ask_password_reset,
        &IdentityCommands::reset_password,
        &IdentityCommands::update_user,
        &IdentityCommands::rename_user,
        &IdentityCommands::set_email_preferences,
        &IdentityCommands::change_service_settings,
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
    std::map<std::string, std::uint32_t> served;                                 // agent -> clients
    std::map<std::string, std::set<std::pair<std::string, std::string>>> links;  // agent -> clients
    for (const auto& [id, user] : users) {
      for (const auto& [service, agent] : user.agents()) {
        ++served[agent];
        links[agent].emplace(id, service);
      }
    }
    for (const auto& id_and_user : users) {
      const auto& [id, user] = id_and_user;
      CAPTURE(id_and_user.first);
      if (user.deactivated()) {
        CHECK(user.agents().empty());
        // Expired tokens may still be listed: they leave at the user's next token event.
        if (auto sessions = row<events::UserSessions>(domain::sessions_key(id))) {
          for (const auto& live : sessions->tokens()) {
            CHECK(live.expires_at_us() <= l_.f.clock.now_us());
          }
        }
      }
      check_live_tokens(id);
      if (user.role() != "agent") continue;
      CHECK(user.assigned_clients() == served[id]);
      CHECK(user.assigned_clients() <= user.max_clients());
      std::set<std::pair<std::string, std::string>> rostered;
      if (auto roster = row<events::AgentRoster>(domain::roster_key(id))) {
        for (const auto& entry : roster->clients()) {
          rostered.emplace(entry.client_id(), entry.service());
        }
      }
      CHECK(rostered == links[id]);
    }
    check_service_settings(users);
  }

 private:
  using UnitOfWork = domain::UnitOfWork;

  static const CodeMacKey& code_key() {
    static const CodeMacKey key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'k'));
    return key;
  }
  static std::string digest(std::string_view text) { return to_hex(sha256(text)); }

  template <class M>
  std::optional<M> row(const std::string& key) {
    return l_.f.row<M>(domain::kIdentityKeyspace, key);
  }

  void check_service_settings(const std::map<std::string, events::UserState>& users) {
    REQUIRE(l_.f.log
                ->scan_state(domain::kIdentityKeyspace, domain::kServiceSettingsKeyPrefix,
                             store::ReadDirection::forward,
                             [&](std::string_view key, std::string_view value) {
                               events::ServiceSettingsState settings;
                               REQUIRE(settings.ParseFromArray(value.data(),
                                                               static_cast<int>(value.size())));
                               CAPTURE(key);
                               const auto user = users.find(settings.client_id());
                               REQUIRE(user != users.end());
                               CHECK(user->second.role() == "client");
                               CHECK(key == domain::service_settings_key(settings.client_id(),
                                                                         settings.service()));
                               using Case = events::ServiceSettings::OfServiceCase;
                               const Case expected =
                                   settings.service() == "marketing" ? Case::kMarketing
                                   : settings.service() == "website" ? Case::kWebsite
                                                                     : Case::kCourses;
                               CHECK(settings.settings().of_service_case() == expected);
                               return true;
                             })
                .ok());
  }

  std::optional<events::UserState> user_row(const std::string& id) {
    if (RandomLedger::is_unknown(id)) return std::nullopt;
    return row<events::UserState>(domain::user_key(id));
  }

  void check_live_tokens(const std::string& user_id) {
    auto sessions = row<events::UserSessions>(domain::sessions_key(user_id));
    if (!sessions) return;
    CHECK(sessions->tokens_size() > 0);  // an emptied row is erased
    CHECK(static_cast<std::size_t>(sessions->tokens_size()) <= domain::kSessionsPerUserMax);
    for (const auto& live : sessions->tokens()) {
      auto token = row<events::TokenState>(domain::token_key(live.token_digest()));
      REQUIRE(token.has_value());
      CHECK(token->user_id() == user_id);
      CHECK_FALSE(token->revoked());
    }
  }

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

  // By the owner: the old password right (checked against the stored hash) or wrong, or checked
  // against a hash that changed since.
  void change_own_password() {
    const std::string user = l_.known_or_unknown(users_);
    const auto found = user_row(user);
    const bool matches = l_.chance(70);
    const bool stale = l_.chance(10);
    const std::string checked = found && !stale ? found->password_hash() : "scrypt$stale";
    const std::string hash = "scrypt$" + l_.f.id();
    const std::string kept = tokens_.empty() ? "" : l_.pick(tokens_);
    l_.send<events::UserState>(RandomLedger::is_unknown(user) ? Refusable::certain({kUnknown})
                               : !matches || stale || found->deactivated()
                                   ? Refusable::certain({kRule})
                                   : Refusable{kRule},
                               [&](UnitOfWork& uow) {
                                 return domain::change_own_password(
                                     uow, {domain::UserId{user}, checked, matches, hash, kept});
                               });
  }

  // For a known user's address or one nobody has: never refused, whatever the address.
  void ask_password_reset() {
    const auto found = user_row(l_.known_or_unknown(users_));
    const std::string email = found ? found->email() : "nobody@example.com";
    const std::string token = digest(l_.f.id());
    const std::string email_id = l_.f.id();
    auto asked = l_.run<events::PasswordResetIssued>(Refusable{}, [&](UnitOfWork& uow) {
      return domain::request_password_reset(uow,
                                            {email, token, code_key(), domain::EmailId{email_id}});
    });
    if (asked.ok() && !asked->answer.user_id().empty()) resets_[email] = token;
  }

  // The token last sent (it may have expired, been replaced or used) or a wrong one.
  void reset_password() {
    if (resets_.empty()) return;
    auto sent = resets_.begin();
    std::advance(sent, l_.between(0, static_cast<std::int64_t>(resets_.size()) - 1));
    const bool right = l_.chance(70);
    const std::string email = sent->first;
    const std::string token = right ? sent->second : digest("wrong");
    const std::string hash = "scrypt$" + l_.f.id();
    auto reset = l_.run<events::UserState>(
        right ? Refusable{kRule} : Refusable::certain({kRule}), [&](UnitOfWork& uow) {
          return domain::reset_password(uow, {email, token, code_key(), hash});
        });
    if (reset.ok()) resets_.erase(email);  // used up
  }

  // An admin's update: a name, an agent's capacity (below its clients now and then), activation
  // (the admin itself now and then); a capacity for a non-agent or of 0 is malformed.
  void update_user() {
    const std::string user = l_.known_or_unknown(users_);
    const auto found = user_row(user);
    domain::UpdateUser command{.user_id = domain::UserId{user}, .updated_by = "admin"};
    if (l_.chance(30)) command.name = "Renamed " + l_.f.id();
    if (l_.chance(40)) command.active = l_.chance(50);
    const bool agent = found && found->role() == "agent";
    const bool malformed = l_.chance(5);
    if (malformed) {
      command.max_clients = agent ? 0 : 2;
    } else if (agent && l_.chance(40)) {
      command.max_clients = static_cast<std::uint32_t>(l_.between(1, 4));
    }
    l_.send<events::UserState>(RandomLedger::is_unknown(user) ? Refusable::certain({kUnknown})
                                                              : refused_as_if(malformed, kInvalid),
                               [&](UnitOfWork& uow) { return domain::update_user(uow, command); });
  }

  void rename_user() {
    const std::string user = l_.known_or_unknown(users_);
    const bool malformed = l_.chance(5);
    const std::string name = malformed ? "" : "Name " + l_.f.id();
    l_.send<events::UserState>(
        RandomLedger::is_unknown(user) && !malformed ? Refusable::certain({kUnknown})
        : malformed                                  ? Refusable::certain({kInvalid})
                                                     : Refusable{},
        [&](UnitOfWork& uow) {
          return domain::rename_user(uow, {domain::UserId{user}, name, domain::UserId{user}});
        });
  }

  void set_email_preferences() {
    const std::string user = l_.known_or_unknown(users_);
    const bool malformed = l_.chance(5);
    std::map<events::EmailCategory, bool> wanted;
    for (const auto category : domain::optional_email_categories()) {
      if (l_.chance(30)) wanted[category] = l_.chance(50);
    }
    if (malformed) wanted[events::EMAIL_CATEGORY_SECURITY] = false;
    l_.send<events::UserState>(
        malformed                        ? Refusable::certain({kInvalid})
        : RandomLedger::is_unknown(user) ? Refusable::certain({kUnknown})
                                         : Refusable{},
        [&](UnitOfWork& uow) {
          return domain::set_email_preferences(uow, {domain::UserId{user}, wanted});
        });
  }

  // A user (perhaps not a client, perhaps unknown) changes random settings of a service, now and
  // then one of another service's, a malformed time zone or an unknown service.
  void change_service_settings() {
    const std::string user = l_.known_or_unknown(users_);
    static const std::string kServices[] = {"marketing", "website", "courses"};
    const bool unknown_service = l_.chance(3);
    const std::string service = unknown_service ? "catering" : l_.pick(kServices);
    domain::ServiceSettingsChanges changes;
    if (l_.chance(40)) changes.posting_timezone = l_.chance(10) ? "Moon/Base" : "Europe/Oslo";
    if (l_.chance(40)) changes.approval_required = l_.chance(50);
    if (l_.chance(40)) changes.weekly_report = l_.chance(50);
    if (l_.chance(40))
      changes.preferred_stack =
          l_.chance(50) ? events::WEBSITE_STACK_STATIC : events::WEBSITE_STACK_SHOPIFY;
    if (l_.chance(40)) changes.staging_notifications = l_.chance(50);
    if (l_.chance(40)) changes.learning_reminders = events::LEARNING_REMINDERS_DAILY;
    const bool marketing =
        changes.posting_timezone || changes.approval_required || changes.weekly_report;
    const bool website = changes.preferred_stack || changes.staging_notifications;
    const bool courses = changes.learning_reminders.has_value();
    const bool foreign = (marketing && service != "marketing") ||
                         (website && service != "website") || (courses && service != "courses");
    const bool bad_zone = changes.posting_timezone == "Moon/Base";
    const auto found = user_row(user);
    const bool not_client = found && found->role() != "client";
    l_.send<events::ServiceSettingsState>(
        unknown_service || (found && (not_client || foreign || bad_zone))
            ? Refusable::certain({kInvalid})
        : !found ? Refusable::certain({kUnknown})
                 : Refusable{},
        [&](UnitOfWork& uow) {
          return domain::change_service_settings(uow, {domain::UserId{user}, service, changes});
        });
  }

  RandomLedger& l_;
  std::map<std::string, std::string> resets_;  // email -> the reset token last sent to it
  std::vector<std::string> users_;
  std::map<std::string, std::string> codes_;  // email -> the code sent to it
  std::vector<std::string> tokens_;           // digests
};

}  // namespace ledger::testing
