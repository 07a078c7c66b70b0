// RocksDbEventLog: open, close, and reopen after a storage fault. On open the head is read from
// the last event and the tail of the chain is verified; a failed write leaves the log read-only
// (writable() says why) until resume() succeeds.
#include <fmt/format.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "core/store/chain_verifier.h"
#include "core/store/key_encoding.h"
#include "core/store/record_seal.h"
#include "core/store/rocksdb_database_options.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

namespace {

// Every family the database already has, plus the ones the log needs. Read-only, only those that
// exist: none means there is no store.
Result<std::vector<std::string>> families_to_open(const rocksdb::DBOptions& db_options,
                                                  const StoreOptions& options) {
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, kEventsFamily,
                                    kStreamsFamily, kIdempotencyFamily, kMetaFamily};
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing).ok()) {
    // Copies: `existing` is used below.
    names.insert(names.end(), existing.begin(), existing.end());
  }
  // A keyspace with no family of any generation yet starts at generation 0.
  std::unordered_set<std::string> present_keyspaces;
  for (const auto& name : existing) {
    if (auto family = parse_state_family(name)) present_keyspaces.insert(family->keyspace);
  }
  for (const auto& keyspace : options.state_keyspaces) {
    if (!present_keyspaces.contains(keyspace)) names.push_back(state_family_name(keyspace, 0));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (options.read_only) {
    // A read-only open can only open families that exist.
    std::unordered_set<std::string> present(existing.begin(), existing.end());
    std::erase_if(names, [&](const std::string& name) { return !present.contains(name); });
    if (names.empty()) {
      return make_error(Errc::not_found, fmt::format("no ledger store at {}", options.path));
    }
  }
  return names;
}

}  // namespace

RocksDbEventLog::RocksDbEventLog(StoreOptions options) : options_(std::move(options)) {}

RocksDbEventLog::~RocksDbEventLog() { close_database(); }

void RocksDbEventLog::close_database() {
  if (!db_) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  keyspaces_.clear();
  events_ = streams_ = idempotency_ = meta_ = nullptr;
  db_->Close();
  db_.reset();
}

Result<std::unique_ptr<RocksDbEventLog>> RocksDbEventLog::open(const StoreOptions& options) {
  if (options.path.empty()) {
    return make_error(Errc::invalid_argument, "the store needs a path");
  }
  std::unique_ptr<RocksDbEventLog> log(new RocksDbEventLog(options));
  if (auto status = log->open_database(); !status) return std::move(status).error();
  if (auto status = log->load_head(); !status) return std::move(status).error();
  if (auto status = log->verify_tail(); !status) return std::move(status).error();
  return log;
}

Status RocksDbEventLog::open_database() {
  std::error_code ignored;
  if (!options_.read_only) std::filesystem::create_directories(options_.path, ignored);

  rocksdb::DBOptions db_options = database_options(options_);
  auto names = families_to_open(db_options, options_);
  if (!names) return std::move(names).error();

  block_cache_ = shared_block_cache(options_.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : *names) {
    descriptors.emplace_back(name, family_options(name, options_, block_cache_));
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (options_.read_only && !options_.secondary_path.empty()) {
    db_options.max_open_files = -1;  // required by secondary instances
    status = rocksdb::DB::OpenAsSecondary(db_options, options_.path, options_.secondary_path,
                                          descriptors, &handles_, &raw);
  } else if (options_.read_only) {
    status = rocksdb::DB::OpenForReadOnly(db_options, options_.path, descriptors, &handles_, &raw);
  } else {
    status = rocksdb::DB::Open(db_options, options_.path, descriptors, &handles_, &raw);
  }
  if (!status.ok())
    return to_error(status, fmt::format("cannot open the store at {}", options_.path));
  db_.reset(raw);

  for (auto* handle : handles_) {
    const std::string& name = handle->GetName();
    if (name == kEventsFamily) events_ = handle;
    if (name == kStreamsFamily) streams_ = handle;
    if (name == kIdempotencyFamily) idempotency_ = handle;
    if (name == kMetaFamily) meta_ = handle;
  }
  if (events_ == nullptr || streams_ == nullptr || idempotency_ == nullptr || meta_ == nullptr) {
    return make_error(
        Errc::corruption,
        fmt::format("the store at {} lacks the log's column families", options_.path));
  }

  std::string format;
  status = db_->Get(rocksdb::ReadOptions(), meta_, kFormatKey, &format);
  if (status.IsNotFound()) {
    if (options_.read_only) return {};
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    status = db_->Put(write_options, meta_, kFormatKey, kFormatVersion);
    if (!status.ok()) return to_error(status, "cannot write the store's format version");
  } else if (!status.ok()) {
    return to_error(status, "cannot read the store's format version");
  } else if (format != kFormatVersion) {
    return make_error(Errc::corruption,
                      fmt::format("the store has format version {}, this build reads {}", format,
                                  kFormatVersion));
  }
  return map_keyspace_generations();
}

Status RocksDbEventLog::load_head() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
  it->SeekToLast();
  LogHead head;
  if (it->Valid()) {
    events::Envelope envelope;
    const auto value = it->value();
    Hash256 stored_hash{};
    if (it->key().size() != 8 || value.size() < kSealBytes) {
      return make_error(Errc::corruption, "the last record of the log is malformed");
    }
    std::memcpy(stored_hash.data(), value.data() + value.size() - stored_hash.size(),
                stored_hash.size());
    head.position = read_big_endian(std::string_view(it->key().data(), 8));
    head.hash = stored_hash;
  }
  if (!it->status().ok()) return to_error(it->status(), "cannot read the head of the log");
  head_.reset(head);
  return {};
}

Status RocksDbEventLog::verify_tail() {
  const LogHead head = this->head();
  if (head.position == 0 || options_.verify_tail_records_on_open == 0) return {};
  const std::uint64_t count =
      std::min<std::uint64_t>(head.position, options_.verify_tail_records_on_open);
  const std::uint64_t first = head.position - count + 1;
  LogHead before;
  if (first > 1) {
    auto previous = read_event(first - 1);
    if (!previous) return std::move(previous).error();
    before.position = first - 1;
    std::memcpy(before.hash.data(), previous->hash().data(),
                std::min(before.hash.size(), previous->hash().size()));
  }
  return verify_chain_tail(before, [&](const RecordVisitor& visitor) {
    return scan_records_unlocked(first - 1, visitor);
  });
}

Status RocksDbEventLog::writable() const {
  if (options_.read_only) return make_error(Errc::store_read_only, "the store is open read-only");
  std::lock_guard lock(failure_mutex_);
  if (!failure_.empty()) return make_error(Errc::store_read_only, failure_);
  return {};
}

Error RocksDbEventLog::fail_writes(const rocksdb::Status& status) {
  std::string reason = fmt::format("the store stopped accepting writes: {}", status.ToString());
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = reason;
  }
  // A failed batch may have left rows readable that the log does not hold.
  keyspace_writes_.advance_all();
  return make_error(status.IsNoSpace() ? Errc::store_read_only : Errc::io_error, std::move(reason));
}

Status RocksDbEventLog::resume() {
  std::lock_guard append_lock(append_mutex_);
  if (writable()) return {};
  std::unique_lock db_lock(db_mutex_);
  if (!db_->Resume().ok()) {
    // RocksDB does not resume after a failed WAL write: reopen, recovering the WAL as on start.
    close_database();
    if (auto reopened = open_database(); !reopened) {
      return make_error(Errc::store_read_only,
                        "the store cannot reopen yet: " + reopened.error().message);
    }
  }
  // Rows a failed write left readable are gone after the reopen.
  keyspace_writes_.advance_all();
  if (auto loaded = load_head(); !loaded) return loaded;
  if (auto verified = verify_tail(); !verified) return verified;
  std::lock_guard lock(failure_mutex_);
  failure_.clear();
  return {};
}

}  // namespace ledger::store
