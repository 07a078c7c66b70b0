// Rebuilding inline read models from the log, for operators (`ledgerctl projections rebuild
// NAME|--all`, with the server stopped: inline rows are otherwise written only by the writer,
// in the same batch as their events).
//
// Every inline keyspace is a fold of the log (core/domain/inline_folds.h). A rebuild folds the
// whole log from position 0 through the chosen folds into a fresh generation of their keyspaces
// and switches to it atomically (EventLog::rebuild_keyspaces): the rows after are byte for byte
// what the live writer wrote, and a failure or a crash midway leaves the old rows in place.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/domain/fold.h"
#include "core/store/event_log.h"

namespace ledger::replay {

struct InlineRebuild {
  std::uint64_t events = 0;  // events folded
  struct Keyspace {
    std::string name;
    std::uint64_t rows = 0;  // rows of the rebuilt generation
  };
  std::vector<Keyspace> keyspaces;
};

Result<InlineRebuild> rebuild_inline(store::EventLog& log,
                                     std::span<const domain::InlineFold* const> folds,
                                     const std::function<void(std::uint64_t)>& on_position = {});

// A fold whose keyspace holds rows written by another version of it.
struct OutdatedFold {
  const domain::InlineFold* fold = nullptr;
  std::uint32_t stored_version = 1;  // recorded by the keyspace's last rebuild
};

// The folds among `folds` whose stored version differs from their code's version: their rows
// may differ from what the code writes, so a server rebuilds them before it serves (ledgerd
// does, at start) and `ledger-audit verify` would find them.
Result<std::vector<OutdatedFold>> outdated_folds(const store::EventLog& log,
                                                 std::span<const domain::InlineFold* const> folds);

// Rows of a keyspace (a full scan).
Result<std::uint64_t> count_rows(const store::EventLog& log, std::string_view keyspace);

}  // namespace ledger::replay
