// RocksDbEventLog: the writer. An append is validated and planned (append_planner.h: expected
// versions and idempotency keys unless admitted, the hash chain) into one WriteBatch written with
// a synced WAL; the head is published only after the write is durable. The store keeps no cache
// of stream versions: the sequencer's is the one (an `append` that checks looks each up).
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <vector>

#include "core/store/append_planner.h"
#include "core/store/key_encoding.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

Status RocksDbEventLog::validate(std::span<const CommitRequest> commits) const {
  return validate_commits(options_, commits, [this](std::string_view keyspace) {
    return keyspace_handle(keyspace) != nullptr;
  });
}

namespace {

// The batch every append of this thread fills (appends come from the sequencer, one at a time),
// kept between appends so that its buffer is not grown again, and its fresh pages faulted
// in, for every batch: at 8,000 commands a batch that was 20% of the writer's samples, most of it
// regrowing the batch (perf, BENCHMARKS.md). A batch grown past the bound by one large append is
// released.
constexpr std::size_t kKeptWriteBatchBytesMax = 64 << 20;

rocksdb::WriteBatch& reused_write_batch() {
  thread_local rocksdb::WriteBatch batch;
  return batch;
}

// Puts a planned append into one WriteBatch.
class WriteBatchSink final : public AppendSink {
 public:
  WriteBatchSink(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* events,
                 rocksdb::ColumnFamilyHandle* streams, rocksdb::ColumnFamilyHandle* idempotency,
                 std::function<rocksdb::ColumnFamilyHandle*(std::string_view)> keyspace)
      : batch_(batch),
        events_(events),
        streams_(streams),
        idempotency_(idempotency),
        keyspace_(std::move(keyspace)) {}

  void add_record(std::uint64_t position, const std::string& stream_id,
                  std::uint64_t stream_version, std::string_view record) override {
    key_ = big_endian_key(position);
    batch_.Put(events_, key_, rocksdb::Slice(record.data(), record.size()));
    batch_.Put(streams_, stream_key(stream_id, stream_version), key_);
  }
  void add_state_write(const StateWrite& write) override {
    if (std::find(written_keyspaces_.begin(), written_keyspaces_.end(), write.keyspace) ==
        written_keyspaces_.end()) {
      written_keyspaces_.emplace_back(write.keyspace);
    }
    auto* handle = keyspace_(write.keyspace);
    if (write.value) {
      batch_.Put(handle, write.key, *write.value);
    } else {
      batch_.Delete(handle, write.key);
    }
  }
  void add_idempotency(const std::string& key, const std::string& record) override {
    batch_.Put(idempotency_, key, record);
  }

  // The keyspaces whose rows the batch writes, each once.
  const std::vector<std::string>& written_keyspaces() const { return written_keyspaces_; }

 private:
  rocksdb::WriteBatch& batch_;
  std::vector<std::string> written_keyspaces_;
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle* streams_;
  rocksdb::ColumnFamilyHandle* idempotency_;
  std::function<rocksdb::ColumnFamilyHandle*(std::string_view)> keyspace_;
  std::string key_;
};

}  // namespace

Result<std::vector<CommitOutcome>> RocksDbEventLog::append(std::span<const CommitRequest> commits) {
  return append_as(commits, Admission::check);
}

Result<std::vector<CommitOutcome>> RocksDbEventLog::append_admitted(
    std::span<const CommitRequest> commits) {
  return append_as(commits, Admission::admitted);
}

Result<std::vector<CommitOutcome>> RocksDbEventLog::append_as(
    std::span<const CommitRequest> commits, Admission admission) {
  if (options_.read_only) {
    return make_error(Errc::store_read_only, "the store is open read-only");
  }
  std::lock_guard append_lock(append_mutex_);
  std::shared_lock db_lock(db_mutex_);
  if (auto status = writable(); !status) return std::move(status).error();
  if (auto status = validate(commits); !status) return std::move(status).error();

  rocksdb::WriteBatch& batch = reused_write_batch();
  batch.Clear();  // keeps its buffer
  WriteBatchSink sink(batch, events_, streams_, idempotency_,
                      [this](std::string_view keyspace) { return keyspace_handle(keyspace); });
  const AppendLookups lookups{
      [this](const std::string& stream_id) { return stream_version_unlocked(stream_id); },
      [this](const std::string& key) { return find_idempotency_unlocked(key); }};
  auto plan = plan_append(commits, this->head(), lookups, sink, admission);
  if (!plan) return std::move(plan).error();

  if (batch.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    const rocksdb::Status status = db_->Write(write_options, &batch);
    if (batch.GetDataSize() > kKeptWriteBatchBytesMax) batch = rocksdb::WriteBatch();
    if (!status.ok()) return fail_writes(status);
  }
  for (const auto& keyspace : sink.written_keyspaces()) keyspace_writes_.advance(keyspace);
  head_.publish(plan->head);
  return std::move(plan->outcomes);
}

}  // namespace ledger::store
