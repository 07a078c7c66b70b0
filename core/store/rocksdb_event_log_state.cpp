// RocksDbEventLog: the rows of inline read models, one family per keyspace (its active
// generation; see rocksdb_families.h): point reads, prefix scans, and writes outside an append.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

rocksdb::ColumnFamilyHandle* RocksDbEventLog::keyspace_handle(std::string_view keyspace) const {
  auto it = keyspaces_.find(keyspace);
  return it == keyspaces_.end() ? nullptr : it->second;
}

Result<std::optional<std::string>> RocksDbEventLog::read_state(std::string_view keyspace,
                                                               std::string_view key) const {
  std::shared_lock db_lock(db_mutex_);
  auto* handle = keyspace_handle(keyspace);
  if (handle == nullptr) {
    return make_error(Errc::invalid_argument, fmt::format("unknown state keyspace {}", keyspace));
  }
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), handle, key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return to_error(status, "cannot read state");
  return std::optional<std::string>(std::move(value));
}

Status RocksDbEventLog::scan_state(std::string_view keyspace, std::string_view prefix,
                                   ReadDirection direction, const StateVisitor& visitor,
                                   std::string_view after_key) const {
  std::shared_lock db_lock(db_mutex_);
  auto* handle = keyspace_handle(keyspace);
  if (handle == nullptr) {
    return make_error(Errc::invalid_argument, fmt::format("unknown state keyspace {}", keyspace));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle));
  const bool forward = direction == ReadDirection::forward;
  const rocksdb::Slice after(after_key.data(), after_key.size());
  if (!after_key.empty()) {
    if (forward) {
      it->Seek(after);
      if (it->Valid() && it->key() == after) it->Next();
    } else {
      it->SeekForPrev(after);
      if (it->Valid() && it->key() == after) it->Prev();
    }
  } else if (forward) {
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    // The last key with the prefix sorts before the prefix followed by 0xFF bytes.
    std::string upper(prefix);
    upper.append(16, '\xFF');
    it->SeekForPrev(upper);
  }
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    const auto key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!visitor(std::string_view(key.data(), key.size()),
                 std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  if (!it->status().ok()) return to_error(it->status(), "cannot scan state");
  return {};
}

Status RocksDbEventLog::write_state(std::span<const StateWrite> writes) {
  return write_state_batch(writes, /*sync=*/false);
}

Status RocksDbEventLog::write_state_durably(std::span<const StateWrite> writes) {
  return write_state_batch(writes, /*sync=*/true);
}

Status RocksDbEventLog::write_state_batch(std::span<const StateWrite> writes, bool sync) {
  std::shared_lock db_lock(db_mutex_);
  if (auto status = writable(); !status) return status;
  rocksdb::WriteBatch batch;
  for (const auto& write : writes) {
    auto* handle = keyspace_handle(write.keyspace);
    if (handle == nullptr) {
      return make_error(Errc::invalid_argument,
                        fmt::format("unknown state keyspace {}", write.keyspace));
    }
    if (write.value) {
      batch.Put(handle, write.key, *write.value);
    } else {
      batch.Delete(handle, write.key);
    }
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  const rocksdb::Status status = db_->Write(write_options, &batch);
  if (!status.ok()) return to_error(status, "cannot write projection state");
  for (const auto& write : writes) keyspace_writes_.advance(write.keyspace);
  return {};
}

}  // namespace ledger::store
