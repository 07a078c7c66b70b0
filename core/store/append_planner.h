// Planning an append, the same for every EventLog backend: validates the commits, checks their
// expected versions and idempotency keys (unless the sequencer admitted them), assigns positions
// and stream versions after `head`,
// seals each record into the hash chain, and hands every row to write to an AppendSink (a
// RocksDB WriteBatch, a PostgreSQL insert). Nothing is written here: the backend writes what the
// sink collected as one durable write and publishes the plan's head only after it succeeded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/store/commit.h"
#include "core/store/store_options.h"
#include "events/envelope.pb.h"

namespace ledger::store {

// Receives the rows of a planned append, in log order.
class AppendSink {
 public:
  virtual ~AppendSink() = default;
  // One sealed record (a serialized Envelope with its hash); `record` is valid only during the
  // call.
  virtual void add_record(std::uint64_t position, const std::string& stream_id,
                          std::uint64_t stream_version, std::string_view record) = 0;
  virtual void add_state_write(const StateWrite& write) = 0;
  // The serialized IdempotencyRecord remembered under `key`.
  virtual void add_idempotency(const std::string& key, const std::string& record) = 0;
};

// How the planner learns what is already stored (the batch's own writes it tracks itself).
struct AppendLookups {
  std::function<Result<std::uint64_t>(const std::string& stream_id)> stream_version;
  std::function<Result<std::optional<events::IdempotencyRecord>>(const std::string& key)>
      idempotency;
};

struct AppendPlan {
  std::vector<CommitOutcome> outcomes;
  std::unordered_map<std::string, std::uint64_t> stream_versions;  // each written stream after
  LogHead head;                                                    // the head after the append
  std::size_t records = 0;                                         // records handed to the sink
  bool writes = false;  // false when every commit was a replay
};

// Ok when every commit is well formed within `options`' limits and writes only keyspaces for
// which `keyspace_known` answers true; otherwise invalid_argument saying what is wrong.
Status validate_commits(const StoreOptions& options, std::span<const CommitRequest> commits,
                        const std::function<bool(std::string_view keyspace)>& keyspace_known);

// Plans `commits` (already validated) after `head`. Fails, having planned nothing usable, with
// version_conflict, idempotency_conflict, or the lookups' error. Admitted commits
// (EventLog::append_admitted) are planned with the stream versions they carry and no lookup:
// a version missing or out of order within the append, or a key repeated in it, is
// invalid_argument.
Result<AppendPlan> plan_append(std::span<const CommitRequest> commits, const LogHead& head,
                               const AppendLookups& lookups, AppendSink& sink,
                               Admission admission = Admission::check);

}  // namespace ledger::store
