#include "core/sequencer.h"

#include <chrono>
#include <limits>
#include <unordered_set>

namespace ledger {
namespace {

std::uint64_t microseconds_since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

std::size_t batch_size_bucket(std::size_t commands) {
  std::size_t bucket = 0;
  std::size_t bound = 1;
  while (bucket + 1 < SequencerStats{}.batch_size_buckets.size() && commands > bound) {
    ++bucket;
    bound *= 4;
  }
  return bucket;
}

// A batch is written atomically, so only the last write of each state row within it matters:
// hot rows (a revenue account, a popular code) are written once per batch, not once per command.
void coalesce_state_writes(std::vector<store::CommitRequest>& commits) {
  struct RowHash {
    std::size_t operator()(const std::pair<std::string_view, std::string_view>& row) const {
      const std::size_t keyspace = std::hash<std::string_view>{}(row.first);
      return keyspace ^ (std::hash<std::string_view>{}(row.second) + 0x9e3779b97f4a7c15ULL +
                         (keyspace << 6) + (keyspace >> 2));
    }
  };
  // Views of the rows, newest first; nothing is erased until every row has been seen, so that
  // the views stay valid.
  std::unordered_set<std::pair<std::string_view, std::string_view>, RowHash> seen;
  std::vector<std::pair<std::size_t, std::size_t>> superseded;  // (commit, write) indexes
  for (std::size_t c = commits.size(); c-- > 0;) {
    const auto& writes = commits[c].state_writes;
    for (std::size_t w = writes.size(); w-- > 0;) {
      if (!seen.emplace(writes[w].keyspace, writes[w].key).second) superseded.emplace_back(c, w);
    }
  }
  if (superseded.empty()) return;
  for (const auto& [c, w] : superseded) commits[c].state_writes[w].keyspace.clear();
  for (auto& commit : commits) {
    std::erase_if(commit.state_writes,
                  [](const store::StateWrite& write) { return write.keyspace.empty(); });
  }
}

}  // namespace

Result<std::uint64_t> DecisionContext::stream_version(std::string_view stream_id) {
  return sequencer_.stream_version(stream_id);
}

Result<std::optional<std::string>> DecisionContext::read_state(std::string_view keyspace,
                                                               std::string_view key) {
  return sequencer_.read_state(keyspace, key);
}

Sequencer::Sequencer(store::EventLog& log, const Clock& clock, SequencerOptions options)
    : log_(log),
      clock_(clock),
      options_(options),
      state_cache_(options.state_cache_entries_max),
      batch_state_(std::numeric_limits<std::size_t>::max()) {}

Sequencer::~Sequencer() { stop(); }

void Sequencer::start() {
  std::lock_guard lock(queue_mutex_);
  LEDGER_ASSERT(!running_, "the sequencer is already running");
  running_ = true;
  stopping_ = false;
  writer_ = std::thread([this] { run(); });
}

void Sequencer::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  queue_ready_.notify_all();
  writer_.join();
  std::lock_guard lock(queue_mutex_);
  running_ = false;
}

void Sequencer::submit(Command command, CompletionFunction on_done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_ || stopping_) {
      on_done(make_error(Errc::shutting_down, "the ledger is shutting down"));
      return;
    }
    if (queue_.size() >= options_.queue_commands_max) {
      on_done(make_error(Errc::overloaded, "the ledger is overloaded; retry shortly"));
      return;
    }
    queue_.push_back(Pending{std::move(command), std::move(on_done)});
  }
  queue_ready_.notify_one();
}

Result<store::CommitOutcome> Sequencer::submit_and_wait(Command command) {
  std::promise<Result<store::CommitOutcome>> promise;
  auto future = promise.get_future();
  submit(std::move(command), [&promise](Result<store::CommitOutcome> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

SequencerStats Sequencer::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void Sequencer::invalidate_cache() { cache_invalidated_.store(true); }

void Sequencer::run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (queue_.size() <= options_.batch_commands_max) {
        batch.swap(queue_);
      } else {
        auto split = queue_.begin() + static_cast<std::ptrdiff_t>(options_.batch_commands_max);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
        queue_.erase(queue_.begin(), split);
      }
    }
    process(batch);
    batch.clear();
  }
}

Result<std::optional<std::string>> Sequencer::read_state(std::string_view keyspace,
                                                         std::string_view key) {
  if (const auto* row = batch_state_.find(keyspace, key)) return *row;
  if (const auto* row = state_cache_.find(keyspace, key)) return *row;
  auto value = log_.read_state(keyspace, key);
  if (!value) return value;
  state_cache_.put(keyspace, key, *value);
  return value;
}

Result<std::uint64_t> Sequencer::stream_version(std::string_view stream_id) {
  // The sequencer is the only writer, so a version it has seen committed stays true until it
  // commits more events to that stream itself.
  std::uint64_t committed;
  if (auto it = stream_versions_.find(stream_id); it != stream_versions_.end()) {
    committed = it->second;
  } else {
    auto version = log_.stream_version(stream_id);
    if (!version) return version;
    committed = *version;
    if (stream_versions_.size() >= options_.stream_cache_entries_max) stream_versions_.clear();
    stream_versions_.emplace(stream_id, committed);
  }
  auto added = batch_added_events_.find(stream_id);
  return committed + (added == batch_added_events_.end() ? 0 : added->second);
}

void Sequencer::process(std::vector<Pending>& batch) {
  // The caches hold the state as of the head this writer last knew. A head moved by another
  // writer (a PostgreSQL node that followed the log, then took the writer lease) makes them
  // stale: the batch reads the store again, and its commits say which head they were decided
  // at, so that a store whose head moves meanwhile refuses them.
  const auto decide_started = std::chrono::steady_clock::now();
  const std::uint64_t decided_at = log_.head().position;
  if (cache_invalidated_.exchange(false) || decided_at != cached_at_position_) {
    state_cache_.clear();
    stream_versions_.clear();
    cached_at_position_ = decided_at;
  }
  batch_state_.clear();
  batch_added_events_.clear();

  std::vector<store::CommitRequest> commits;
  commits.reserve(batch.size());
  std::vector<std::optional<Result<store::CommitOutcome>>> answers(batch.size());
  std::vector<std::optional<std::size_t>> commit_of(batch.size());  // pending -> commit index
  std::vector<std::optional<std::size_t>> leader_of(batch.size());  // pending -> earlier pending
  std::unordered_map<std::string_view, std::size_t> batch_keys;     // key -> pending index
  std::uint64_t refused = 0;
  DecisionContext context(*this);

  for (std::size_t i = 0; i < batch.size(); ++i) {
    Command& command = batch[i].command;
    const std::string& key = command.idempotency_key;
    if (!key.empty()) {
      if (auto it = batch_keys.find(key); it != batch_keys.end()) {
        if (batch[it->second].command.request_fingerprint != command.request_fingerprint) {
          answers[i] = make_error(Errc::idempotency_conflict,
                                  "the idempotency key was already used with a different request");
        } else {
          leader_of[i] = it->second;
        }
        continue;
      }
      auto remembered = log_.find_idempotency(key);
      if (!remembered) {
        answers[i] = std::move(remembered).error();
        continue;
      }
      if (remembered->has_value()) {
        const auto& record = **remembered;
        if (record.request_fingerprint() != command.request_fingerprint) {
          answers[i] = make_error(Errc::idempotency_conflict,
                                  "the idempotency key was already used with a different request");
        } else {
          answers[i] = store::CommitOutcome{record.first_position(), record.last_position(),
                                            record.result(), true};
        }
        continue;
      }
    }

    last_recorded_at_us_ = std::max(last_recorded_at_us_, clock_.now_us());
    context.now_us_ = last_recorded_at_us_;
    auto decided = command.decide(context);
    if (!decided) {
      ++refused;
      answers[i] = std::move(decided).error();
      continue;
    }
    store::CommitRequest& commit = decided.value();
    if (commit.events.empty()) {
      const std::uint64_t head = log_.head().position;
      answers[i] = store::CommitOutcome{head, head, std::move(commit.result), false};
      continue;
    }
    Status expectations_met;
    for (const auto& expectation : commit.expectations) {
      auto version = stream_version(expectation.stream_id);
      if (!version) {
        expectations_met = std::move(version).error();
        break;
      }
      expectations_met =
          store::check_expected_version(expectation.stream_id, expectation.expected, *version);
      if (!expectations_met) break;
    }
    if (!expectations_met) {
      ++refused;
      answers[i] = std::move(expectations_met).error();
      continue;
    }

    // Accepted: later commands of this batch see its effects.
    for (const auto& event : commit.events) {
      if (auto it = batch_added_events_.find(event.stream_id); it != batch_added_events_.end()) {
        ++it->second;
      } else {
        batch_added_events_.emplace(event.stream_id, 1);
      }
    }
    for (const auto& write : commit.state_writes) {
      batch_state_.put(write.keyspace, write.key, write.value);
    }
    commit.recorded_at_us = context.now_us_;
    commit.decided_at_position = decided_at;
    commit.idempotency_key = key;
    commit.request_fingerprint = command.request_fingerprint;
    commit_of[i] = commits.size();
    commits.push_back(std::move(commit));
    if (!key.empty()) batch_keys.emplace(key, i);
  }

  coalesce_state_writes(commits);
  const std::uint64_t decide_time_us = microseconds_since(decide_started);
  std::uint64_t write_time_us = 0;
  std::uint64_t event_count = 0;
  if (!commits.empty()) {
    for (const auto& commit : commits) event_count += commit.events.size();
    const auto started = std::chrono::steady_clock::now();
    auto written = log_.append(commits);
    write_time_us = microseconds_since(started);
    if (written) {
      LEDGER_ASSERT(written->size() == commits.size(), "one outcome per commit");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (commit_of[i]) answers[i] = std::move((*written)[*commit_of[i]]);
      }
      state_cache_.take_all(batch_state_);
      for (const auto& [stream_id, added] : batch_added_events_) {
        // Streams not cached are looked up again when next needed.
        if (auto it = stream_versions_.find(stream_id); it != stream_versions_.end()) {
          it->second += added;
        }
      }
      cached_at_position_ = log_.head().position;
    } else {
      // What was read for this batch may not be what the log holds next (another node may be
      // writing it): read again.
      state_cache_.clear();
      stream_versions_.clear();
      // Nothing of this batch is durable: every command decided on top of it fails.
      event_count = 0;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (commit_of[i] || (answers[i] && answers[i]->ok() && !answers[i]->value().replayed)) {
          answers[i] = written.error();
        }
      }
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!leader_of[i]) continue;
    const auto& leader_answer = answers[*leader_of[i]];
    LEDGER_ASSERT(leader_answer.has_value(), "a leader is answered before its followers");
    if (leader_answer->ok()) {
      store::CommitOutcome replay = leader_answer->value();
      replay.replayed = true;
      answers[i] = std::move(replay);
    } else {
      answers[i] = leader_answer->error();
    }
  }
  batch_state_.clear();
  batch_added_events_.clear();

  {
    // Counted before the completions, so a caller that was answered sees its batch counted.
    std::lock_guard lock(stats_mutex_);
    ++stats_.batches;
    stats_.commands += batch.size();
    stats_.commands_refused += refused;
    stats_.events += event_count;
    stats_.decide_time_us_total += decide_time_us;
    stats_.write_time_us_total += write_time_us;
    ++stats_.batch_size_buckets[batch_size_bucket(batch.size())];
  }
  const auto complete_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    LEDGER_ASSERT(answers[i].has_value(), "every command is answered");
    batch[i].on_done(std::move(*answers[i]));
  }
  const std::uint64_t complete_time_us = microseconds_since(complete_started);
  std::lock_guard lock(stats_mutex_);
  stats_.complete_time_us_total += complete_time_us;
}

}  // namespace ledger
