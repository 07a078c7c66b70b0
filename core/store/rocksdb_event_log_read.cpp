// RocksDbEventLog: reads of the log: a stream's version and events, the log in position order,
// and idempotency records. Every read holds the database shared, so a reopen waits for it.
#include <fmt/format.h>
#include <rocksdb/db.h>

#include <algorithm>

#include "core/store/key_encoding.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

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

}  // namespace ledger::store
