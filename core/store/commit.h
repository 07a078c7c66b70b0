// What one append writes: a commit of events over one or more streams, the inline read-model
// (state) writes that go with them, and the idempotency record that remembers them.
//
// A commit is atomic: all of its events, state writes and its idempotency record are written,
// or nothing is. Positions and stream versions are assigned by the store when it writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "core/store/expected_version.h"

namespace ledger::store {

// One event to append. `event_type` is the short Protobuf message name of `payload`.
struct PendingEvent {
  std::string stream_id;
  std::string event_type;
  std::string payload;
  std::uint32_t schema_version = 1;
  // The event's version in its stream, given only to an admitted append (EventLog::
  // append_admitted: the sequencer assigns versions); 0 for `append`, where the store does.
  std::uint64_t stream_version = 0;
};

// A write to an inline read model, applied in the same atomic write as the events.
// `value == nullopt` deletes the key.
struct StateWrite {
  std::string keyspace;
  std::string key;
  std::optional<std::string> value;
};

struct CommitRequest {
  std::vector<StreamExpectation> expectations;  // at most one per stream
  std::vector<PendingEvent> events;             // at least one
  std::vector<StateWrite> state_writes;

  std::string actor;
  std::string correlation_id;
  std::string causation_id;
  std::int64_t recorded_at_us = 0;

  // Optional: when set, the store remembers (fingerprint, positions, result) under this key in
  // the same write, and a later commit with the same key is answered from that record.
  std::string idempotency_key;
  std::string request_fingerprint;
  std::string result;  // the caller's answer to remember, opaque to the store

  // Optional: the log's head position this commit was decided at (what its decider read was the
  // state folded up to there). The PostgreSQL log, whose head also moves by other nodes' appends
  // (a node that follows, then takes the writer lease), refuses with store_read_only, writing
  // nothing, an append with a commit decided at another position than its head: that decision
  // may rest on rows that are no longer current. The RocksDB log has one writer and ignores it.
  std::optional<std::uint64_t> decided_at_position;
};

struct CommitOutcome {
  std::uint64_t first_position = 0;
  std::uint64_t last_position = 0;
  std::string result;     // the remembered answer (for a replay: the first one)
  bool replayed = false;  // true when answered from an earlier commit with the same key
};

// Who checks a commit's expectations and idempotency key against the log.
enum class Admission : std::uint8_t {
  check,     // the store (EventLog::append)
  admitted,  // the caller, which also gives each event its stream version (append_admitted)
};

// The tip of the log: the last position and its chain hash (0 and the zero hash when empty).
struct LogHead {
  std::uint64_t position = 0;
  Hash256 hash = kZeroHash;
};

}  // namespace ledger::store
