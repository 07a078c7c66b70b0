// Redeem codes: money given to clients by admins as codes they type in.
//
// Rules (each refused command writes nothing):
// - A code is upper-case letters and digits (4-40), its own id, matched case-insensitively
//   (`normalize_redeem_code`). Creating a code that exists is code_exists; a batch (1-100 codes)
//   is created whole or not at all. Value > 0 and <= the API maximum; usage limit >= 1.
// - Redeeming credits the client's wallet with the code's value from promo:redeem-codes.
//   Refusals, in this order: code_not_found, code_inactive, code_expired (expiry <= now),
//   code_already_redeemed (this user redeemed it before), code_exhausted (times_used = limit).
//   The sequencer decides redemptions one at a time, so the limit and the once-per-user rule
//   hold under any concurrency.
// - Activating an active code or deactivating an inactive one is a no-op answer.
//
// Every decider here reads rows, checks the rules and emits events; the rows those events fold
// into (codes, usage history, per-user redemptions, stats) are written by the "redeem_codes" fold
// (redeem_codes_fold.h), and the wallet credit by the "wallets" and "accounts" folds.
//
// Generated codes (`generate_redeem_code`) are made outside the deciders (they are random): 16
// characters from an alphabet without look-alikes (no 0/O, 1/I/L), 16 * log2(31) = 79 bits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/redeem_code_events.pb.h"
#include "events/redeem_code_state.pb.h"
#include "events/wallet_events.pb.h"

namespace ledger::domain {

inline constexpr std::size_t kRedeemCodeBatchMax = 100;
inline constexpr std::size_t kRedeemCodeRandomLength = 16;
inline constexpr std::string_view kRedeemCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

std::string redeem_code_stream(std::string_view code);

// Upper-cases `text`; invalid_argument (field "code") unless the result is 4-40 characters of
// A-Z and 0-9. kRedeemCodePattern is the same rule as a regular expression, for the API document
// (a test holds the two equal).
Result<std::string> normalize_redeem_code(std::string_view text);
inline constexpr std::string_view kRedeemCodePattern = "^[A-Za-z0-9]{4,40}$";

// `prefix` (already normalized, may be empty) followed by kRedeemCodeRandomLength random
// characters of kRedeemCodeAlphabet.
std::string generate_redeem_code(std::string_view prefix);

// Checks a prefix for generated codes: up to 20 letters and digits, upper-cased (as
// kRedeemCodePrefixPattern says).
Result<std::string> normalize_redeem_code_prefix(std::string_view text);
inline constexpr std::string_view kRedeemCodePrefixPattern = "^[A-Za-z0-9]{0,20}$";

struct CreateRedeemCodes {
  std::vector<std::string> codes;  // normalized; 1-100
  Money value;
  std::uint32_t usage_limit = 1;
  std::int64_t expires_at_us = 0;  // 0: never; else must be in the future
  std::string description;
  ActorId created_by;
  RedeemBatchId batch_id;
};
// Answers the states of the created codes, in command order.
Result<events::RedeemCodeBatch> create_redeem_codes(UnitOfWork& uow,
                                                    const CreateRedeemCodes& command);

struct SetRedeemCodeActive {
  std::string code;
  bool is_active = true;
  ActorId changed_by;
};
Result<events::RedeemCodeState> set_redeem_code_active(UnitOfWork& uow,
                                                       const SetRedeemCodeActive& command);

// Why a code could not be redeemed by a user now, or nothing when it could: redeem_code's
// refusals, in its order (pure; `code` normalized, `state` nullopt when there is no such code,
// `redeemed_before` whether this user redeemed it already). POST /api/redeem-codes/validate/
// answers it without redeeming.
std::optional<Error> redeem_refusal(std::string_view code,
                                    const std::optional<events::RedeemCodeState>& state,
                                    bool redeemed_before, std::int64_t now_us);

struct RedeemCode {
  std::string code;  // as typed by the client; normalized here
  UserId user_id;
  TransactionId transaction_id;
};
Result<events::WalletCredited> redeem_code(UnitOfWork& uow, const RedeemCode& command);

// Row keys of the "redeem_codes" keyspace, for readers.
std::string redeem_code_key(std::string_view code);
std::string redeem_code_usage_prefix(std::string_view code);
std::string redeemed_by_user_prefix(std::string_view user_id);
inline constexpr std::string_view kRedeemCodeStatsKey = "stats";
inline constexpr std::string_view kRedeemCodeKeyPrefix = "code/";

}  // namespace ledger::domain
