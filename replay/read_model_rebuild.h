// Rebuilding an inline read model from the log, for operators (`ledgerctl projections rebuild
// accounts`, with the server stopped: inline rows are otherwise written only by the sequencer,
// in the same batch as their events).
//
// "accounts" (every account's balance and totals) is a pure fold of the postings: it is replayed
// from position 0 and written in one atomic batch — every replayed row, and the deletion of rows
// of accounts no event ever posted to. The other inline keyspaces hold the deciders' working
// state; ledger-audit verify checks what can be checked of them, and they are restored from a
// backup, not rebuilt.
#pragma once

#include <cstdint>
#include <functional>

#include "core/store/event_log.h"

namespace ledger::replay {

struct ReadModelRebuild {
  std::uint64_t events = 0;        // events replayed
  std::uint64_t rows = 0;          // rows of the rebuilt model
  std::uint64_t rows_changed = 0;  // rows that differed from the replay (written)
  std::uint64_t rows_removed = 0;  // rows of accounts the log never posted to (deleted)
};

Result<ReadModelRebuild> rebuild_account_balances(
    store::EventLog& log, const std::function<void(std::uint64_t)>& on_position = {});

}  // namespace ledger::replay
