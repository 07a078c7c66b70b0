// Sequencer: the single writer. Every command that changes state passes through it.
//
// Callers submit a command: a decide function plus, optionally, an idempotency key and request
// fingerprint. The writer thread drains the queue in arrival order; for each command it first
// answers repeats of an idempotency key from the first result, then runs the decide function
// against the current state and keeps the resulting commit, or completes the command with its
// error (a refused command writes nothing and does not disturb its neighbours). A batch's kept
// commits are written as one durable append (group commit: batches grow with load), and only
// then is any command of the batch completed. Hence: no locks in the domain, no double spend,
// fsync cost shared.
//
// Admission happens here once: idempotency keys, expected versions and every event's stream
// version are settled by the writer thread against its caches, and the batch goes to the store
// as an admitted append (EventLog::append_admitted), which reads none of them back. The
// sequencer's stream versions are the only cache of them.
//
// Pipelined (see Pipelining for when): the commit thread writes batch N while the writer thread
// decides batch N+1; without overlap the writer thread writes its batch itself. The "current
// state" a command is decided against is the store, plus batch N (being written), plus the
// commands decided before it in its own batch. Batch N+1 is appended only after batch N's
// append succeeded; when N's append fails, every command of N+1 fails with the same error and
// nothing of N+1 is written (only answers read back from the store's idempotency records stand).
// No command is completed before every batch its answer depends on is durable.
//
// Decide functions run on the writer thread, one at a time: they must be quick, must not block,
// and must not call back into the sequencer. Completion callbacks also run on the writer thread
// (never inside a decide function), in submission order within a batch; they may submit, but
// must not wait on the sequencer.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/store/event_log.h"

namespace ledger {

class SequencerPipeline;

// Whether the writer decides the next batch while the one before is being written.
// - adaptive: only while deciding all the waiting commands would take at least half as long as
//   writing a batch (moving averages of the recent batches; no overlap before the first write).
//   With a fixed number of callers waiting on their answers (a closed loop: HTTP clients),
//   overlapping splits them into two batches of half the size, so each sync carries half as
//   many commands: worth it only when deciding is a large part of a batch's time. While
//   overlapping, "all the waiting commands" is taken as twice a batch.
// - always / never: for tests and side-by-side benchmarks.
enum class Pipelining : std::uint8_t { adaptive, always, never };

struct SequencerOptions {
  Pipelining pipelining = Pipelining::adaptive;
  std::size_t queue_commands_max = 65'536;  // submissions beyond this are refused (overloaded)
  std::size_t batch_commands_max = 8'192;   // commands decided and written per batch
  std::size_t state_cache_entries_max = 1 << 20;   // state values kept; dropped whole when full
  std::size_t stream_cache_entries_max = 1 << 20;  // stream versions kept; dropped whole when full
};

// What a decide function may read: the store as of every command decided before it.
class DecisionContext {
 public:
  Result<std::uint64_t> stream_version(std::string_view stream_id);
  Result<std::optional<std::string>> read_state(std::string_view keyspace, std::string_view key);
  // The time the sequencer stamps on this command's events.
  std::int64_t now_us() const { return now_us_; }

 private:
  friend class SequencerPipeline;
  explicit DecisionContext(SequencerPipeline& pipeline) : pipeline_(pipeline) {}
  SequencerPipeline& pipeline_;
  std::int64_t now_us_ = 0;
};

// Returns the commit to append, or the domain error refusing the command. A commit with no
// events is a successful command that changes nothing (its result is still returned).
using DecideFunction = std::function<Result<store::CommitRequest>(DecisionContext&)>;
using CompletionFunction = std::function<void(Result<store::CommitOutcome>)>;

struct Command {
  DecideFunction decide;
  std::string idempotency_key;      // empty: not idempotent
  std::string request_fingerprint;  // compared on repeats of the key
};

struct SequencerStats {
  std::uint64_t batches = 0;
  std::uint64_t commands = 0;
  std::uint64_t commands_refused = 0;
  std::uint64_t events = 0;
  // Where the time goes, per batch: deciding its commands (idempotency lookups, decide
  // functions, expected versions) and the completions (the writer thread), and the durable
  // write (the commit thread, or the writer thread when it does not overlap).
  std::uint64_t decide_time_us_total = 0;
  std::uint64_t write_time_us_total = 0;
  std::uint64_t complete_time_us_total = 0;
  // batch_size_buckets[i] counts batches of at most 4^i commands (the last bucket is open).
  std::array<std::uint64_t, 8> batch_size_buckets{};
};

class Sequencer {
 public:
  Sequencer(store::EventLog& log, const Clock& clock, SequencerOptions options = {});
  ~Sequencer();  // stops (draining the queue) if still running
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  void start();
  // Refuses new commands, decides and writes everything queued, then joins the writer.
  void stop();

  // Queues `command`; `on_done` is called exactly once, on the writer thread (or at once, on the
  // caller's thread, when the command is refused at the door: overloaded or shutting_down).
  void submit(Command command, CompletionFunction on_done);

  // Convenience for callers that can block.
  Result<store::CommitOutcome> submit_and_wait(Command command);

  SequencerStats stats() const;

  // Drops cached state (after the store resumed from a fault).
  void invalidate_cache();

 private:
  std::unique_ptr<SequencerPipeline> pipeline_;  // both threads and their state (sequencer.cpp)
};

}  // namespace ledger
