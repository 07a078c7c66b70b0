#include "core/store/append_planner.h"

#include <fmt/format.h>

#include "core/sha256.h"
#include "core/store/expected_version.h"
#include "core/store/record_seal.h"

namespace ledger::store {

Status validate_commits(const StoreOptions& options, std::span<const CommitRequest> commits,
                        const std::function<bool(std::string_view keyspace)>& keyspace_known) {
  if (commits.size() > options.commits_per_append_max) {
    return make_error(Errc::invalid_argument, fmt::format("an append carries at most {} commits",
                                                          options.commits_per_append_max));
  }
  for (const auto& commit : commits) {
    if (commit.events.empty()) {
      return make_error(Errc::invalid_argument, "a commit carries at least one event");
    }
    if (commit.events.size() > options.events_per_commit_max) {
      return make_error(Errc::invalid_argument, fmt::format("a commit carries at most {} events",
                                                            options.events_per_commit_max));
    }
    if (commit.idempotency_key.size() > options.idempotency_key_bytes_max) {
      return make_error(Errc::invalid_argument, "the idempotency key is too long");
    }
    for (const auto& event : commit.events) {
      if (event.stream_id.empty() || event.stream_id.size() > options.stream_id_bytes_max ||
          event.stream_id.find('\0') != std::string::npos) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("stream ids are 1 to {} bytes without NUL", options.stream_id_bytes_max));
      }
      if (event.event_type.empty() || event.event_type.size() > options.event_type_bytes_max) {
        return make_error(Errc::invalid_argument, "an event needs a type");
      }
      if (event.payload.size() > options.payload_bytes_max) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("an event payload is at most {} bytes", options.payload_bytes_max));
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
      if (!keyspace_known(write.keyspace)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("unknown state keyspace {}", write.keyspace));
      }
    }
  }
  return {};
}

namespace {

void fill_envelope(const CommitRequest& commit, const PendingEvent& event, std::uint64_t position,
                   std::uint64_t stream_version, const Hash256& previous_hash,
                   events::Envelope* envelope) {
  envelope->Clear();
  envelope->set_position(position);
  envelope->set_stream_id(event.stream_id);
  envelope->set_stream_version(stream_version);
  envelope->set_event_type(event.event_type);
  envelope->set_schema_version(event.schema_version);
  envelope->set_recorded_at_us(commit.recorded_at_us);
  envelope->set_actor(commit.actor);
  envelope->set_correlation_id(commit.correlation_id);
  envelope->set_causation_id(commit.causation_id);
  envelope->set_idempotency_key(commit.idempotency_key);
  envelope->set_payload(event.payload);
  envelope->set_previous_hash(previous_hash.data(), previous_hash.size());
}

std::string remembered_record(const CommitRequest& commit, const CommitOutcome& outcome) {
  events::IdempotencyRecord remembered;
  remembered.set_request_fingerprint(commit.request_fingerprint);
  remembered.set_first_position(outcome.first_position);
  remembered.set_last_position(outcome.last_position);
  remembered.set_result(commit.result);
  remembered.set_recorded_at_us(commit.recorded_at_us);
  return remembered.SerializeAsString();
}

Error reused_key() {
  return make_error(Errc::idempotency_conflict,
                    "the idempotency key was already used with a different request");
}

}  // namespace

Result<AppendPlan> plan_append(std::span<const CommitRequest> commits, const LogHead& head,
                               const AppendLookups& lookups, AppendSink& sink,
                               Admission admission) {
  AppendPlan plan;
  plan.head = head;
  plan.outcomes.reserve(commits.size());
  std::unordered_map<std::string_view, std::size_t> batch_keys;  // idempotency key -> commit
  thread_local events::Envelope envelope;
  thread_local Sha256 hasher;
  std::string record;

  auto current_version = [&](const std::string& stream_id) -> Result<std::uint64_t> {
    if (auto it = plan.stream_versions.find(stream_id); it != plan.stream_versions.end()) {
      return it->second;
    }
    return lookups.stream_version(stream_id);
  };
  // The version `event` gets: the next of its stream (check), or the one it carries, which must
  // follow the stream's last version in this append (admitted).
  auto next_version = [&](const PendingEvent& event) -> Result<std::uint64_t> {
    if (admission == Admission::check) {
      if (event.stream_version != 0) {
        return make_error(Errc::invalid_argument,
                          "stream versions are given only to an admitted append");
      }
      auto version = current_version(event.stream_id);
      if (!version) return version;
      return *version + 1;
    }
    if (event.stream_version == 0) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("an admitted event of stream {} has no stream version", event.stream_id));
    }
    if (auto it = plan.stream_versions.find(event.stream_id);
        it != plan.stream_versions.end() && it->second + 1 != event.stream_version) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("admitted versions of stream {} are not contiguous ({} after {})",
                      event.stream_id, event.stream_version, it->second));
    }
    return event.stream_version;
  };

  for (std::size_t index = 0; index < commits.size(); ++index) {
    const CommitRequest& commit = commits[index];
    if (admission == Admission::admitted && !commit.idempotency_key.empty() &&
        !batch_keys.emplace(commit.idempotency_key, index).second) {
      return make_error(Errc::invalid_argument,
                        "an admitted append carries an idempotency key twice");
    }
    if (admission == Admission::check && !commit.idempotency_key.empty()) {
      if (auto it = batch_keys.find(commit.idempotency_key); it != batch_keys.end()) {
        if (commits[it->second].request_fingerprint != commit.request_fingerprint) {
          return reused_key();
        }
        CommitOutcome replay = plan.outcomes[it->second];
        replay.replayed = true;
        plan.outcomes.push_back(std::move(replay));
        continue;
      }
      auto existing = lookups.idempotency(commit.idempotency_key);
      if (!existing) return std::move(existing).error();
      if (existing->has_value()) {
        const auto& remembered = **existing;
        if (remembered.request_fingerprint() != commit.request_fingerprint) return reused_key();
        plan.outcomes.push_back(CommitOutcome{
            remembered.first_position(), remembered.last_position(), remembered.result(), true});
        continue;
      }
      batch_keys.emplace(commit.idempotency_key, index);
    }

    // Admitted: the sequencer checked them.
    for (const auto& expectation : commit.expectations) {
      if (admission == Admission::admitted) break;
      auto version = current_version(expectation.stream_id);
      if (!version) return std::move(version).error();
      if (auto status =
              check_expected_version(expectation.stream_id, expectation.expected, *version);
          !status) {
        return std::move(status).error();
      }
    }

    CommitOutcome outcome;
    outcome.first_position = plan.head.position + 1;
    for (const auto& event : commit.events) {
      auto version = next_version(event);
      if (!version) return std::move(version).error();
      const std::uint64_t stream_version = *version;
      plan.stream_versions[event.stream_id] = stream_version;
      const std::uint64_t position = plan.head.position + 1;
      fill_envelope(commit, event, position, stream_version, plan.head.hash, &envelope);
      record.clear();
      envelope.AppendToString(&record);
      const Hash256 hash = seal_record(plan.head.hash, &record, &hasher);
      sink.add_record(position, event.stream_id, stream_version, record);
      plan.head = LogHead{position, hash};
      ++plan.records;
    }
    outcome.last_position = plan.head.position;
    outcome.result = commit.result;
    for (const auto& write : commit.state_writes) sink.add_state_write(write);
    if (!commit.idempotency_key.empty()) {
      sink.add_idempotency(commit.idempotency_key, remembered_record(commit, outcome));
    }
    plan.writes = true;
    plan.outcomes.push_back(std::move(outcome));
  }
  return plan;
}

}  // namespace ledger::store
