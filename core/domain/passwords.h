// Passwords: changed by their owner, or reset through a token sent by email.
//
// Rules (each refused command writes nothing):
// - A user changes their password by giving the old one: the caller checks it against the stored
//   hash (scrypt is slow work, done before the command) and says which hash it checked and what
//   it found. A wrong old password, or a hash that changed since it was checked, is
//   wrong_password (naming old_password). The change revokes every other token of the user; the
//   token it came with stays valid.
// - Anyone may ask for a password reset by email. For an existing user who is not deactivated, a
//   reset token (random, made by the caller) is sent by email, valid kPasswordResetLifetimeUs; the
//   log keeps only its keyed MAC (core/code_mac_key.h, purpose kPasswordResetPurpose), and a new
//   request replaces the token sent before. For any other address nothing is written and nothing
//   sent, with the same (empty) answer, so that asking reveals no account.
// - Resetting the password takes the email, the token and the new password's hash. An unknown
//   email, a deactivated user, no pending token, a wrong token (compared in constant time) and an
//   expired one are all the one refusal invalid_reset_token (naming token). A reset sets the
//   password, uses the token up (any password change does) and revokes every token of the user.
// - Both changes write PasswordChanged, with how it changed; the email projection sends the
//   "password changed" security email from it.
//
// Validating a new password (length) and hashing it are the caller's: deciders see only hashes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/code_mac_key.h"
#include "core/domain/ids.h"
#include "core/domain/unit_of_work.h"
#include "events/user_events.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

inline constexpr std::int64_t kPasswordResetLifetimeUs = 30 * kMicrosPerMinute;
inline constexpr std::string_view kPasswordResetPurpose = "password-reset";
inline constexpr std::string_view kPasswordResetTemplate = "password_reset";
// A reset token: at least this many characters (the caller makes 160 random bits as 40 hex).
inline constexpr std::size_t kResetTokenLengthMin = 32;

struct ChangeOwnPassword {
  UserId user_id;
  std::string checked_password_hash;  // the stored hash the old password was checked against
  bool old_password_matches = false;  // what that check found
  std::string new_password_hash;
  std::string kept_token_digest;  // the token the change came with
};
Result<events::UserState> change_own_password(UnitOfWork& uow, const ChangeOwnPassword& command);

struct RequestPasswordReset {
  std::string email;
  std::string token;     // sent by email; only its MAC is recorded
  CodeMacKey token_key;  // the key of that MAC
  EmailId email_id;      // of the outbox email carrying the token
};
// The PasswordResetIssued written, or an empty one when nothing was sent.
Result<events::PasswordResetIssued> request_password_reset(UnitOfWork& uow,
                                                           const RequestPasswordReset& command);

struct ResetPassword {
  std::string email;
  std::string token;  // as the user sent it
  CodeMacKey token_key;
  std::string new_password_hash;
};
Result<events::UserState> reset_password(UnitOfWork& uow, const ResetPassword& command);

}  // namespace ledger::domain
