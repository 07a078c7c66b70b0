// RocksDbEventLog: operator work on a live store: a secondary catching up with its primary,
// compaction, checkpoints, and sizes per column family.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>

#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

Status RocksDbEventLog::catch_up_with_primary() {
  std::shared_lock db_lock(db_mutex_);
  const auto status = db_->TryCatchUpWithPrimary();
  if (!status.ok()) return to_error(status, "cannot catch up with the primary");
  keyspace_writes_.advance_all();
  return load_head();
}

Status RocksDbEventLog::compact() {
  std::shared_lock db_lock(db_mutex_);
  for (auto* handle : handles_) {
    const auto status = db_->CompactRange(rocksdb::CompactRangeOptions(), handle, nullptr, nullptr);
    if (!status.ok()) return to_error(status, "compaction failed");
  }
  return {};
}

Status RocksDbEventLog::checkpoint_to(const std::string& directory) {
  std::shared_lock db_lock(db_mutex_);
  rocksdb::Checkpoint* raw = nullptr;
  auto status = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!status.ok()) return to_error(status, "cannot create a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  status = checkpoint->CreateCheckpoint(directory);
  if (!status.ok())
    return to_error(status, fmt::format("cannot write a checkpoint to {}", directory));
  return {};
}

std::vector<std::pair<std::string, std::uint64_t>> RocksDbEventLog::size_per_column_family() const {
  std::shared_lock db_lock(db_mutex_);
  std::vector<std::pair<std::string, std::uint64_t>> sizes;
  for (auto* handle : handles_) {
    std::uint64_t live = 0;
    db_->GetIntProperty(handle, rocksdb::DB::Properties::kTotalSstFilesSize, &live);
    std::uint64_t memtable = 0;
    db_->GetIntProperty(handle, rocksdb::DB::Properties::kCurSizeAllMemTables, &memtable);
    sizes.emplace_back(handle->GetName(), live + memtable);
  }
  return sizes;
}

}  // namespace ledger::store
