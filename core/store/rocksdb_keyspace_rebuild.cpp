// RocksDbEventLog: generations of inline keyspaces (see rocksdb_families.h) and their offline
// rebuild.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {
namespace {

// The fresh families of a rebuild, by keyspace.
class FreshFamilies final : public FreshRows {
 public:
  FreshFamilies(rocksdb::DB& db,
                std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families)
      : db_(db), families_(std::move(families)) {}

  Result<std::optional<std::string>> get(std::string_view keyspace,
                                         std::string_view key) const override {
    auto* family = find(keyspace);
    if (family == nullptr) return unknown(keyspace);
    std::string value;
    const auto status = db_.Get(rocksdb::ReadOptions(), family, key, &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    if (!status.ok()) return to_error(status, "cannot read a rebuilt row");
    return std::optional<std::string>(std::move(value));
  }

  Status write(std::span<const StateWrite> writes) override {
    rocksdb::WriteBatch batch;
    for (const auto& write : writes) {
      auto* family = find(write.keyspace);
      if (family == nullptr) return unknown(write.keyspace);
      const auto status = write.value ? batch.Put(family, write.key, *write.value)
                                      : batch.Delete(family, write.key);
      if (!status.ok()) return to_error(status, "cannot batch a rebuilt row");
    }
    const auto status = db_.Write(rocksdb::WriteOptions(), &batch);
    if (!status.ok()) return to_error(status, "cannot write rebuilt rows");
    return {};
  }

 private:
  rocksdb::ColumnFamilyHandle* find(std::string_view keyspace) const {
    auto it = families_.find(keyspace);
    return it == families_.end() ? nullptr : it->second;
  }
  static Error unknown(std::string_view keyspace) {
    return make_error(Errc::invalid_argument,
                      fmt::format("keyspace {} is not being rebuilt", keyspace));
  }

  rocksdb::DB& db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
};

}  // namespace

Result<std::uint64_t> RocksDbEventLog::meta_number(const std::string& key, std::uint64_t absent,
                                                   std::string_view what) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), meta_, key, &value);
  if (status.IsNotFound()) return absent;
  if (!status.ok()) return to_error(status, fmt::format("cannot read {}", what));
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size()) {
    return make_error(Errc::corruption, fmt::format("{} is not a number", what));
  }
  return number;
}

Result<std::uint64_t> RocksDbEventLog::active_generation(std::string_view keyspace) const {
  return meta_number(generation_meta_key(keyspace), 0,
                     fmt::format("the generation of keyspace {}", keyspace));
}

Result<std::uint64_t> RocksDbEventLog::keyspace_generation(std::string_view keyspace) const {
  std::shared_lock db_lock(db_mutex_);
  if (keyspace_handle(keyspace) == nullptr) {
    return make_error(Errc::invalid_argument, fmt::format("unknown state keyspace {}", keyspace));
  }
  return active_generation(keyspace);
}

Result<std::uint32_t> RocksDbEventLog::keyspace_version(std::string_view keyspace) const {
  std::shared_lock db_lock(db_mutex_);
  if (keyspace_handle(keyspace) == nullptr) {
    return make_error(Errc::invalid_argument, fmt::format("unknown state keyspace {}", keyspace));
  }
  const std::string what = fmt::format("the fold version of keyspace {}", keyspace);
  auto version = meta_number(version_meta_key(keyspace), 1, what);
  if (!version) return std::move(version).error();
  if (*version == 0 || *version > std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::corruption, fmt::format("{} is out of range", what));
  }
  return static_cast<std::uint32_t>(*version);
}

Status RocksDbEventLog::map_keyspace_generations() {
  keyspaces_.clear();
  std::vector<rocksdb::ColumnFamilyHandle*> stale;
  for (auto* handle : handles_) {
    const auto family = parse_state_family(handle->GetName());
    if (!family) continue;
    auto active = active_generation(family->keyspace);
    if (!active) return std::move(active).error();
    if (*active == family->generation) {
      keyspaces_[family->keyspace] = handle;
    } else {
      stale.push_back(handle);
    }
  }
  if (options_.read_only) return {};
  for (auto* handle : stale) {
    const auto status = db_->DropColumnFamily(handle);
    if (!status.ok()) return to_error(status, "cannot drop a replaced generation");
    std::erase(handles_, handle);
    db_->DestroyColumnFamilyHandle(handle);
  }
  return {};
}

Status RocksDbEventLog::rebuild_keyspaces(std::span<const KeyspaceRebuild> keyspaces,
                                          const std::function<Status(FreshRows&)>& fill) {
  struct Target {
    std::string keyspace;
    std::uint32_t version = 1;
    std::uint64_t generation = 0;
    rocksdb::ColumnFamilyHandle* fresh = nullptr;
    rocksdb::ColumnFamilyHandle* replaced = nullptr;
  };
  std::vector<Target> targets;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> fresh;
  auto drop_fresh = [&] {
    std::unique_lock db_lock(db_mutex_);
    for (auto& target : targets) {
      if (target.fresh == nullptr) continue;
      db_->DropColumnFamily(target.fresh);
      std::erase(handles_, target.fresh);
      db_->DestroyColumnFamilyHandle(target.fresh);
      target.fresh = nullptr;
    }
  };
  {
    std::unique_lock db_lock(db_mutex_);
    if (auto status = writable(); !status) return status;
    for (const auto& [keyspace, version] : keyspaces) {
      Target target{keyspace, version};
      if (version == 0) {
        db_lock.unlock();
        drop_fresh();
        return make_error(Errc::invalid_argument,
                          fmt::format("fold version 0 for state keyspace {}", keyspace));
      }
      target.replaced = keyspace_handle(keyspace);
      if (target.replaced == nullptr || fresh.contains(keyspace)) {
        db_lock.unlock();
        drop_fresh();
        return make_error(Errc::invalid_argument,
                          fmt::format("unknown or repeated state keyspace {}", keyspace));
      }
      auto active = active_generation(keyspace);
      if (!active) {
        db_lock.unlock();
        drop_fresh();
        return std::move(active).error();
      }
      target.generation = *active + 1;
      const std::string name = state_family_name(keyspace, target.generation);
      const auto status = db_->CreateColumnFamily(family_options(name, options_, block_cache_),
                                                  name, &target.fresh);
      if (!status.ok()) {
        db_lock.unlock();
        drop_fresh();
        return to_error(status, fmt::format("cannot create family {}", name));
      }
      handles_.push_back(target.fresh);
      fresh[keyspace] = target.fresh;
      targets.push_back(std::move(target));
    }
  }

  FreshFamilies rows(*db_, fresh);
  if (auto filled = fill(rows); !filled) {
    drop_fresh();
    return filled;
  }

  std::unique_lock db_lock(db_mutex_);
  // Everything written is durable before the switch names it.
  auto status = db_->FlushWAL(/*sync=*/true);
  if (!status.ok()) {
    db_lock.unlock();
    drop_fresh();
    return to_error(status, "cannot sync the rebuilt rows");
  }
  rocksdb::WriteBatch batch;
  for (const auto& target : targets) {
    batch.Put(meta_, generation_meta_key(target.keyspace), std::to_string(target.generation));
    batch.Put(meta_, version_meta_key(target.keyspace), std::to_string(target.version));
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  status = db_->Write(synced, &batch);
  if (!status.ok()) {
    db_lock.unlock();
    drop_fresh();
    return to_error(status, "cannot switch to the rebuilt generations");
  }
  for (const auto& target : targets) {
    keyspaces_[target.keyspace] = target.fresh;
    keyspace_writes_.advance(target.keyspace);
    // The replaced generation is no longer named; if dropping it fails, the next open drops it.
    if (db_->DropColumnFamily(target.replaced).ok()) {
      std::erase(handles_, target.replaced);
      db_->DestroyColumnFamilyHandle(target.replaced);
    }
  }
  return {};
}

}  // namespace ledger::store
