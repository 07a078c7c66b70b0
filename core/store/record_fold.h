// RecordFold: how a log that follows another writer's appends (a PostgreSQL follower,
// postgres_event_log.h) turns each new record into rows of its inline read models. The store
// knows no domain: the caller supplies the fold (core/domain/record_folder.h gives the inline
// folds' one, the same step the writer, rebuilds and the audit take).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::store {

// The local rows as a fold sees them while a batch of records is folded: its own earlier writes
// in the batch first, then the stored rows.
class FoldedState {
 public:
  virtual ~FoldedState() = default;
  virtual Result<std::optional<std::string>> get(std::string_view keyspace,
                                                 std::string_view key) = 0;
  // nullopt erases the row.
  virtual void set(std::string_view keyspace, std::string_view key,
                   std::optional<std::string> value) = 0;
};

// Folds the record at `position` (its decoded envelope) into `state`. An error stops the
// following at that position (the state is left as it was before the batch).
using RecordFold = std::function<Status(std::uint64_t position, const events::Envelope& envelope,
                                        FoldedState& state)>;

}  // namespace ledger::store
