// The "wallets" fold: each client's wallet (held total, open holds, auto-recharge rule), each
// top-up and each hold, from the wallet events.
//
//   wallet/<user_id>   WalletState
//   topup/<topup_id>   TopUpState
//   hold/<hold_id>     HoldState
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string wallet_key(std::string_view user_id);
std::string topup_key(std::string_view topup_id);
std::string hold_key(std::string_view hold_id);

InlineFold wallets_fold();

}  // namespace ledger::domain
