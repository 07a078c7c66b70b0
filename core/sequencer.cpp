#include "core/sequencer.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/state_row_cache.h"
#include "core/string_key_hash.h"

namespace ledger {
namespace {

std::uint64_t microseconds_since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

constexpr double kRecentBatchWeight = 0.2;  // of the last batch, in the averages of times

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

// The answer to a repeat of an idempotency key the store remembers.
Result<store::CommitOutcome> answer_from_record(const events::IdempotencyRecord& record,
                                                const std::string& request_fingerprint) {
  if (record.request_fingerprint() != request_fingerprint) {
    return make_error(Errc::idempotency_conflict,
                      "the idempotency key was already used with a different request");
  }
  return store::CommitOutcome{record.first_position(), record.last_position(), record.result(),
                              true};
}

bool is_replay_from_store(const std::optional<Result<store::CommitOutcome>>& answer) {
  return answer && answer->ok() && answer->value().replayed;
}

struct Pending {
  Command command;
  CompletionFunction on_done;
};

using StreamCounts = std::unordered_map<std::string, std::uint64_t, StringKeyHash, std::equal_to<>>;

// One batch, from its decisions to its completions.
struct Flight {
  std::vector<Pending> batch;
  std::vector<store::CommitRequest> commits;
  std::vector<std::optional<Result<store::CommitOutcome>>> answers;  // known before the write
  std::vector<std::optional<std::size_t>> commit_of;                 // pending -> commit index
  std::vector<std::optional<std::size_t>> leader_of;  // pending -> earlier pending, same key
  // Repeats of a key whose commit was in the batch before this one (being written while this one
  // was decided): answered from the store's record once that batch is durable.
  std::vector<std::size_t> replays_of_previous;
  std::uint64_t decided_at = 0;  // the head the commits were decided on
  // Set when the batch before failed to append: this batch was decided on top of it, so it is
  // not written and its commands fail with that error.
  std::optional<Error> failed_before;
  std::uint64_t refused = 0;
  std::uint64_t decide_time_us = 0;

  // Empties it for the next batch, keeping the vectors' capacity.
  void clear() {
    batch.clear();
    commits.clear();
    answers.clear();
    commit_of.clear();
    leader_of.clear();
    replays_of_previous.clear();
    decided_at = 0;
    failed_before.reset();
    refused = 0;
    decide_time_us = 0;
  }
};

// What the commit thread tells the writer thread about a batch once its write is over.
struct FlightResult {
  enum class Kind : std::uint8_t { written, append_failed, not_written } kind = Kind::written;
  std::optional<Error> error;    // append_failed
  std::uint64_t head_after = 0;  // written: the head once the batch is in the log
  std::uint64_t write_time_us = 0;
};

}  // namespace

class SequencerPipeline {
 public:
  SequencerPipeline(store::EventLog& log, const Clock& clock, SequencerOptions options)
      : log_(log),
        clock_(clock),
        options_(options),
        state_cache_(options.state_cache_entries_max),
        in_flight_state_(std::numeric_limits<std::size_t>::max()),
        batch_state_(std::numeric_limits<std::size_t>::max()) {}

  void start();
  void stop();
  void submit(Command command, CompletionFunction on_done);
  SequencerStats stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }
  void invalidate_cache() { cache_invalidated_.store(true); }

  Result<std::optional<std::string>> read_state(std::string_view keyspace, std::string_view key);
  Result<std::uint64_t> stream_version(std::string_view stream_id);

 private:
  // The writer thread.
  void run_writer();
  void decide(Flight& flight);
  void hand_over(std::unique_ptr<Flight> flight);
  void settle();
  // What the writer does once a batch's write is over: its caches follow, then the completions.
  void absorb(FlightResult result, std::unique_ptr<Flight> written);
  void complete_answered();
  bool settled_result_waiting();
  void choose_overlap(std::uint64_t decide_time_us);

  // The commit thread.
  void run_committer();
  FlightResult commit(Flight& flight);
  void complete(Flight& flight);

  store::EventLog& log_;
  const Clock& clock_;
  const SequencerOptions options_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  bool running_ = false;
  std::thread writer_;
  std::thread committer_;

  // Between the two threads: at most one batch handed over and not yet taken, and the last
  // batch taken, with its result, once written (until the writer takes it back).
  std::mutex flight_mutex_;
  std::condition_variable flight_changed_;
  std::unique_ptr<Flight> to_commit_;
  std::unique_ptr<Flight> written_;
  std::optional<FlightResult> result_;
  std::atomic<bool> result_waiting_{false};  // result_ is set: also wakes a writer waiting for work
  bool committer_stopping_ = false;
  std::unique_ptr<Flight> spare_;  // writer thread: a completed batch, emptied, to reuse

  // Writer-thread state. Rows: the committed ones this writer knows, the writes of the batch
  // being written (in flight), and this batch's.
  StateRowCache state_cache_;
  StateRowCache in_flight_state_;
  StateRowCache batch_state_;
  // Stream versions: the committed ones this writer knows, and the events added by the batch in
  // flight and by this batch.
  StreamCounts stream_versions_;
  StreamCounts in_flight_added_events_;
  StreamCounts batch_added_events_;
  // The streams of the commit being admitted, with the last version given in it.
  std::vector<std::pair<std::string_view, std::uint64_t>> commit_streams_;
  // The idempotency keys (with their fingerprints) of the batch in flight's commits.
  std::unordered_map<std::string, std::string, StringKeyHash, std::equal_to<>> in_flight_keys_;
  bool in_flight_ = false;            // a batch handed over whose result is not yet read
  bool overlap_ = false;              // decide the next batch while one is being written
  bool deciding_ = false;             // inside decide's loop: completions wait until it returns
  std::unique_ptr<Flight> answered_;  // written, its completions not yet run
  std::uint64_t in_flight_decided_at_ = 0;  // the head the batch in flight was decided at
  std::uint64_t in_flight_events_ = 0;      // and the events it adds
  std::uint64_t waited_in_decide_us_ = 0;   // for the batch in flight, while deciding
  double decide_time_us_average_ = 0;       // per batch, the recent batches weighing most
  double write_time_us_average_ = 0;
  std::optional<Error> failed_before_;  // the batch in flight failed: the next one fails too
  std::uint64_t decided_at_ = 0;        // the head this batch is decided on
  std::int64_t last_recorded_at_us_ = 0;
  std::uint64_t cached_at_position_ = 0;  // the log's head the caches agree with
  std::atomic<bool> cache_invalidated_{false};

  mutable std::mutex stats_mutex_;
  SequencerStats stats_;
};

Result<std::uint64_t> DecisionContext::stream_version(std::string_view stream_id) {
  return pipeline_.stream_version(stream_id);
}

Result<std::optional<std::string>> DecisionContext::read_state(std::string_view keyspace,
                                                               std::string_view key) {
  return pipeline_.read_state(keyspace, key);
}

void SequencerPipeline::start() {
  std::lock_guard lock(queue_mutex_);
  LEDGER_ASSERT(!running_, "the sequencer is already running");
  running_ = true;
  stopping_ = false;
  {
    std::lock_guard flight_lock(flight_mutex_);
    committer_stopping_ = false;
  }
  committer_ = std::thread([this] { run_committer(); });
  writer_ = std::thread([this] { run_writer(); });
}

void SequencerPipeline::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  queue_ready_.notify_all();
  writer_.join();  // the writer stops the commit thread once its last batch is written
  committer_.join();
  std::lock_guard lock(queue_mutex_);
  running_ = false;
}

void SequencerPipeline::submit(Command command, CompletionFunction on_done) {
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

void SequencerPipeline::run_writer() {
  for (;;) {
    // Not overlapping: the batch in flight is written before the next is taken, so that the next
    // carries every command that arrived meanwhile.
    if (!overlap_) settle();
    std::unique_ptr<Flight> flight = spare_ ? std::move(spare_) : std::make_unique<Flight>();
    {
      std::unique_lock lock(queue_mutex_);
      // A batch written meanwhile wakes the writer too: its completions are the writer's to run.
      queue_ready_.wait(lock, [&] {
        return stopping_ || !queue_.empty() || (in_flight_ && result_waiting_.load());
      });
      if (queue_.empty()) {
        if (!in_flight_) break;  // stopping, and everything queued is decided and written
        lock.unlock();
        spare_ = std::move(flight);
        settle();
        continue;
      }
      if (queue_.size() <= options_.batch_commands_max) {
        flight->batch.swap(queue_);
      } else {
        auto split = queue_.begin() + static_cast<std::ptrdiff_t>(options_.batch_commands_max);
        flight->batch.assign(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(split));
        queue_.erase(queue_.begin(), split);
      }
    }
    decide(*flight);
    complete_answered();
    settle();  // the batch before is written (or failed), and the caches say so
    choose_overlap(flight->decide_time_us);
    hand_over(std::move(flight));
  }
  settle();
  {
    std::lock_guard lock(flight_mutex_);
    committer_stopping_ = true;
  }
  flight_changed_.notify_all();
}

void SequencerPipeline::choose_overlap(std::uint64_t decide_time_us) {
  decide_time_us_average_ +=
      kRecentBatchWeight * (static_cast<double>(decide_time_us) - decide_time_us_average_);
  switch (options_.pipelining) {
    case Pipelining::always:
      overlap_ = true;
      return;
    case Pipelining::never:
      overlap_ = false;
      return;
    case Pipelining::adaptive:
      break;
  }
  // With a fixed number of waiting callers, overlapping pays when deciding all of them takes
  // longer than a sync's fixed cost (taken as half a write). Overlapping halves the batches, so
  // while overlapping the whole is twice a batch.
  if (write_time_us_average_ == 0) {  // no append measured yet
    overlap_ = false;
    return;
  }
  const double decide_all_us = decide_time_us_average_ * (overlap_ ? 2.0 : 1.0);
  overlap_ = decide_all_us * 2.0 >= write_time_us_average_;
}

bool SequencerPipeline::settled_result_waiting() { return result_waiting_.load(); }

void SequencerPipeline::settle() {
  if (!in_flight_) return;
  FlightResult result;
  std::unique_ptr<Flight> written;
  {
    std::unique_lock lock(flight_mutex_);
    flight_changed_.wait(lock, [&] { return result_.has_value(); });
    result = std::move(*result_);
    result_.reset();
    result_waiting_.store(false);
    written = std::move(written_);
  }
  absorb(std::move(result), std::move(written));
}

void SequencerPipeline::absorb(FlightResult result, std::unique_ptr<Flight> written) {
  in_flight_ = false;
  in_flight_keys_.clear();
  if (result.write_time_us > 0) {  // an append was made
    write_time_us_average_ +=
        kRecentBatchWeight * (static_cast<double>(result.write_time_us) - write_time_us_average_);
  }
  switch (result.kind) {
    case FlightResult::Kind::written:
      state_cache_.take_all(in_flight_state_);
      for (const auto& [stream_id, added] : in_flight_added_events_) {
        // Streams not cached are looked up again when next needed.
        if (auto it = stream_versions_.find(stream_id); it != stream_versions_.end()) {
          it->second += added;
        }
      }
      in_flight_added_events_.clear();
      decided_at_ = result.head_after;
      cached_at_position_ = result.head_after;
      break;
    case FlightResult::Kind::append_failed:
      // What was read may not be what the log holds next (another node may be writing it): read
      // again. Whatever is being decided now was decided on top of the failed batch.
      state_cache_.clear();
      in_flight_state_.clear();
      stream_versions_.clear();
      in_flight_added_events_.clear();
      failed_before_ = std::move(result.error);
      decided_at_ = log_.head().position;
      cached_at_position_ = decided_at_;
      break;
    case FlightResult::Kind::not_written:
      break;  // its rows were never made visible (see hand_over)
  }
  // Completed on the writer thread, once the writer agrees with the log: a caller that was
  // answered and looks again finds its write. The completions' own submissions (a caller's next
  // command) are made and later freed by this thread, as the decisions are. Never from inside a
  // decide function (a stream version that waited for the batch in flight): after the batch.
  answered_ = std::move(written);
  if (!deciding_) complete_answered();
}

void SequencerPipeline::complete_answered() {
  if (!answered_) return;
  complete(*answered_);
  answered_->clear();
  spare_ = std::move(answered_);
}

void SequencerPipeline::hand_over(std::unique_ptr<Flight> flight) {
  flight->failed_before = std::exchange(failed_before_, std::nullopt);
  if (flight->failed_before) {
    // Not written: nothing it decided may be seen by the next batch.
    batch_state_.clear();
    batch_added_events_.clear();
  } else {
    flight->decided_at = decided_at_;
    for (auto& commit : flight->commits) commit.decided_at_position = decided_at_;
    std::swap(in_flight_state_, batch_state_);
    std::swap(in_flight_added_events_, batch_added_events_);
    for (std::size_t i = 0; i < flight->batch.size(); ++i) {
      Command& command = flight->batch[i].command;
      // The commit carries its own copy; the commit thread needs neither string of the command.
      if (flight->commit_of[i] && !command.idempotency_key.empty()) {
        in_flight_keys_.emplace(std::move(command.idempotency_key),
                                std::move(command.request_fingerprint));
      }
    }
  }
  in_flight_ = true;
  in_flight_decided_at_ = decided_at_;
  in_flight_events_ = 0;
  for (const auto& commit : flight->commits) in_flight_events_ += commit.events.size();
  if (!overlap_ || flight->failed_before || flight->commits.empty()) {
    // Nothing to overlap, or nothing to append: finished here, saving the two thread switches
    // of a hand-over. Only a batch with commits is ever in flight, so its append checks the
    // head it was decided at.
    FlightResult result = commit(*flight);
    absorb(std::move(result), std::move(flight));
    return;
  }
  {
    std::lock_guard lock(flight_mutex_);
    LEDGER_ASSERT(!to_commit_ && !result_, "one batch at a time is handed to the commit thread");
    to_commit_ = std::move(flight);
  }
  flight_changed_.notify_all();
}

Result<std::optional<std::string>> SequencerPipeline::read_state(std::string_view keyspace,
                                                                 std::string_view key) {
  if (const auto* row = batch_state_.find(keyspace, key)) return *row;
  if (const auto* row = in_flight_state_.find(keyspace, key)) return *row;
  if (const auto* row = state_cache_.find(keyspace, key)) return *row;
  // Not a row of the batch in flight, so the store's value does not depend on whether that
  // batch's write has landed yet.
  auto value = log_.read_state(keyspace, key);
  if (!value) return value;
  state_cache_.put(keyspace, key, *value);
  return value;
}

Result<std::uint64_t> SequencerPipeline::stream_version(std::string_view stream_id) {
  // The sequencer is the only writer, so a version it has seen committed stays true until it
  // commits more events to that stream itself.
  auto cached = stream_versions_.find(stream_id);
  if (cached == stream_versions_.end() && in_flight_added_events_.contains(stream_id)) {
    // The store's version would depend on whether the batch in flight has landed: wait for it.
    const auto waiting = std::chrono::steady_clock::now();
    settle();
    waited_in_decide_us_ += microseconds_since(waiting);
    cached = stream_versions_.find(stream_id);
  }
  std::uint64_t committed;
  if (cached != stream_versions_.end()) {
    committed = cached->second;
  } else {
    auto version = log_.stream_version(stream_id);
    if (!version) return version;
    committed = *version;
    if (stream_versions_.size() >= options_.stream_cache_entries_max) stream_versions_.clear();
    stream_versions_.emplace(stream_id, committed);
  }
  std::uint64_t added = 0;
  if (auto it = in_flight_added_events_.find(stream_id); it != in_flight_added_events_.end()) {
    added += it->second;
  }
  if (auto it = batch_added_events_.find(stream_id); it != batch_added_events_.end()) {
    added += it->second;
  }
  return committed + added;
}

void SequencerPipeline::decide(Flight& flight) {
  // The caches hold the state as of the head this writer last knew. A head moved by another
  // writer (a PostgreSQL node that followed the log, then took the writer lease) makes them
  // stale: the batch reads the store again, and its commits say which head they were decided
  // at, so that a store whose head moves meanwhile refuses them. With a batch still in flight
  // the head is not this batch's to check: that batch's append checks it, and this one is
  // written only if that one was.
  const auto decide_started = std::chrono::steady_clock::now();
  if (in_flight_ && settled_result_waiting()) settle();
  if (in_flight_) {
    // The head is where the batch in flight starts or, once it landed, where it ends. Anything
    // else is another writer: wait for the batch in flight, then check as below.
    const std::uint64_t head = log_.head().position;
    if (head != in_flight_decided_at_ && head != in_flight_decided_at_ + in_flight_events_) {
      settle();
    }
  }
  if (cache_invalidated_.exchange(false)) {
    settle();
    state_cache_.clear();
    stream_versions_.clear();
    cached_at_position_ = decided_at_ = log_.head().position;
  }
  // Nothing of this batch is decided yet: a failure found so far does not concern it.
  failed_before_.reset();
  if (!in_flight_) {
    decided_at_ = log_.head().position;
    if (decided_at_ != cached_at_position_) {
      state_cache_.clear();
      stream_versions_.clear();
      cached_at_position_ = decided_at_;
    }
  }
  batch_state_.clear();
  batch_added_events_.clear();
  waited_in_decide_us_ = 0;
  deciding_ = true;

  std::vector<Pending>& batch = flight.batch;
  flight.commits.reserve(batch.size());
  flight.answers.resize(batch.size());
  flight.commit_of.resize(batch.size());
  flight.leader_of.resize(batch.size());
  std::unordered_map<std::string_view, std::size_t> batch_keys;  // key -> pending index
  DecisionContext context(*this);

  for (std::size_t i = 0; i < batch.size(); ++i) {
    Command& command = batch[i].command;
    const std::string& key = command.idempotency_key;
    if (!key.empty()) {
      if (auto it = batch_keys.find(key); it != batch_keys.end()) {
        if (batch[it->second].command.request_fingerprint != command.request_fingerprint) {
          flight.answers[i] =
              make_error(Errc::idempotency_conflict,
                         "the idempotency key was already used with a different request");
        } else {
          flight.leader_of[i] = it->second;
        }
        continue;
      }
      if (auto it = in_flight_keys_.find(key); it != in_flight_keys_.end()) {
        if (it->second != command.request_fingerprint) {
          flight.answers[i] =
              make_error(Errc::idempotency_conflict,
                         "the idempotency key was already used with a different request");
        } else {
          flight.replays_of_previous.push_back(i);
        }
        continue;
      }
      // Not a key of the batch in flight: the store's answer does not depend on its landing.
      auto remembered = log_.find_idempotency(key);
      if (!remembered) {
        flight.answers[i] = std::move(remembered).error();
        continue;
      }
      if (remembered->has_value()) {
        flight.answers[i] = answer_from_record(**remembered, command.request_fingerprint);
        continue;
      }
    }

    last_recorded_at_us_ = std::max(last_recorded_at_us_, clock_.now_us());
    context.now_us_ = last_recorded_at_us_;
    auto decided = command.decide(context);
    if (!decided) {
      ++flight.refused;
      flight.answers[i] = std::move(decided).error();
      continue;
    }
    store::CommitRequest& commit = decided.value();
    if (commit.events.empty()) {
      // Decided on the batch in flight too: its position is at least where that batch ends.
      const std::uint64_t head =
          in_flight_ ? std::max(log_.head().position, in_flight_decided_at_ + in_flight_events_)
                     : log_.head().position;
      flight.answers[i] = store::CommitOutcome{head, head, std::move(commit.result), false};
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
      ++flight.refused;
      flight.answers[i] = std::move(expectations_met).error();
      continue;
    }

    // Each event's version in its stream (the store writes what the sequencer admitted): the
    // next after the stream's version so far, and after the commit's own earlier events to it.
    // Looked up before anything of the commit is counted: a failed lookup refuses it whole.
    Status versions_known;
    commit_streams_.clear();
    for (auto& event : commit.events) {
      auto seen = std::find_if(commit_streams_.begin(), commit_streams_.end(),
                               [&](const auto& stream) { return stream.first == event.stream_id; });
      if (seen != commit_streams_.end()) {
        event.stream_version = ++seen->second;
        continue;
      }
      auto version = stream_version(event.stream_id);
      if (!version) {
        versions_known = std::move(version).error();
        break;
      }
      event.stream_version = *version + 1;
      commit_streams_.emplace_back(event.stream_id, event.stream_version);
    }
    if (!versions_known) {
      flight.answers[i] = std::move(versions_known).error();
      continue;
    }

    // Accepted: later commands (of this batch and the next) see its effects.
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
    commit.idempotency_key = key;
    commit.request_fingerprint = command.request_fingerprint;
    flight.commit_of[i] = flight.commits.size();
    flight.commits.push_back(std::move(commit));
    if (!key.empty()) batch_keys.emplace(key, i);
  }

  coalesce_state_writes(flight.commits);
  deciding_ = false;
  // Without the wait for the batch before, which is not deciding.
  const std::uint64_t elapsed_us = microseconds_since(decide_started);
  flight.decide_time_us = elapsed_us - std::min(waited_in_decide_us_, elapsed_us);
}

void SequencerPipeline::run_committer() {
  for (;;) {
    std::unique_ptr<Flight> flight;
    {
      std::unique_lock lock(flight_mutex_);
      flight_changed_.wait(lock, [&] { return committer_stopping_ || to_commit_ != nullptr; });
      if (!to_commit_) return;  // stopping, and every batch handed over is done
      flight = std::move(to_commit_);
    }
    FlightResult result = commit(*flight);
    {
      std::lock_guard lock(flight_mutex_);
      result_ = std::move(result);
      written_ = std::move(flight);
      result_waiting_.store(true);
    }
    flight_changed_.notify_all();
    {
      std::lock_guard lock(queue_mutex_);  // a writer waiting for work sees the flag or the call
    }
    queue_ready_.notify_all();
  }
}

FlightResult SequencerPipeline::commit(Flight& flight) {
  std::vector<Pending>& batch = flight.batch;
  auto& answers = flight.answers;
  FlightResult result;
  result.head_after = flight.decided_at;
  std::uint64_t write_time_us = 0;
  std::uint64_t event_count = 0;

  if (flight.failed_before) {
    // Decided on top of a batch that was never written: only what the store itself remembered
    // stands.
    result.kind = FlightResult::Kind::not_written;
    flight.refused = 0;  // its refusals are not answered either
    for (auto& answer : answers) {
      if (!is_replay_from_store(answer)) answer = *flight.failed_before;
    }
  } else {
    Status written_ok;
    if (!flight.commits.empty()) {
      for (const auto& commit : flight.commits) event_count += commit.events.size();
      const auto started = std::chrono::steady_clock::now();
      auto written = log_.append_admitted(flight.commits);
      write_time_us = microseconds_since(started);
      if (written) {
        LEDGER_ASSERT(written->size() == flight.commits.size(), "one outcome per commit");
        for (const auto& outcome : *written) {
          if (!outcome.replayed)
            result.head_after = std::max(result.head_after, outcome.last_position);
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (flight.commit_of[i]) answers[i] = std::move((*written)[*flight.commit_of[i]]);
        }
      } else {
        written_ok = std::move(written).error();
      }
    }
    if (!written_ok) {
      result.kind = FlightResult::Kind::append_failed;
      result.error = written_ok.error();
      // Nothing of this batch is durable: every command decided on top of it fails.
      event_count = 0;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (flight.commit_of[i] ||
            (answers[i] && answers[i]->ok() && !answers[i]->value().replayed)) {
          answers[i] = written_ok.error();
        }
      }
      for (std::size_t i : flight.replays_of_previous) answers[i] = written_ok.error();
    } else {
      // The batch before is durable (this one was written after it): its records answer.
      for (std::size_t i : flight.replays_of_previous) {
        const Command& command = batch[i].command;
        auto remembered = log_.find_idempotency(command.idempotency_key);
        if (!remembered) {
          answers[i] = std::move(remembered).error();
        } else if (!remembered->has_value()) {
          answers[i] = make_error(Errc::internal,
                                  "an idempotency key written by the batch before is not found");
        } else {
          answers[i] = answer_from_record(**remembered, command.request_fingerprint);
        }
      }
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& leader = flight.leader_of[i];
    if (!leader) continue;
    const auto& leader_answer = answers[*leader];
    LEDGER_ASSERT(leader_answer.has_value(), "a leader is answered before its followers");
    if (leader_answer->ok()) {
      store::CommitOutcome replay = leader_answer->value();
      replay.replayed = true;
      answers[i] = std::move(replay);
    } else {
      answers[i] = leader_answer->error();
    }
  }

  // Counted before the completions, so a caller that was answered sees its batch counted.
  std::lock_guard lock(stats_mutex_);
  ++stats_.batches;
  stats_.commands += batch.size();
  stats_.commands_refused += flight.refused;
  stats_.events += event_count;
  stats_.decide_time_us_total += flight.decide_time_us;
  stats_.write_time_us_total += write_time_us;
  result.write_time_us = write_time_us;
  ++stats_.batch_size_buckets[batch_size_bucket(batch.size())];
  return result;
}

void SequencerPipeline::complete(Flight& flight) {
  const auto complete_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < flight.batch.size(); ++i) {
    LEDGER_ASSERT(flight.answers[i].has_value(), "every command is answered");
    flight.batch[i].on_done(std::move(*flight.answers[i]));
  }
  const std::uint64_t complete_time_us = microseconds_since(complete_started);
  std::lock_guard lock(stats_mutex_);
  stats_.complete_time_us_total += complete_time_us;
}

Sequencer::Sequencer(store::EventLog& log, const Clock& clock, SequencerOptions options)
    : pipeline_(std::make_unique<SequencerPipeline>(log, clock, options)) {}

Sequencer::~Sequencer() { stop(); }

void Sequencer::start() { pipeline_->start(); }

void Sequencer::stop() { pipeline_->stop(); }

void Sequencer::submit(Command command, CompletionFunction on_done) {
  pipeline_->submit(std::move(command), std::move(on_done));
}

Result<store::CommitOutcome> Sequencer::submit_and_wait(Command command) {
  std::promise<Result<store::CommitOutcome>> promise;
  auto future = promise.get_future();
  submit(std::move(command), [&promise](Result<store::CommitOutcome> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

SequencerStats Sequencer::stats() const { return pipeline_->stats(); }

void Sequencer::invalidate_cache() { pipeline_->invalidate_cache(); }

}  // namespace ledger
