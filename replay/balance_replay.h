// Replaying balances: every account's balance folded from the postings of the log alone, never
// from the stored read models, so the two can be compared.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/store/event_log.h"
#include "events/ledger_accounts.pb.h"

namespace ledger::replay {

using AccountBalances = std::map<std::string, events::AccountState>;

// Folds the postings of events 1..up_to_position (the whole log by default) into account rows
// shaped like the inline "accounts" read model. `on_position` (optional) sees each position.
Result<AccountBalances> replay_balances(const store::EventLog& log,
                                        std::uint64_t up_to_position = UINT64_MAX,
                                        const std::function<void(std::uint64_t)>& on_position = {});

// The inline "accounts" read model as stored.
Result<AccountBalances> stored_balances(const store::EventLog& log);

}  // namespace ledger::replay
