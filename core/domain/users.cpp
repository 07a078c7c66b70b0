#include "core/domain/users.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/sessions.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/hex.h"
#include "core/secret_token.h"

namespace ledger::domain {
namespace {

Result<events::TokenState> load_token(UnitOfWork& uow, std::string_view token_digest) {
  auto row = uow.load<events::TokenState>(kIdentityKeyspace, token_key(token_digest));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, "there is no such token");
  return std::move(**row);
}

Status validate_registration(const RegisterUser& command) {
  if (auto valid = require_id(command.user_id.str(), "user_id"); !valid) return valid;
  if (auto valid = require_text(command.name, "name", text_limits::kName); !valid) return valid;
  if (command.role != "admin" && command.role != "client" && command.role != "agent") {
    return make_error(Errc::invalid_argument, "role must be admin, client or agent", "role");
  }
  if (command.role == "agent") {
    if (command.department != "marketing" && command.department != "website") {
      return make_error(Errc::invalid_argument,
                        "an agent's department must be marketing or website", "department");
    }
    if (command.max_clients > kAgentCapacityMax) {
      return make_error(Errc::invalid_argument,
                        fmt::format("max_clients is at most {}", kAgentCapacityMax), "max_clients");
    }
  } else {
    if (!command.department.empty()) {
      return make_error(Errc::invalid_argument, "only agents have a department", "department");
    }
    if (command.max_clients != 0) {
      return make_error(Errc::invalid_argument, "only agents have max_clients", "max_clients");
    }
  }
  if (command.password_hash.empty()) {
    return make_error(Errc::invalid_argument, "password is required", "password");
  }
  if (!command.email_verified && command.verification_digest.empty()) {
    return make_error(Errc::invalid_argument, "an unverified user needs a verification code",
                      "email");
  }
  return {};
}

// Both comparisons always run, in constant time. A bare SHA-256 is what codes issued before
// codes were keyed were stored as: they are accepted until they expire (10 minutes), so nobody who
// registered just before the upgrade is locked out. A keyed code cannot match as a bare hash.
bool verification_code_matches(const events::UserState& user, const VerifyEmail& command) {
  const std::string& stored = user.verification_digest();
  const std::string keyed =
      command.code_key.code_mac(kEmailVerificationPurpose, user.user_id(), command.code);
  const bool keyed_matches = constant_time_equal(stored, keyed);
  const bool bare_matches = constant_time_equal(stored, to_hex(sha256(command.code)));
  return !stored.empty() && (keyed_matches || bare_matches);
}

Status emit_to_user(UnitOfWork& uow, std::string_view user_id, const auto& event) {
  return uow.emit(user_stream(user_id), event);
}

// The code itself exists only in the outbox row, which is deleted once the email is sent.
events::OutboxEmail verification_email(const RegisterUser& command, const std::string& email,
                                       std::int64_t now_us) {
  events::OutboxEmail message;
  message.set_email_id(command.email_id.str());
  message.set_to(email);
  message.set_template_name(std::string(kVerificationCodeTemplate));
  message.set_subject("Your verification code");
  message.set_text_body(
      fmt::format("Hello {},\n\nYour verification code is {}. It is valid for 10 minutes.\n",
                  command.name, command.verification_code));
  message.set_created_at_us(now_us);
  message.set_status("queued");
  message.set_dedup_key("verification:" + command.user_id.str());
  return message;
}

}  // namespace

std::string user_stream(std::string_view user_id) { return "user:" + std::string(user_id); }

Result<events::UserState> load_user(UnitOfWork& uow, std::string_view user_id,
                                    std::string_view field) {
  auto row = uow.load<events::UserState>(kIdentityKeyspace, user_key(user_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no user {}", user_id),
                      std::string(field));
  }
  return std::move(**row);
}

Result<events::UserState> load_user_by_email(UnitOfWork& uow, std::string_view email) {
  auto index = uow.load<events::EmailIndex>(kIdentityKeyspace, email_key(email));
  if (!index) return std::move(index).error();
  if (!index->has_value()) {
    return make_error(Errc::not_found, "there is no user with that email", "email");
  }
  return load_user(uow, (*index)->user_id());
}

Result<std::string> normalize_email(std::string_view email) {
  std::string lower(email);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const auto at = lower.find('@');
  const bool characters_ok = !lower.empty() && lower.size() <= text_limits::kEmail &&
                             std::none_of(lower.begin(), lower.end(), [](char c) {
                               return static_cast<unsigned char>(c) <= ' ' || c == '\x7f' ||
                                      c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
                                      c == '(' || c == ')' || c == '\\';
                             });
  const bool one_at = at != std::string::npos && at > 0 &&
                      lower.find('@', at + 1) == std::string::npos && at + 1 < lower.size();
  // "localhost" is the one dotless domain accepted: the first admin is admin@localhost.
  const bool domain_ok =
      one_at && (lower.substr(at) == "@localhost" ||
                 (lower.find('.', at + 2) != std::string::npos && lower.back() != '.'));
  if (!characters_ok || !one_at || !domain_ok) {
    return make_error(Errc::invalid_argument, "email is not a valid email address", "email");
  }
  return lower;
}

Result<events::UserState> register_user(UnitOfWork& uow, const RegisterUser& command) {
  auto email = normalize_email(command.email);
  if (!email) return std::move(email).error();
  if (auto valid = validate_registration(command); !valid) return std::move(valid).error();
  auto taken = uow.exists(kIdentityKeyspace, email_key(*email));
  if (!taken) return std::move(taken).error();
  if (*taken) {
    return make_error(Errc::email_taken, "a user with this email already exists", "email");
  }
  if (auto unused =
          uow.require_unused(command.user_id, kIdentityKeyspace, user_key(command.user_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  const std::uint32_t capacity = command.role != "agent"    ? 0
                                 : command.max_clients == 0 ? kDefaultAgentCapacity
                                                            : command.max_clients;

  events::UserRegistered registered;
  registered.set_user_id(command.user_id.str());
  registered.set_email(*email);
  registered.set_name(command.name);
  registered.set_role(command.role);
  registered.set_department(command.department);
  registered.set_max_clients(capacity);
  registered.set_password_hash(command.password_hash);
  registered.set_email_verified(command.email_verified);
  registered.set_registered_by(command.registered_by.str());
  if (auto emitted = emit_to_user(uow, command.user_id.str(), registered); !emitted) {
    return std::move(emitted).error();
  }
  if (!command.email_verified) {
    events::EmailVerificationIssued issued;
    issued.set_user_id(command.user_id.str());
    issued.set_email(*email);
    issued.set_code_digest(command.verification_digest);
    issued.set_expires_at_us(uow.now_us() + kVerificationCodeLifetimeUs);
    if (auto emitted = emit_to_user(uow, command.user_id.str(), issued); !emitted) {
      return std::move(emitted).error();
    }
    if (!command.verification_code.empty()) {
      uow.queue_email(verification_email(command, *email, uow.now_us()));
    }
  }
  return load_user(uow, command.user_id.str());
}

Result<events::UserState> verify_email(UnitOfWork& uow, const VerifyEmail& command) {
  auto email = normalize_email(command.email);
  if (!email) return std::move(email).error();
  auto user = load_user_by_email(uow, *email);
  if (!user) {
    // An unknown address gets the same answer as a wrong code: no probing for accounts.
    if (user.error().code == Errc::not_found) {
      return make_error(Errc::invalid_verification_code, "the code is wrong or has expired",
                        "code");
    }
    return std::move(user).error();
  }
  if (user->email_verified()) return user;
  if (!verification_code_matches(*user, command) ||
      uow.now_us() >= user->verification_expires_at_us()) {
    return make_error(Errc::invalid_verification_code, "the code is wrong or has expired", "code");
  }
  events::EmailVerified verified;
  verified.set_user_id(user->user_id());
  if (auto emitted = emit_to_user(uow, user->user_id(), verified); !emitted) {
    return std::move(emitted).error();
  }
  return load_user(uow, user->user_id());
}

Result<events::UserState> change_password(UnitOfWork& uow, const ChangePassword& command) {
  auto user = load_user(uow, command.user_id.str());
  if (!user) return std::move(user).error();
  if (command.password_hash.empty()) {
    return make_error(Errc::invalid_argument, "password is required", "password");
  }
  events::PasswordChanged changed;
  changed.set_user_id(command.user_id.str());
  changed.set_password_hash(command.password_hash);
  if (auto emitted = emit_to_user(uow, command.user_id.str(), changed); !emitted) {
    return std::move(emitted).error();
  }
  return load_user(uow, command.user_id.str());
}

Result<events::TokenState> issue_token(UnitOfWork& uow, const IssueToken& command) {
  auto user = load_user(uow, command.user_id.str());
  if (!user) return std::move(user).error();
  if (user->deactivated()) {
    return make_error(Errc::account_deactivated, "this account is deactivated", "email");
  }
  if (!user->email_verified()) {
    return make_error(Errc::email_not_verified, "verify your email address first", "email");
  }
  if (command.token_digest.size() != 64 || command.token_id.empty() ||
      command.expires_at_us <= uow.now_us()) {
    return make_error(Errc::invalid_argument, "a token needs an id, a digest and a future expiry");
  }
  if (auto unused = uow.require_unused(command.token_id, kIdentityKeyspace,
                                       token_id_key(command.token_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  if (auto room = make_room_for_session(uow, command.user_id); !room) {
    return std::move(room).error();
  }
  events::TokenIssued issued;
  issued.set_token_id(command.token_id.str());
  issued.set_user_id(command.user_id.str());
  issued.set_token_digest(command.token_digest);
  issued.set_expires_at_us(command.expires_at_us);
  if (auto emitted = uow.emit("token:" + command.token_id.str(), issued); !emitted) {
    return std::move(emitted).error();
  }
  return load_token(uow, command.token_digest);
}

Result<events::TokenState> revoke_token(UnitOfWork& uow, const RevokeToken& command) {
  auto token = load_token(uow, command.token_digest);
  if (!token) return std::move(token).error();
  if (token->revoked()) return token;
  events::TokenRevoked revoked;
  revoked.set_token_id(token->token_id());
  revoked.set_user_id(token->user_id());
  revoked.set_revoked_by(command.revoked_by.str());
  revoked.set_token_digest(command.token_digest);
  if (auto emitted = uow.emit("token:" + token->token_id(), revoked); !emitted) {
    return std::move(emitted).error();
  }
  return load_token(uow, command.token_digest);
}

Result<events::UserState> assign_agent(UnitOfWork& uow, const AssignAgent& command) {
  if (command.service != "marketing" && command.service != "website") {
    return make_error(Errc::invalid_argument, "service must be marketing or website", "service");
  }
  auto client = load_user(uow, command.client_id.str(), "client_id");
  if (!client) return std::move(client).error();
  if (client->role() != "client") {
    return make_error(Errc::not_found,
                      fmt::format("there is no client {}", command.client_id.str()), "client_id");
  }
  auto agent = load_user(uow, command.agent_id.str(), "agent_id");
  if (!agent) return std::move(agent).error();
  if (agent->role() != "agent") {
    return make_error(Errc::invalid_argument,
                      fmt::format("user {} is not an agent", command.agent_id.str()), "agent_id");
  }
  if (client->deactivated() || agent->deactivated()) {
    return make_error(
        Errc::account_deactivated,
        fmt::format("{} is deactivated", client->deactivated() ? "the client" : "the agent"),
        client->deactivated() ? "client_id" : "agent_id");
  }
  if (agent->department() != command.service) {
    return make_error(Errc::department_mismatch,
                      fmt::format("agent {} works in {}, not {}", agent->name(),
                                  agent->department(), command.service),
                      "agent_id");
  }
  const auto current = client->agents().find(command.service);
  const std::string previous = current == client->agents().end() ? "" : current->second;
  if (previous == command.agent_id.str()) return client;
  if (agent->assigned_clients() >= agent->max_clients()) {
    return make_error(
        Errc::agent_at_capacity,
        fmt::format("agent {} already serves {} clients", agent->name(), agent->assigned_clients()),
        "agent_id");
  }

  events::AgentAssigned assigned;
  assigned.set_client_id(command.client_id.str());
  assigned.set_service(command.service);
  assigned.set_agent_id(command.agent_id.str());
  assigned.set_previous_agent_id(previous);
  assigned.set_assigned_by(command.assigned_by.str());
  if (auto emitted = emit_to_user(uow, command.client_id.str(), assigned); !emitted) {
    return std::move(emitted).error();
  }
  return load_user(uow, command.client_id.str(), "client_id");
}

Result<events::UserState> set_service_active(UnitOfWork& uow, const SetServiceActive& command) {
  if (command.service != "marketing" && command.service != "website" &&
      command.service != "courses") {
    return make_error(Errc::invalid_argument, "service must be marketing, website or courses",
                      "service");
  }
  auto client = load_user(uow, command.client_id.str(), "client_id");
  if (!client) return std::move(client).error();
  if (client->role() != "client") {
    return make_error(Errc::invalid_argument, "only clients activate services", "client_id");
  }
  const auto& services = client->active_services();
  const bool active =
      std::find(services.begin(), services.end(), command.service) != services.end();
  if (active == command.active) return client;
  Status emitted;
  if (command.active) {
    events::ServiceActivated activated;
    activated.set_client_id(command.client_id.str());
    activated.set_service(command.service);
    emitted = emit_to_user(uow, command.client_id.str(), activated);
  } else {
    events::ServiceDeactivated deactivated;
    deactivated.set_client_id(command.client_id.str());
    deactivated.set_service(command.service);
    emitted = emit_to_user(uow, command.client_id.str(), deactivated);
  }
  if (!emitted) return std::move(emitted).error();
  return load_user(uow, command.client_id.str(), "client_id");
}

Result<std::optional<events::UserState>> find_user(const store::EventLog& log,
                                                   std::string_view user_id) {
  if (user_id.empty()) return std::optional<events::UserState>();
  return read_row<events::UserState>(log, kIdentityKeyspace, user_key(user_id));
}

Result<std::optional<events::UserState>> find_user_by_email(const store::EventLog& log,
                                                            std::string_view email) {
  auto normalized = normalize_email(email);
  if (!normalized) return std::optional<events::UserState>();
  auto index = read_row<events::EmailIndex>(log, kIdentityKeyspace, email_key(*normalized));
  if (!index) return std::move(index).error();
  if (!index->has_value()) return std::optional<events::UserState>();
  return find_user(log, (*index)->user_id());
}

Result<std::optional<events::TokenState>> find_token(const store::EventLog& log,
                                                     std::string_view token_digest) {
  return read_row<events::TokenState>(log, kIdentityKeyspace, token_key(token_digest));
}

}  // namespace ledger::domain
