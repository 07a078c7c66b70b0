#include "core/store/rocksdb_event_log.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "core/store/chain_verifier.h"
#include "core/store/key_encoding.h"
#include "core/store/record_seal.h"
#include "core/store/rocksdb_families.h"
#include "core/store/tolerant_info_log.h"

namespace ledger::store {

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

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options_.read_only;
  db_options.create_missing_column_families = !options_.read_only;
  if (options_.env != nullptr) db_options.env = options_.env;
  // The primary's info log must survive a full disk (see tolerant_info_log.h).
  if (!options_.read_only) db_options.info_log = TolerantInfoLog::open(options_.path, 64 << 20);
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_total_wal_size = 512ull << 20;
  db_options.keep_log_file_num = 4;
  db_options.max_open_files = 512;
  // One writer: the concurrent memtable insert path only costs here.
  db_options.allow_concurrent_memtable_write = false;
  db_options.enable_write_thread_adaptive_yield = false;

  // Open every family the database already has, plus the ones we need.
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, kEventsFamily,
                                    kStreamsFamily, kIdempotencyFamily, kMetaFamily};
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options_.path, &existing).ok()) {
    names.insert(names.end(), existing.begin(), existing.end());  // copies: `existing` is used below
  }
  // A keyspace with no family of any generation yet starts at generation 0.
  std::unordered_set<std::string> present_keyspaces;
  for (const auto& name : existing) {
    if (auto family = parse_state_family(name)) present_keyspaces.insert(family->keyspace);
  }
  for (const auto& keyspace : options_.state_keyspaces) {
    if (!present_keyspaces.contains(keyspace)) names.push_back(state_family_name(keyspace, 0));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (options_.read_only) {
    // A read-only open can only open families that exist.
    std::unordered_set<std::string> present(existing.begin(), existing.end());
    std::erase_if(names, [&](const std::string& name) { return !present.contains(name); });
    if (names.empty()) {
      return make_error(Errc::not_found, fmt::format("no ledger store at {}", options_.path));
    }
  }

  block_cache_ = shared_block_cache(options_.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
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
  std::lock_guard lock(head_mutex_);
  head_ = head;
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
  ChainVerifier verifier(before, /*check_stream_versions=*/false);
  auto status =
      scan_records_unlocked(first - 1, [&](std::uint64_t position, std::string_view record) {
        verifier.visit(position, record);
        return true;
      });
  if (!status) return status;
  if (!verifier.findings().empty()) {
    const auto& finding = verifier.findings().front();
    return make_error(Errc::corruption,
                      fmt::format("the log's tail does not verify at position {}: {} ({} findings)",
                                  finding.position, finding.message, verifier.findings().size()));
  }
  return {};
}

Status RocksDbEventLog::validate(std::span<const CommitRequest> commits) const {
  if (commits.size() > options_.commits_per_append_max) {
    return make_error(Errc::invalid_argument, fmt::format("an append carries at most {} commits",
                                                          options_.commits_per_append_max));
  }
  for (const auto& commit : commits) {
    if (commit.events.empty()) {
      return make_error(Errc::invalid_argument, "a commit carries at least one event");
    }
    if (commit.events.size() > options_.events_per_commit_max) {
      return make_error(Errc::invalid_argument, fmt::format("a commit carries at most {} events",
                                                            options_.events_per_commit_max));
    }
    if (commit.idempotency_key.size() > options_.idempotency_key_bytes_max) {
      return make_error(Errc::invalid_argument, "the idempotency key is too long");
    }
    for (const auto& event : commit.events) {
      if (event.stream_id.empty() || event.stream_id.size() > options_.stream_id_bytes_max ||
          event.stream_id.find('\0') != std::string::npos) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("stream ids are 1 to {} bytes without NUL", options_.stream_id_bytes_max));
      }
      if (event.event_type.empty() || event.event_type.size() > options_.event_type_bytes_max) {
        return make_error(Errc::invalid_argument, "an event needs a type");
      }
      if (event.payload.size() > options_.payload_bytes_max) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("an event payload is at most {} bytes", options_.payload_bytes_max));
      }
    }
    for (std::size_t i = 0; i < commit.expectations.size(); ++i) {
      for (std::size_t j = i + 1; j < commit.expectations.size(); ++j) {
        if (commit.expectations[i].stream_id == commit.expectations[j].stream_id) {
          return make_error(Errc::invalid_argument,
                            fmt::format("stream {} has two expectations in one commit",
                                        commit.expectations[i].stream_id));
        }
      }
    }
    for (const auto& write : commit.state_writes) {
      if (keyspace_handle(write.keyspace) == nullptr) {
        return make_error(Errc::invalid_argument,
                          fmt::format("unknown state keyspace {}", write.keyspace));
      }
    }
  }
  return {};
}

Result<std::uint64_t> RocksDbEventLog::cached_stream_version(const std::string& stream_id) {
  if (auto it = stream_cache_.find(stream_id); it != stream_cache_.end()) return it->second;
  auto version = stream_version_unlocked(stream_id);
  if (!version) return version;
  if (stream_cache_.size() >= options_.stream_cache_entries_max) stream_cache_.clear();
  stream_cache_.emplace(stream_id, *version);
  return version;
}

rocksdb::ColumnFamilyHandle* RocksDbEventLog::keyspace_handle(std::string_view keyspace) const {
  auto it = keyspaces_.find(keyspace);
  return it == keyspaces_.end() ? nullptr : it->second;
}

Error RocksDbEventLog::fail_writes(const rocksdb::Status& status) {
  std::string reason = fmt::format("the store stopped accepting writes: {}", status.ToString());
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = reason;
  }
  stream_cache_.clear();
  return make_error(status.IsNoSpace() ? Errc::store_read_only : Errc::io_error, std::move(reason));
}

Result<std::vector<CommitOutcome>> RocksDbEventLog::append(std::span<const CommitRequest> commits) {
  if (options_.read_only) {
    return make_error(Errc::store_read_only, "the store is open read-only");
  }
  std::lock_guard append_lock(append_mutex_);
  std::shared_lock db_lock(db_mutex_);
  if (auto status = writable(); !status) return std::move(status).error();
  if (auto status = validate(commits); !status) return std::move(status).error();

  LogHead head = this->head();
  rocksdb::WriteBatch batch;
  std::unordered_map<std::string, std::uint64_t> batch_versions;  // stream -> version after batch
  std::unordered_map<std::string_view, std::size_t> batch_keys;   // idempotency key -> commit
  std::vector<CommitOutcome> outcomes;
  outcomes.reserve(commits.size());
  thread_local events::Envelope envelope;
  thread_local Sha256 hasher;
  std::string record;
  std::string key;

  auto current_version = [&](const std::string& stream_id) -> Result<std::uint64_t> {
    if (auto it = batch_versions.find(stream_id); it != batch_versions.end()) return it->second;
    return cached_stream_version(stream_id);
  };

  for (std::size_t index = 0; index < commits.size(); ++index) {
    const CommitRequest& commit = commits[index];
    if (!commit.idempotency_key.empty()) {
      if (auto it = batch_keys.find(commit.idempotency_key); it != batch_keys.end()) {
        const CommitRequest& first = commits[it->second];
        if (first.request_fingerprint != commit.request_fingerprint) {
          return make_error(Errc::idempotency_conflict,
                            "the idempotency key was already used with a different request");
        }
        CommitOutcome replay = outcomes[it->second];
        replay.replayed = true;
        outcomes.push_back(std::move(replay));
        continue;
      }
      auto existing = find_idempotency_unlocked(commit.idempotency_key);
      if (!existing) return std::move(existing).error();
      if (existing->has_value()) {
        const auto& remembered = **existing;
        if (remembered.request_fingerprint() != commit.request_fingerprint) {
          return make_error(Errc::idempotency_conflict,
                            "the idempotency key was already used with a different request");
        }
        outcomes.push_back(CommitOutcome{remembered.first_position(), remembered.last_position(),
                                         remembered.result(), true});
        continue;
      }
      batch_keys.emplace(commit.idempotency_key, index);
    }

    for (const auto& expectation : commit.expectations) {
      auto version = current_version(expectation.stream_id);
      if (!version) return std::move(version).error();
      if (auto status =
              check_expected_version(expectation.stream_id, expectation.expected, *version);
          !status) {
        return std::move(status).error();
      }
    }

    CommitOutcome outcome;
    outcome.first_position = head.position + 1;
    for (const auto& event : commit.events) {
      auto version = current_version(event.stream_id);
      if (!version) return std::move(version).error();
      const std::uint64_t stream_version = *version + 1;
      batch_versions[event.stream_id] = stream_version;
      const std::uint64_t position = head.position + 1;

      envelope.Clear();
      envelope.set_position(position);
      envelope.set_stream_id(event.stream_id);
      envelope.set_stream_version(stream_version);
      envelope.set_event_type(event.event_type);
      envelope.set_schema_version(event.schema_version);
      envelope.set_recorded_at_us(commit.recorded_at_us);
      envelope.set_actor(commit.actor);
      envelope.set_correlation_id(commit.correlation_id);
      envelope.set_causation_id(commit.causation_id);
      envelope.set_idempotency_key(commit.idempotency_key);
      envelope.set_payload(event.payload);
      envelope.set_previous_hash(head.hash.data(), head.hash.size());
      record.clear();
      envelope.AppendToString(&record);
      const Hash256 hash = seal_record(head.hash, &record, &hasher);

      key = big_endian_key(position);
      batch.Put(events_, key, record);
      batch.Put(streams_, stream_key(event.stream_id, stream_version), key);
      head = LogHead{position, hash};
    }
    outcome.last_position = head.position;
    outcome.result = commit.result;

    for (const auto& write : commit.state_writes) {
      auto* handle = keyspace_handle(write.keyspace);
      if (write.value) {
        batch.Put(handle, write.key, *write.value);
      } else {
        batch.Delete(handle, write.key);
      }
    }
    if (!commit.idempotency_key.empty()) {
      events::IdempotencyRecord remembered;
      remembered.set_request_fingerprint(commit.request_fingerprint);
      remembered.set_first_position(outcome.first_position);
      remembered.set_last_position(outcome.last_position);
      remembered.set_result(commit.result);
      remembered.set_recorded_at_us(commit.recorded_at_us);
      batch.Put(idempotency_, commit.idempotency_key, remembered.SerializeAsString());
    }
    outcomes.push_back(std::move(outcome));
  }

  if (batch.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    const rocksdb::Status status = db_->Write(write_options, &batch);
    if (!status.ok()) return fail_writes(status);
  }

  for (auto& [stream_id, version] : batch_versions) {
    if (stream_cache_.size() >= options_.stream_cache_entries_max) stream_cache_.clear();
    stream_cache_[stream_id] = version;
  }
  {
    std::lock_guard lock(head_mutex_);
    head_ = head;
  }
  head_advanced_.notify_all();
  {
    std::lock_guard lock(subscribers_mutex_);
    for (auto& [handle, on_append] : subscribers_) on_append(head.position);
  }
  return outcomes;
}

LogHead RocksDbEventLog::head() const {
  std::lock_guard lock(head_mutex_);
  return head_;
}

Result<std::uint64_t> RocksDbEventLog::stream_version(std::string_view stream_id) const {
  std::shared_lock db_lock(db_mutex_);
  return stream_version_unlocked(stream_id);
}

Result<std::uint64_t> RocksDbEventLog::stream_version_unlocked(std::string_view stream_id) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  const std::string last = stream_key(stream_id, UINT64_MAX);
  it->SeekForPrev(last);
  const std::string prefix = stream_key_prefix(stream_id);
  if (it->Valid() && it->key().size() == prefix.size() + 8 && it->key().starts_with(prefix)) {
    return read_big_endian(std::string_view(it->key().data() + prefix.size(), 8));
  }
  if (!it->status().ok()) return to_error(it->status(), "cannot read a stream's version");
  return std::uint64_t{0};
}

Result<events::Envelope> RocksDbEventLog::read_event(std::uint64_t position) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), events_, big_endian_key(position), &value);
  if (status.IsNotFound()) {
    return make_error(Errc::corruption,
                      fmt::format("position {} is missing from the log", position));
  }
  if (!status.ok()) return to_error(status, "cannot read an event");
  events::Envelope envelope;
  if (!envelope.ParseFromString(value)) {
    return make_error(Errc::corruption, fmt::format("position {} does not decode", position));
  }
  return envelope;
}

Result<std::vector<events::Envelope>> RocksDbEventLog::read_stream(std::string_view stream_id,
                                                                   std::uint64_t from_version,
                                                                   ReadDirection direction,
                                                                   std::size_t limit) const {
  std::shared_lock db_lock(db_mutex_);
  limit = std::min(limit, options_.read_limit_max);
  std::vector<events::Envelope> result;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  const std::string prefix = stream_key_prefix(stream_id);
  const bool forward = direction == ReadDirection::forward;
  if (forward) {
    it->Seek(stream_key(stream_id, std::max<std::uint64_t>(from_version, 1)));
  } else {
    it->SeekForPrev(stream_key(stream_id, from_version == 0 ? UINT64_MAX : from_version));
  }
  for (; it->Valid() && result.size() < limit; forward ? it->Next() : it->Prev()) {
    const auto key = it->key();
    if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) break;
    if (it->value().size() != 8) {
      return make_error(Errc::corruption, "a stream index entry is malformed");
    }
    auto envelope = read_event(read_big_endian(std::string_view(it->value().data(), 8)));
    if (!envelope) return std::move(envelope).error();
    result.push_back(std::move(envelope).value());
  }
  if (!it->status().ok()) return to_error(it->status(), "cannot read a stream");
  return result;
}

Result<std::vector<events::Envelope>> RocksDbEventLog::read_all(std::uint64_t after_position,
                                                                std::size_t limit) const {
  limit = std::min(limit, options_.read_limit_max);
  std::vector<events::Envelope> result;
  Status failure;
  std::shared_lock db_lock(db_mutex_);
  auto visit = [&](std::uint64_t position, std::string_view record) {
    events::Envelope envelope;
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      failure = make_error(Errc::corruption, fmt::format("position {} does not decode", position));
      return false;
    }
    result.push_back(std::move(envelope));
    return result.size() < limit;
  };
  auto status = scan_records_unlocked(after_position, visit, /*long_scan=*/false);
  if (!status) return std::move(status).error();
  if (!failure) return std::move(failure).error();
  return result;
}

Status RocksDbEventLog::scan_records(std::uint64_t after_position,
                                     const RecordVisitor& visitor) const {
  std::shared_lock db_lock(db_mutex_);
  return scan_records_unlocked(after_position, visitor);
}

Status RocksDbEventLog::scan_records_unlocked(std::uint64_t after_position,
                                              const RecordVisitor& visitor, bool long_scan) const {
  rocksdb::ReadOptions read_options;
  if (long_scan) {
    read_options.readahead_size = 2 << 20;
    read_options.fill_cache = false;  // a scan must not evict the hot set
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  for (it->Seek(big_endian_key(after_position + 1)); it->Valid(); it->Next()) {
    const auto key = it->key();
    if (key.size() != 8) return make_error(Errc::corruption, "an event key is not 8 bytes");
    const auto value = it->value();
    if (!visitor(read_big_endian(std::string_view(key.data(), 8)),
                 std::string_view(value.data(), value.size()))) {
      break;
    }
  }
  if (!it->status().ok()) return to_error(it->status(), "cannot scan the log");
  return {};
}

Result<std::optional<events::IdempotencyRecord>> RocksDbEventLog::find_idempotency(
    std::string_view key) const {
  std::shared_lock db_lock(db_mutex_);
  return find_idempotency_unlocked(key);
}

Result<std::optional<events::IdempotencyRecord>> RocksDbEventLog::find_idempotency_unlocked(
    std::string_view key) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), idempotency_, key, &value);
  if (status.IsNotFound()) return std::optional<events::IdempotencyRecord>();
  if (!status.ok()) return to_error(status, "cannot read an idempotency record");
  events::IdempotencyRecord record;
  if (!record.ParseFromString(value)) {
    return make_error(Errc::corruption, "an idempotency record does not decode");
  }
  return std::optional<events::IdempotencyRecord>(std::move(record));
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

bool RocksDbEventLog::wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(head_mutex_);
  return head_advanced_.wait_for(lock, timeout, [&] { return head_.position >= position; });
}

std::uint64_t RocksDbEventLog::subscribe(std::function<void(std::uint64_t)> on_append) {
  std::lock_guard lock(subscribers_mutex_);
  const std::uint64_t handle = next_subscriber_++;
  subscribers_.emplace(handle, std::move(on_append));
  return handle;
}

void RocksDbEventLog::unsubscribe(std::uint64_t handle) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(handle);
}

Status RocksDbEventLog::writable() const {
  if (options_.read_only) return make_error(Errc::store_read_only, "the store is open read-only");
  std::lock_guard lock(failure_mutex_);
  if (!failure_.empty()) return make_error(Errc::store_read_only, failure_);
  return {};
}

Status RocksDbEventLog::resume() {
  std::lock_guard append_lock(append_mutex_);
  if (writable()) return {};
  std::unique_lock db_lock(db_mutex_);
  stream_cache_.clear();
  if (!db_->Resume().ok()) {
    // RocksDB does not resume after a failed WAL write: reopen, recovering the WAL as on start.
    close_database();
    if (auto reopened = open_database(); !reopened) {
      return make_error(Errc::store_read_only,
                        "the store cannot reopen yet: " + reopened.error().message);
    }
  }
  if (auto loaded = load_head(); !loaded) return loaded;
  if (auto verified = verify_tail(); !verified) return verified;
  std::lock_guard lock(failure_mutex_);
  failure_.clear();
  return {};
}

Status RocksDbEventLog::catch_up_with_primary() {
  std::shared_lock db_lock(db_mutex_);
  const auto status = db_->TryCatchUpWithPrimary();
  if (!status.ok()) return to_error(status, "cannot catch up with the primary");
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

Status RocksDbEventLog::write_state(std::span<const StateWrite> writes) {
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
  const rocksdb::Status status = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!status.ok()) return to_error(status, "cannot write projection state");
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
