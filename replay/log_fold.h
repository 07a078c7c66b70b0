// Folding the log through inline folds into rows apart from the live ones: what a rebuild writes
// into a fresh generation (inline_rebuild.h) and what the audit compares with the stored rows
// (inline_comparison.h). Events are decoded and upcast by domain::EventDecoder and given to the
// same `evolve` functions the writer applies, in log order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "core/domain/fold.h"
#include "core/store/event_log.h"

namespace ledger::replay {

// Folds the events at positions 1..up_to through `folds` into `rows`. Writes are buffered and
// flushed in batches, so memory stays bounded however large the keyspaces are.
Status fold_log(const store::EventLog& log, std::span<const domain::InlineFold* const> folds,
                store::FreshRows& rows, std::uint64_t up_to,
                const std::function<void(std::uint64_t)>& on_position = {});

// What a caller may watch while the log is folded.
struct FoldWatch {
  std::function<void(std::uint64_t)> on_position;
  // Before each event is folded.
  std::function<void(const events::Envelope&)> on_event;
  // Each row a fold writes: keyspace, key, its message type (nullptr: erased).
  std::function<void(std::string_view, std::string_view, const google::protobuf::Descriptor*)>
      on_write;
};
Status fold_log(const store::EventLog& log, std::span<const domain::InlineFold* const> folds,
                store::FreshRows& rows, std::uint64_t up_to, const FoldWatch& watch);

// Every registered inline fold, or those named (invalid_argument for a name that is not one).
Result<std::vector<const domain::InlineFold*>> select_folds(std::span<const std::string> names);

}  // namespace ledger::replay
