// RocksDbEventLog: the EventLog (core/store/event_log.h) on an embedded RocksDB.
//
// Column families: `events` (position -> Envelope), `streams` (stream id + version -> position),
// `idempotency` (key -> IdempotencyRecord), `meta` (format version), and one `state.<keyspace>`
// per inline read model. Every append is one WriteBatch written with a synced WAL; the WAL is
// recovered in point-in-time mode, so a torn tail is cut at the last whole batch. On open the
// head is read from the last event and the tail of the chain is verified.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "core/store/event_log.h"
#include "core/store/head_publisher.h"
#include "core/store/keyspace_writes.h"
#include "core/store/store_options.h"

namespace rocksdb {
class DB;
class Cache;
class ColumnFamilyHandle;
class Status;
}  // namespace rocksdb

namespace ledger::store {

class RocksDbEventLog final : public EventLog {
 public:
  // Opens (creating when missing) the database at options.path. Fails with io_error when it
  // cannot be opened and with corruption when the tail of the chain does not verify.
  static Result<std::unique_ptr<RocksDbEventLog>> open(const StoreOptions& options);

  ~RocksDbEventLog() override;
  RocksDbEventLog(const RocksDbEventLog&) = delete;
  RocksDbEventLog& operator=(const RocksDbEventLog&) = delete;

  Result<std::vector<CommitOutcome>> append(std::span<const CommitRequest> commits) override;
  Result<std::vector<CommitOutcome>> append_admitted(
      std::span<const CommitRequest> commits) override;
  LogHead head() const override;
  Result<std::uint64_t> stream_version(std::string_view stream_id) const override;
  Result<std::vector<events::Envelope>> read_stream(std::string_view stream_id,
                                                    std::uint64_t from_version,
                                                    ReadDirection direction,
                                                    std::size_t limit) const override;
  Result<std::vector<events::Envelope>> read_all(std::uint64_t after_position,
                                                 std::size_t limit) const override;
  Status scan_records(std::uint64_t after_position, const RecordVisitor& visitor) const override;
  Result<std::optional<events::IdempotencyRecord>> find_idempotency(
      std::string_view key) const override;
  Result<std::optional<std::string>> read_state(std::string_view keyspace,
                                                std::string_view key) const override;
  Status scan_state(std::string_view keyspace, std::string_view prefix, ReadDirection direction,
                    const StateVisitor& visitor, std::string_view after_key = {}) const override;
  bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const override;
  std::uint64_t subscribe(std::function<void(std::uint64_t position)> on_append) override;
  void unsubscribe(std::uint64_t handle) override;
  Status writable() const override;

  // After a storage fault: asks RocksDB to resume writing, or (when RocksDB cannot resume, as
  // after a failed WAL write) closes and reopens the database; then reloads the head from disk
  // and drops the caches. Readers wait while the database is reopened. Ok when writable again.
  Status resume();

  // For a read-only secondary: catch up with the primary's latest writes and reload the head.
  Status catch_up_with_primary();

  // Flushes memtables and compacts every column family (operator command).
  Status compact();

  // Writes a consistent RocksDB checkpoint (hard links where possible) to `directory`.
  Status checkpoint_to(const std::string& directory) override;
  Status write_state(std::span<const StateWrite> writes) override;
  // write_state with a synced WAL: durable when it returns (a log elsewhere keeps its inline
  // state here: postgres_event_log.h).
  Status write_state_durably(std::span<const StateWrite> writes);
  Status rebuild_keyspaces(std::span<const KeyspaceRebuild> keyspaces,
                           const std::function<Status(FreshRows&)>& fill) override;
  Result<std::uint64_t> keyspace_generation(std::string_view keyspace) const override;
  // The count of writes into each keyspace's rows (core/store/keyspace_writes.h).
  const KeyspaceWrites& keyspace_writes() const { return keyspace_writes_; }
  Result<std::uint32_t> keyspace_version(std::string_view keyspace) const override;

  // Approximate bytes on disk per column family name.
  std::vector<std::pair<std::string, std::uint64_t>> size_per_column_family() const;

  rocksdb::DB* db() const { return db_.get(); }

 private:
  explicit RocksDbEventLog(StoreOptions options);

  Status open_database();
  // Points every keyspace at its active generation's family; drops the others (what a rebuild
  // left unfinished or replaced) unless the store is read-only.
  Status map_keyspace_generations();
  Result<std::uint64_t> active_generation(std::string_view keyspace) const;
  // A number stored under a meta key; `absent` when there is none.
  Result<std::uint64_t> meta_number(const std::string& key, std::uint64_t absent,
                                    std::string_view what) const;
  Status load_head();
  Status verify_tail();
  Status validate(std::span<const CommitRequest> commits) const;
  Status write_state_batch(std::span<const StateWrite> writes, bool sync);
  Result<std::vector<CommitOutcome>> append_as(std::span<const CommitRequest> commits,
                                               Admission admission);
  // `long_scan`: a read through much of the log (verify, rebuild feeds), with a large fixed
  // readahead and no block-cache fill; otherwise a short read (a batch of a projection, a tail)
  // with RocksDB's adaptive readahead, which starts small: a fixed 2 MiB per level on every seek
  // made each 512-event batch read megabytes.
  Status scan_records_unlocked(std::uint64_t after_position, const RecordVisitor& visitor,
                               bool long_scan = true) const;
  Result<std::uint64_t> stream_version_unlocked(std::string_view stream_id) const;
  Result<std::optional<events::IdempotencyRecord>> find_idempotency_unlocked(
      std::string_view key) const;
  rocksdb::ColumnFamilyHandle* keyspace_handle(std::string_view keyspace) const;
  Error fail_writes(const rocksdb::Status& status);
  Result<events::Envelope> read_event(std::uint64_t position) const;

  StoreOptions options_;
  void close_database();

  // Shared by every reader and the writer; taken exclusively only to reopen after a fault.
  mutable std::shared_mutex db_mutex_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> keyspaces_;
  KeyspaceWrites keyspace_writes_;
  std::shared_ptr<rocksdb::Cache> block_cache_;  // shared by every family

  // Held by the writer.
  std::mutex append_mutex_;

  // Head, published after each durable append.
  HeadPublisher head_;

  mutable std::mutex failure_mutex_;
  std::string failure_;  // non-empty once writes have failed
};

}  // namespace ledger::store
