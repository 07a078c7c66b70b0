// The "redeem_codes" fold: each code (value, limit, whether active, how often and for how much it
// was redeemed), each redemption under two keys, and the totals of all codes, from the
// redeem-code events.
//
//   code/<CODE>                           RedeemCodeState
//   usage/<CODE>/<redemption number:010>  RedemptionState (a code's usage history, in order)
//   by-user/<user_id>/<CODE>              RedemptionState (a user's codes; the once-per-user guard)
//   stats                                 RedeemCodeStats (codes, active codes, redemptions, value)
//
// The key helpers of readers (redeem_code_key, redeem_code_usage_prefix, redeemed_by_user_prefix,
// kRedeemCodeStatsKey) are declared in redeem_code.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string redeem_code_usage_key(std::string_view code, std::uint32_t redemption_number);
std::string redeemed_by_user_key(std::string_view user_id, std::string_view code);

InlineFold redeem_codes_fold();

}  // namespace ledger::domain
