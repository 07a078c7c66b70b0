#include "core/domain/passwords.h"

#include <fmt/format.h>

#include "core/domain/sessions.h"
#include "core/domain/users.h"
#include "core/secret_token.h"

namespace ledger::domain {
namespace {

Status require_password_hash(const std::string& hash) {
  if (hash.empty()) return make_error(Errc::invalid_argument, "password is required", "password");
  return {};
}

// Sets the password and revokes the user's tokens but `kept_token_digest`.
Result<events::UserState> set_password(UnitOfWork& uow, const events::UserState& user,
                                       const std::string& password_hash,
                                       events::PasswordChangeKind kind,
                                       std::string_view kept_token_digest) {
  events::PasswordChanged changed;
  changed.set_user_id(user.user_id());
  changed.set_password_hash(password_hash);
  changed.set_kind(kind);
  if (auto emitted = uow.emit(user_stream(user.user_id()), changed); !emitted) {
    return std::move(emitted).error();
  }
  const UserId user_id{user.user_id()};
  if (auto revoked = revoke_sessions(uow, user_id, kept_token_digest, user_id); !revoked) {
    return std::move(revoked).error();
  }
  return load_user(uow, user.user_id());
}

Error invalid_reset_token() {
  return make_error(Errc::invalid_reset_token, "the reset token is wrong, used or expired",
                    "token");
}

// The MAC is computed and compared whatever the row holds, in constant time.
bool reset_token_matches(const events::UserState& user, const ResetPassword& command,
                         std::int64_t now_us) {
  const std::string mac =
      command.token_key.code_mac(kPasswordResetPurpose, user.user_id(), command.token);
  const bool matches = constant_time_equal(user.reset_token_mac(), mac);
  return matches && !user.reset_token_mac().empty() && now_us < user.reset_expires_at_us() &&
         !user.deactivated();
}

// The token exists only in the outbox row, which delivery empties once the email is sent.
events::OutboxEmail reset_email(const events::UserState& user, const RequestPasswordReset& command,
                                std::int64_t now_us) {
  events::OutboxEmail message;
  message.set_email_id(command.email_id.str());
  message.set_to(user.email());
  message.set_template_name(std::string(kPasswordResetTemplate));
  message.set_subject("Reset your password");
  message.set_text_body(fmt::format(
      "Hello {},\n\nsomeone asked to reset the password of your account. To choose a new one, "
      "send this token with it within 30 minutes:\n\n{}\n\nIt works once. If you did not ask, "
      "ignore this email: your password stays as it is.\n",
      user.name(), command.token));
  message.set_created_at_us(now_us);
  message.set_status("queued");
  message.set_dedup_key("password-reset:" + user.user_id() + ":" + command.email_id.str());
  return message;
}

}  // namespace

Result<events::UserState> change_own_password(UnitOfWork& uow, const ChangeOwnPassword& command) {
  auto user = load_user(uow, command.user_id.str());
  if (!user) return std::move(user).error();
  if (user->deactivated()) {
    return make_error(Errc::account_deactivated, "this account is deactivated");
  }
  // The hash compared in constant time: it is what the old password was checked against.
  const bool still_current =
      constant_time_equal(user->password_hash(), command.checked_password_hash);
  if (!command.old_password_matches || !still_current) {
    return make_error(Errc::wrong_password, "the old password is wrong", "old_password");
  }
  // Checked after the old password: a caller that found it wrong makes no new hash.
  if (auto valid = require_password_hash(command.new_password_hash); !valid) {
    return std::move(valid).error();
  }
  return set_password(uow, *user, command.new_password_hash, events::PASSWORD_CHANGE_KIND_CHANGED,
                      command.kept_token_digest);
}

Result<events::PasswordResetIssued> request_password_reset(UnitOfWork& uow,
                                                           const RequestPasswordReset& command) {
  auto email = normalize_email(command.email);
  if (!email) return std::move(email).error();
  if (command.token.size() < kResetTokenLengthMin || command.email_id.empty()) {
    return make_error(Errc::invalid_argument, "a reset needs a long token and an email id");
  }
  auto user = load_user_by_email(uow, *email);
  if (!user) {
    if (user.error().code == Errc::not_found) return events::PasswordResetIssued();
    return std::move(user).error();
  }
  if (user->deactivated()) return events::PasswordResetIssued();
  events::PasswordResetIssued issued;
  issued.set_user_id(user->user_id());
  issued.set_token_mac(
      command.token_key.code_mac(kPasswordResetPurpose, user->user_id(), command.token));
  issued.set_expires_at_us(uow.now_us() + kPasswordResetLifetimeUs);
  if (auto emitted = uow.emit(user_stream(user->user_id()), issued); !emitted) {
    return std::move(emitted).error();
  }
  uow.queue_email(reset_email(*user, command, uow.now_us()));
  return issued;
}

Result<events::UserState> reset_password(UnitOfWork& uow, const ResetPassword& command) {
  if (auto valid = require_password_hash(command.new_password_hash); !valid) {
    return std::move(valid).error();
  }
  auto email = normalize_email(command.email);
  if (!email) return invalid_reset_token();
  auto user = load_user_by_email(uow, *email);
  if (!user) {
    if (user.error().code == Errc::not_found) return invalid_reset_token();
    return std::move(user).error();
  }
  if (!reset_token_matches(*user, command, uow.now_us())) return invalid_reset_token();
  return set_password(uow, *user, command.new_password_hash, events::PASSWORD_CHANGE_KIND_RESET,
                      "");
}

}  // namespace ledger::domain
