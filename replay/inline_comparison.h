// Comparing every stored inline row with the fold of the log, for `ledger-audit verify`.
//
// The log is folded through every inline fold into a scratch store (a RocksDB directory of its
// own, removed after), then both are walked in key order: a stored row whose bytes differ from
// the fold's, a row the fold has and the store lacks, and a stored row the fold never wrote are
// each a difference. Memory stays bounded: rows go to disk in batches as they are folded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/domain/fold.h"
#include "core/store/event_log.h"
#include "replay/scratch_store.h"

namespace ledger::replay {

struct RowDifference {
  std::string keyspace;
  std::string key;
  std::string kind;  // "differs", "missing" (the fold has it), "unexpected" (only stored)
};

struct InlineComparison {
  std::uint64_t events = 0;
  std::uint64_t rows = 0;         // rows compared (stored, plus those only the fold has)
  std::uint64_t differences = 0;  // all of them; `first` holds at most `max_reported`
  std::vector<RowDifference> first;
};

Result<InlineComparison> compare_inline(const store::EventLog& log,
                                        std::span<const domain::InlineFold* const> folds,
                                        const std::string& scratch_directory,
                                        const std::function<void(std::uint64_t)>& on_position = {},
                                        std::size_t max_reported = 100);

// The walk of compare_inline alone, over a scratch store the caller has already folded the log
// into through `folds` (up to `events`, the head): how the audit compares after folding the
// envelopes its own scan decoded.
Result<InlineComparison> compare_folded_rows(const store::EventLog& log,
                                             std::span<const domain::InlineFold* const> folds,
                                             const ScratchStore& scratch, std::uint64_t events,
                                             std::size_t max_reported = 100);

}  // namespace ledger::replay
