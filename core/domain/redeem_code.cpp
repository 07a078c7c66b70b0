#include "core/domain/redeem_code.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "core/domain/redeem_codes_fold.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "core/secure_random.h"

namespace ledger::domain {
namespace {

constexpr std::size_t kCodeMinLength = 4;

bool is_code_character(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string upper_cased(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

Result<events::RedeemCodeState> load_code(UnitOfWork& uow, std::string_view code) {
  auto row = uow.load<events::RedeemCodeState>(kRedeemCodesKeyspace, redeem_code_key(code));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::code_not_found, fmt::format("there is no redeem code {}", code),
                      "code");
  }
  return std::move(**row);
}

Status validate_create(const CreateRedeemCodes& command, std::int64_t now_us) {
  if (command.codes.empty() || command.codes.size() > kRedeemCodeBatchMax) {
    return make_error(Errc::invalid_argument,
                      fmt::format("quantity must be between 1 and {}", kRedeemCodeBatchMax),
                      "quantity");
  }
  if (auto valid = require_positive(command.value, "value"); !valid) return valid;
  if (command.value.minor() > Money::kApiAmountMinorMax) {
    return make_error(Errc::invalid_argument, "value is above the maximum amount", "value");
  }
  if (command.usage_limit < 1) {
    return make_error(Errc::invalid_argument, "usage_limit must be at least 1", "usage_limit");
  }
  if (command.expires_at_us != 0 && command.expires_at_us <= now_us) {
    return make_error(Errc::invalid_argument, "expires_at must be in the future", "expires_at");
  }
  if (auto valid = limit_text(command.description, "description", text_limits::kDescription);
      !valid) {
    return valid;
  }
  std::set<std::string_view> distinct;
  for (const std::string& code : command.codes) {
    auto normalized = normalize_redeem_code(code);
    if (!normalized) return std::move(normalized).error();
    if (*normalized != code) {
      return make_error(Errc::invalid_argument, fmt::format("code {} is not normalized", code),
                        "code");
    }
    if (!distinct.insert(code).second) {
      return make_error(Errc::invalid_argument,
                        fmt::format("code {} appears twice in the batch", code), "code");
    }
  }
  return {};
}

}  // namespace

std::string redeem_code_stream(std::string_view code) { return "redeem-code:" + std::string(code); }
std::string redeem_code_key(std::string_view code) {
  return std::string(kRedeemCodeKeyPrefix) + std::string(code);
}
std::string redeem_code_usage_prefix(std::string_view code) {
  return "usage/" + std::string(code) + "/";
}
std::string redeemed_by_user_prefix(std::string_view user_id) {
  return "by-user/" + std::string(user_id) + "/";
}

Result<std::string> normalize_redeem_code(std::string_view text) {
  std::string code = upper_cased(text);
  const bool shaped = code.size() >= kCodeMinLength && code.size() <= text_limits::kRedeemCode &&
                      std::all_of(code.begin(), code.end(), is_code_character);
  if (!shaped) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a code is {} to {} letters and digits", kCodeMinLength,
                                  text_limits::kRedeemCode),
                      "code");
  }
  return code;
}

Result<std::string> normalize_redeem_code_prefix(std::string_view text) {
  std::string prefix = upper_cased(text);
  if (prefix.size() > text_limits::kRedeemCodePrefix ||
      !std::all_of(prefix.begin(), prefix.end(), is_code_character)) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("prefix is up to {} letters and digits", text_limits::kRedeemCodePrefix),
        "prefix");
  }
  return prefix;
}

std::string generate_redeem_code(std::string_view prefix) {
  std::string code(prefix);
  for (std::size_t i = 0; i < kRedeemCodeRandomLength; ++i) {
    code.push_back(kRedeemCodeAlphabet[secure_random_below(kRedeemCodeAlphabet.size())]);
  }
  return code;
}

Result<events::RedeemCodeBatch> create_redeem_codes(UnitOfWork& uow,
                                                    const CreateRedeemCodes& command) {
  if (auto valid = validate_create(command, uow.now_us()); !valid) {
    return std::move(valid).error();
  }
  events::RedeemCodeBatch batch;
  for (const std::string& code : command.codes) {
    auto taken = uow.exists(kRedeemCodesKeyspace, redeem_code_key(code));
    if (!taken) return std::move(taken).error();
    if (*taken) {
      return make_error(Errc::code_exists, fmt::format("redeem code {} already exists", code),
                        "code");
    }
    events::RedeemCodeCreated created;
    created.set_code(code);
    created.set_value_minor(command.value.minor());
    created.set_usage_limit(command.usage_limit);
    created.set_expires_at_us(command.expires_at_us);
    created.set_description(command.description);
    created.set_created_by(command.created_by.str());
    created.set_batch_id(command.batch_id.str());
    if (auto emitted = uow.emit(redeem_code_stream(code), created); !emitted) {
      return std::move(emitted).error();
    }
    auto state = load_code(uow, code);
    if (!state) return std::move(state).error();
    *batch.add_codes() = std::move(*state);
  }
  return batch;
}

Result<events::RedeemCodeState> set_redeem_code_active(UnitOfWork& uow,
                                                       const SetRedeemCodeActive& command) {
  auto code = normalize_redeem_code(command.code);
  if (!code) return std::move(code).error();
  auto state = load_code(uow, *code);
  if (!state) return std::move(state).error();
  if (state->is_active() == command.is_active) return state;

  Status emitted;
  if (command.is_active) {
    events::RedeemCodeActivated activated;
    activated.set_code(*code);
    activated.set_changed_by(command.changed_by.str());
    emitted = uow.emit(redeem_code_stream(*code), activated);
  } else {
    events::RedeemCodeDeactivated deactivated;
    deactivated.set_code(*code);
    deactivated.set_changed_by(command.changed_by.str());
    emitted = uow.emit(redeem_code_stream(*code), deactivated);
  }
  if (!emitted) return std::move(emitted).error();
  return load_code(uow, *code);
}

std::optional<Error> redeem_refusal(std::string_view code,
                                    const std::optional<events::RedeemCodeState>& state,
                                    bool redeemed_before, std::int64_t now_us) {
  if (!state) {
    return make_error(Errc::code_not_found, fmt::format("there is no redeem code {}", code),
                      "code");
  }
  if (!state->is_active()) {
    return make_error(Errc::code_inactive, fmt::format("redeem code {} is not active", code),
                      "code");
  }
  if (state->expires_at_us() != 0 && state->expires_at_us() <= now_us) {
    return make_error(Errc::code_expired, fmt::format("redeem code {} has expired", code), "code");
  }
  if (redeemed_before) {
    return make_error(Errc::code_already_redeemed,
                      fmt::format("you have already redeemed code {}", code), "code");
  }
  if (state->times_used() >= state->usage_limit()) {
    return make_error(Errc::code_exhausted, fmt::format("redeem code {} has been used up", code),
                      "code");
  }
  return std::nullopt;
}

Result<events::WalletCredited> redeem_code(UnitOfWork& uow, const RedeemCode& command) {
  auto code = normalize_redeem_code(command.code);
  if (!code) {
    // Anything that cannot be a code is simply not one: the same answer as an unknown code.
    return make_error(Errc::code_not_found, "there is no such redeem code", "code");
  }
  if (auto valid = require_id(command.user_id.str(), "user_id"); !valid) {
    return std::move(valid).error();
  }
  auto state = uow.load<events::RedeemCodeState>(kRedeemCodesKeyspace, redeem_code_key(*code));
  if (!state) return std::move(state).error();
  auto redeemed_before =
      uow.exists(kRedeemCodesKeyspace, redeemed_by_user_key(command.user_id.str(), *code));
  if (!redeemed_before) return std::move(redeemed_before).error();
  if (auto refusal = redeem_refusal(*code, *state, *redeemed_before, uow.now_us())) {
    return std::move(*refusal);
  }

  const Money value = Money::from_minor((*state)->value_minor());
  auto credited = credit_wallet(
      uow, WalletCredit{command.user_id, command.transaction_id, value, "redeem_code", *code,
                        fmt::format("Redeem code {}", *code), std::string(kPromoRedeemCodes)});
  if (!credited) return std::move(credited).error();

  const std::uint32_t number = (*state)->times_used() + 1;
  events::RedeemCodeRedeemed redeemed;
  redeemed.set_code(*code);
  redeemed.set_user_id(command.user_id.str());
  redeemed.set_amount_minor(value.minor());
  redeemed.set_redemption_number(number);
  redeemed.set_transaction_id(command.transaction_id.str());
  if (auto emitted = uow.emit(redeem_code_stream(*code), redeemed); !emitted) {
    return std::move(emitted).error();
  }
  return credited;
}

}  // namespace ledger::domain
