// RecordFolder: one stored record through inline folds, the step every reader of the log that
// keeps inline rows takes in log order: a rebuild and the audit (replay/log_fold.h) from position
// 1, a PostgreSQL follower (core/store/postgres_event_log.h) from where its state is folded up
// to. The payload is decoded and upcast by EventDecoder and given to the folds' `evolve`, as the
// writer's unit of work does when it emits the event.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/domain/event_decoder.h"
#include "core/domain/fold.h"
#include "core/store/record_fold.h"

namespace ledger::domain {

class RecordFolder {
 public:
  explicit RecordFolder(std::span<const InlineFold* const> folds)
      : folds_(folds.begin(), folds.end()) {}

  // Folds the event of `envelope` (stored at `position`) into `rows`. corruption when its
  // payload does not decode; a fold's error names the position and the event type. Not
  // thread-safe (one decoder).
  Status fold(std::uint64_t position, const events::Envelope& envelope, FoldRows& rows);

 private:
  std::vector<const InlineFold*> folds_;
  EventDecoder decoder_;
};

// The store's RecordFold through `folds` (every inline fold when empty): what a following
// PostgreSQL log is given to keep its inline read models.
store::RecordFold inline_record_fold(std::span<const InlineFold* const> folds = {});

}  // namespace ledger::domain
