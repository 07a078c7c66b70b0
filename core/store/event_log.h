// EventLog: the append-only, hash-chained global log of events, with per-stream indexes,
// idempotency records and inline read-model state — the one interface every storage backend
// implements (RocksDB today; a replicated log later). The conformance suite in
// tests/store/ is written against this interface only.
//
// Promises of every implementation:
// - `append` is atomic over all the commits it is given: every commit is durable (synced) before
//   it returns success, or nothing is written. Positions are contiguous from 1, never reused,
//   never skipped. Stream versions are contiguous from 1 per stream.
// - Each stored record is chained: hash[n] = SHA-256(hash[n-1] || record n without its hash).
// - `append` must not be called from two threads at once (there is one writer: the sequencer);
//   every read may be called from any thread at any time and never waits for the writer.
// - After a storage fault the log turns read-only: appends fail with store_read_only and the
//   reason, reads go on, and nothing acknowledged is lost.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/store/commit.h"
#include "events/envelope.pb.h"

namespace ledger::store {

enum class ReadDirection : std::uint8_t { forward, backward };

// Receives one stored record: its position and its exact stored bytes (a serialized Envelope).
// Return false to stop the scan.
using RecordVisitor = std::function<bool(std::uint64_t position, std::string_view record)>;

// Receives one key/value of a state keyspace. Return false to stop the scan.
using StateVisitor = std::function<bool(std::string_view key, std::string_view value)>;

// Rows being built apart from the live ones: a rebuild's fresh generation of some keyspaces.
class FreshRows {
 public:
  virtual ~FreshRows() = default;
  virtual Result<std::optional<std::string>> get(std::string_view keyspace,
                                                 std::string_view key) const = 0;
  // Unsynced: the switch-over makes everything durable at once.
  virtual Status write(std::span<const StateWrite> writes) = 0;
};

// A keyspace to rebuild, and the version of the fold that fills it: recorded with the switch, so
// that a server can tell rows written by another version of its fold (`keyspace_version`).
struct KeyspaceRebuild {
  std::string keyspace;
  std::uint32_t version = 1;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `commits` in order as one durable write. Fails, writing nothing, when any commit is
  // malformed (invalid_argument), breaks an expectation (version_conflict naming the stream),
  // reuses an idempotency key with another fingerprint (idempotency_conflict), or the store is
  // not writable (store_read_only / io_error). A commit whose key was already used with the same
  // fingerprint is answered from the first commit (replayed = true) and writes nothing.
  virtual Result<std::vector<CommitOutcome>> append(std::span<const CommitRequest> commits) = 0;

  // Appends commits that their one writer (the sequencer) has already admitted: it checked each
  // commit's expectations and idempotency key against the log as of the head it decided at, and
  // gives every event its stream version (PendingEvent::stream_version). The store neither reads
  // an idempotency record nor looks up a stream version: it writes what it is given, after
  // checking only what needs no read (every version set, a stream's versions contiguous within
  // the append, no idempotency key twice in it: otherwise invalid_argument, writing nothing). A
  // commit is never answered as replayed. Everything else is as for `append`; on PostgreSQL the
  // head check of `decided_at_position` is what makes the caller's checks current.
  virtual Result<std::vector<CommitOutcome>> append_admitted(
      std::span<const CommitRequest> commits) = 0;

  virtual LogHead head() const = 0;

  // Current version of a stream (0 when it does not exist).
  virtual Result<std::uint64_t> stream_version(std::string_view stream_id) const = 0;

  // Events of one stream. Forward: versions >= from_version ascending. Backward: versions <=
  // from_version descending (from_version 0 means "from the last").
  virtual Result<std::vector<events::Envelope>> read_stream(std::string_view stream_id,
                                                            std::uint64_t from_version,
                                                            ReadDirection direction,
                                                            std::size_t limit) const = 0;

  // Events with positions > after_position, ascending, at most `limit`.
  virtual Result<std::vector<events::Envelope>> read_all(std::uint64_t after_position,
                                                         std::size_t limit) const = 0;

  // Visits stored records with positions > after_position in order, as raw bytes, until the end
  // of the log or the visitor returns false. For audit and projection rebuilds at full speed.
  virtual Status scan_records(std::uint64_t after_position, const RecordVisitor& visitor) const = 0;

  // The record remembered under an idempotency key, if any.
  virtual Result<std::optional<events::IdempotencyRecord>> find_idempotency(
      std::string_view key) const = 0;

  // Inline read-model state.
  virtual Result<std::optional<std::string>> read_state(std::string_view keyspace,
                                                        std::string_view key) const = 0;
  // Visits the rows whose key starts with `prefix`, in key order (or reverse). With `after_key`
  // (a key with the prefix), starts just past it in the scan's direction: how lists resume from
  // a cursor.
  virtual Status scan_state(std::string_view keyspace, std::string_view prefix,
                            ReadDirection direction, const StateVisitor& visitor,
                            std::string_view after_key = {}) const = 0;

  // Writes state rows (no events) as one atomic batch: how asynchronous projections store their
  // rows together with their checkpoint. Not synced: after a crash a projection may resume from
  // an earlier checkpoint, with its rows exactly as of that checkpoint.
  virtual Status write_state(std::span<const StateWrite> writes) = 0;

  // Rebuilds inline keyspaces, with nothing else writing them (the server stopped): creates an
  // empty generation of each, lets `fill` write them, then makes them all active in one durable
  // write and drops the replaced generations. Readers see the old rows until the switch and the
  // new ones after it, never a mix. When `fill` fails, or the process dies before the switch,
  // the active generations are untouched (an unfinished one is dropped on the next open).
  // The switch also records each keyspace's fold version.
  virtual Status rebuild_keyspaces(std::span<const KeyspaceRebuild> keyspaces,
                                   const std::function<Status(FreshRows&)>& fill) = 0;
  // The generation of a keyspace's rows: 0 until its first rebuild, then one more per rebuild.
  virtual Result<std::uint64_t> keyspace_generation(std::string_view keyspace) const = 0;
  // The fold version recorded by the keyspace's last rebuild; 1 until a rebuild records one.
  virtual Result<std::uint32_t> keyspace_version(std::string_view keyspace) const = 0;
  // Writes a consistent copy of the whole store (a RocksDB checkpoint: hard links where
  // possible) into `directory`, which must not exist; acknowledged writes are all in it.
  virtual Status checkpoint_to(const std::string& directory) = 0;

  // Blocks until the head reaches `position` or `timeout` passes; true when reached.
  virtual bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const = 0;

  // Registers a function called (on the writer's thread, after each durable append) with the new
  // head position. Must be cheap and must not call back into append. Returns a handle for
  // `unsubscribe`.
  virtual std::uint64_t subscribe(std::function<void(std::uint64_t position)> on_append) = 0;
  virtual void unsubscribe(std::uint64_t handle) = 0;

  // Ok while appends are possible; otherwise why not (store_read_only / io_error).
  virtual Status writable() const = 0;
};

}  // namespace ledger::store
