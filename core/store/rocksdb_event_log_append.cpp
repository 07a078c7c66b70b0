// RocksDbEventLog: the writer. An append is validated whole, checked against expected versions
// and idempotency keys, sealed into the hash chain and written as one synced WriteBatch; the head
// is published only after the write is durable.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <unordered_map>

#include "core/sha256.h"
#include "core/store/expected_version.h"
#include "core/store/key_encoding.h"
#include "core/store/record_seal.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/rocksdb_families.h"

namespace ledger::store {

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

}  // namespace ledger::store
