// Direct access to a closed store's RocksDB files, for tests that damage them on purpose.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace ledger::testing {

class RawStore {
 public:
  explicit RawStore(const std::string& path) {
    std::vector<std::string> names;
    rocksdb::DBOptions options;
    if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok())
      throw std::runtime_error("list");
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, path, descriptors, &handles_, &raw).ok()) {
      throw std::runtime_error("open");
    }
    db_.reset(raw);
  }
  ~RawStore() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close();
  }

  rocksdb::ColumnFamilyHandle* family(const std::string& name) const {
    for (auto* handle : handles_) {
      if (handle->GetName() == name) return handle;
    }
    throw std::runtime_error("no column family " + name);
  }

  std::string get(const std::string& family_name, const std::string& key) const {
    std::string value;
    if (!db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value).ok()) {
      throw std::runtime_error("get");
    }
    return value;
  }
  void put(const std::string& family_name, const std::string& key, const std::string& value) {
    if (!db_->Put(rocksdb::WriteOptions(), family(family_name), key, value).ok()) {
      throw std::runtime_error("put");
    }
  }
  void remove(const std::string& family_name, const std::string& key) {
    if (!db_->Delete(rocksdb::WriteOptions(), family(family_name), key).ok()) {
      throw std::runtime_error("delete");
    }
  }

  // The names of every column family of the store.
  std::vector<std::string> family_names() const {
    std::vector<std::string> names;
    for (const auto* handle : handles_) names.push_back(handle->GetName());
    return names;
  }

  // Visits every row of a family in key order.
  template <class Visit>
  void visit_rows(const std::string& family_name, Visit visit) const {
    std::unique_ptr<rocksdb::Iterator> rows(
        db_->NewIterator(rocksdb::ReadOptions(), family(family_name)));
    for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
      visit(std::string_view(rows->key().data(), rows->key().size()),
            std::string_view(rows->value().data(), rows->value().size()));
    }
    if (!rows->status().ok()) throw std::runtime_error("scan");
  }

  // Deletes every row of a family in one synced batch; answers how many rows there were.
  std::uint64_t remove_every_row(const std::string& family_name) {
    rocksdb::ColumnFamilyHandle* handle = family(family_name);
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> rows(db_->NewIterator(rocksdb::ReadOptions(), handle));
    std::uint64_t count = 0;
    for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
      if (!batch.Delete(handle, rows->key()).ok()) throw std::runtime_error("delete");
      ++count;
    }
    if (!rows->status().ok()) throw std::runtime_error("scan");
    rocksdb::WriteOptions synced;
    synced.sync = true;
    if (!db_->Write(synced, &batch).ok()) throw std::runtime_error("write");
    return count;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace ledger::testing
