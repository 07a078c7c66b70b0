// Direct access to a closed store's RocksDB files, for tests that damage them on purpose.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

namespace ledger::testing {

class RawStore {
 public:
  explicit RawStore(const std::string& path) {
    std::vector<std::string> names;
    rocksdb::DBOptions options;
    if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) throw std::runtime_error("list");
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

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace ledger::testing
