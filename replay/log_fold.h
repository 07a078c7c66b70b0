// Folding the log through inline folds into rows apart from the live ones: what a rebuild writes
// into a fresh generation (inline_rebuild.h) and what the audit compares with the stored rows
// (inline_comparison.h). Events are decoded and upcast by domain::EventDecoder and given to the
// same `evolve` functions the writer applies, in log order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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

// The step of fold_log for a caller that reads and decodes the log itself (the audit folds the
// envelopes its scan has already decoded): envelopes fed in log order, each with the position it
// is stored at, go through `folds` into `rows`, buffered as fold_log buffers them. `finish`
// writes what is still buffered. Not thread-safe.
class EnvelopeFolder {
 public:
  EnvelopeFolder(std::span<const domain::InlineFold* const> folds, store::FreshRows& rows);
  ~EnvelopeFolder();
  EnvelopeFolder(const EnvelopeFolder&) = delete;
  EnvelopeFolder& operator=(const EnvelopeFolder&) = delete;

  Status fold(std::uint64_t position, const events::Envelope& envelope);
  Status finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Every registered inline fold, or those named (invalid_argument for a name that is not one).
Result<std::vector<const domain::InlineFold*>> select_folds(std::span<const std::string> names);

}  // namespace ledger::replay
