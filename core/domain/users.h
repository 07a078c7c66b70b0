// Users, roles, sessions and who serves whom: what authorization decisions are made from.
//
// Rules (each refused command writes nothing):
// - A user has a unique email (lower-cased; email_taken otherwise), a name, a role (admin,
//   client, agent); agents have a department (marketing or website) and a capacity
//   (max_clients >= 1); others have neither.
// - Self-registered clients start unverified, with a verification code valid for 10 minutes,
//   stored only as its keyed MAC (core/code_mac_key.h, purpose kEmailVerificationPurpose);
//   verifying with a wrong or expired code is invalid_verification_code, checked in constant
//   time. Codes issued before codes were keyed (stored as a bare SHA-256) are still accepted
//   until they expire. Unverified users get no token (email_not_verified).
// - An agent is assigned to a client per service; the agent's department must be the service
//   (department_mismatch) and the agent must have room (agent_at_capacity, counted over distinct
//   clients); neither may be deactivated (account_deactivated). Reassigning frees the previous
//   agent's place; assigning the same agent again is a no-op answer.
// - Clients activate and deactivate services (marketing, website, courses); repeating either is
//   a no-op answer.
// - Tokens are issued to verified users who are not deactivated (account_deactivated) and can be
//   revoked (revoking twice is a no-op). A user holds at most kSessionsPerUserMax live tokens: a
//   login beyond them revokes the oldest (sessions.h).
// - Passwords changed or reset, profiles, deactivation and email preferences: passwords.h,
//   user_profile.h, email_preferences.h.
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "identity" fold
// (identity_fold.h). The one thing written beside the events is the verification email, queued in
// the outbox (UnitOfWork::queue_email). Slow or random work (scrypt hashing, making tokens and
// codes) is done by the caller before the command: deciders only see digests and hashes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/code_mac_key.h"
#include "core/domain/identity_fold.h"  // the row keys of the "identity" keyspace, for readers
#include "core/domain/unit_of_work.h"
#include "core/store/event_log.h"
#include "events/outbox_state.pb.h"
#include "events/user_events.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

inline constexpr std::int64_t kVerificationCodeLifetimeUs = 10 * kMicrosPerMinute;
inline constexpr std::uint32_t kDefaultAgentCapacity = 10;
inline constexpr std::uint32_t kAgentCapacityMax = 10'000;
inline constexpr std::string_view kEmailVerificationPurpose = "email-verification";
inline constexpr std::string_view kVerificationCodeTemplate = "verification_code";

std::string user_stream(std::string_view user_id);

// The user's row as this command sees it; not_found (naming `field`) when there is none.
Result<events::UserState> load_user(UnitOfWork& uow, std::string_view user_id,
                                    std::string_view field = "user_id");
// The row of the user with this lower-cased email; not_found naming "email" when none.
Result<events::UserState> load_user_by_email(UnitOfWork& uow, std::string_view email);

// Lower-cases and checks an email address (one '@', a dot in the domain, no spaces, <= 254).
Result<std::string> normalize_email(std::string_view email);

struct RegisterUser {
  UserId user_id;
  std::string email;
  std::string name;
  std::string role;               // "admin", "client", "agent"
  std::string department;         // agents only
  std::uint32_t max_clients = 0;  // agents only; 0: the default capacity
  std::string password_hash;
  bool email_verified = false;
  ActorId registered_by;
  std::string verification_digest;  // unverified users: MAC of the code sent by email
  std::string verification_code;    // unverified users: the code itself, for the outbox email
  EmailId email_id;                 // unverified users: id of that outbox email
};
Result<events::UserState> register_user(UnitOfWork& uow, const RegisterUser& command);

struct VerifyEmail {
  std::string email;
  std::string code;     // as the user typed it
  CodeMacKey code_key;  // the key the code's MAC was made with
};
Result<events::UserState> verify_email(UnitOfWork& uow, const VerifyEmail& command);

struct ChangePassword {
  UserId user_id;
  std::string password_hash;
};
Result<events::UserState> change_password(UnitOfWork& uow, const ChangePassword& command);

struct IssueToken {
  TokenId token_id;
  UserId user_id;
  std::string token_digest;
  std::int64_t expires_at_us = 0;
};
Result<events::TokenState> issue_token(UnitOfWork& uow, const IssueToken& command);

struct RevokeToken {
  std::string token_digest;
  ActorId revoked_by;
};
Result<events::TokenState> revoke_token(UnitOfWork& uow, const RevokeToken& command);

struct AssignAgent {
  UserId client_id;
  std::string service;  // "marketing" or "website"
  UserId agent_id;
  ActorId assigned_by;
};
Result<events::UserState> assign_agent(UnitOfWork& uow, const AssignAgent& command);

struct SetServiceActive {
  UserId client_id;
  std::string service;  // "marketing", "website", "courses"
  bool active = true;
};
Result<events::UserState> set_service_active(UnitOfWork& uow, const SetServiceActive& command);

// --- reads for the HTTP layer (never through the writer) ---------------------------------------

Result<std::optional<events::UserState>> find_user(const store::EventLog& log,
                                                   std::string_view user_id);
Result<std::optional<events::UserState>> find_user_by_email(const store::EventLog& log,
                                                            std::string_view email);
Result<std::optional<events::TokenState>> find_token(const store::EventLog& log,
                                                     std::string_view token_digest);

}  // namespace ledger::domain
