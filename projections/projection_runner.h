// ProjectionRunner: builds one projection from the log on a thread of its own.
//
// It reads events after its checkpoint, folds them, and writes the rows they produced together
// with the new checkpoint in one atomic batch: after a crash it resumes exactly where that batch
// left it, never applying an event twice nor skipping one. Rows live in the "projections"
// keyspace under "<name>/<generation>/"; queries read the active generation.
//
// Rebuild (on request, or on start when the stored version differs from the code's): a new
// generation is built from position 0 beside the active one, which keeps answering queries;
// when the new one reaches the head, one batch makes it active, and the old rows are deleted.
// A generation being built folds larger batches of events than a live one (fewer, larger
// writes); each is still written atomically with the build's checkpoint. The build is
// pipelined over three threads: the next batch is read while one is folded, on top of the rows
// of the batch before it, which the store is writing meanwhile; a batch is written only after
// the one before it was. The rows a build has read stay in memory across its batches (bounded;
// nothing else writes a generation being built, and each batch's writes update them), so a row
// read over and over is read from the store once.
// Events the projection had already seen produce no side effects during a rebuild.
//
// A fold that fails stops this projection at that event ("failed", with the position and the
// error in its status); the server and other projections are not affected.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/store/event_log.h"
#include "events/projection_state.pb.h"
#include "projections/projection.h"

namespace ledger::projections {

inline constexpr char kProjectionsKeyspace[] = "projections";

struct ProjectionStatus {
  std::string name;
  std::string kind = "async";      // "async" (a runner) or "inline" (written with the events)
  std::uint32_t version = 0;       // of the rows as stored
  std::uint32_t code_version = 0;  // of the code: a difference rebuilds on start
  std::uint64_t generation = 0;
  std::uint64_t checkpoint = 0;
  std::uint64_t head = 0;
  std::uint64_t lag_events = 0;
  double lag_seconds = 0;
  std::string state;  // "live", "rebuilding", "failed", "stopped" (not running in this process)
  std::uint64_t rebuild_checkpoint = 0;  // while rebuilding: how far the new generation is
  std::uint64_t failed_position = 0;
  std::string failed_error;
};

struct RunnerOptions {
  // Events per batch of a generation being built. A row rewritten by many events of a batch (a
  // user's counters, a day's totals) is read back from the batch and written once, and each
  // write is one large batch in key order; still one atomic write with the build's checkpoint.
  std::size_t build_batch_events = 16384;
  // Rows of the generation being built kept in memory once read (dropped whole past this).
  std::size_t build_rows_read_max = 1 << 18;
};

class ProjectionRunner {
 public:
  ProjectionRunner(store::EventLog& log, Projection& projection, const Clock& clock,
                   RunnerOptions options = {});
  ~ProjectionRunner();

  // Loads the stored state (starting a rebuild when the version changed) and starts the thread.
  Status start();
  // Only loads the stored state, for status() on a store opened read-only.
  Status load();
  void stop();

  // Starts building a fresh generation from position 0 (a no-op while one is being built).
  Status rebuild();

  // Runs until the projection has folded every event up to the head it saw on entry (or has
  // failed). For tools and tests.
  Status catch_up(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Waits until the active generation has folded `position`; false on timeout or failure.
  bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const;

  ProjectionStatus status() const;
  std::string_view name() const { return projection_.name(); }

  // Rows of the active generation (keys relative to the projection).
  Result<std::optional<std::string>> get(std::string_view key) const;
  Status scan(std::string_view prefix, store::ReadDirection direction,
              const store::StateVisitor& visitor, std::string_view after_key = {}) const;
  // The keyspace key prefix of the active generation ("<name>/<generation>/").
  // A read of the active generation: its row prefix, counted as in flight until the guard
  // ends, so that a switch-over deletes the replaced generation only once no read of it is
  // left (a read never sees a generation half deleted).
  class ReadGuard {
   public:
    ReadGuard(const ProjectionRunner& runner);
    ~ReadGuard() { --runner_.readers_[slot_]; }
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;
    const std::string& prefix() const { return prefix_; }

   private:
    const ProjectionRunner& runner_;
    std::size_t slot_;
    std::string prefix_;
  };

 private:
  // One batch of events for the generation being built (or the active one). Answers whether
  // there was work.
  Result<bool> step();
  // Builds the new generation up to the log's end (or until stopped), then switches to it.
  Result<bool> build();
  // Stops the projection at the event whose fold failed (its batch's rows are dropped).
  void fail_at(std::uint64_t position, const Error& error);
  void run();
  Status save_meta();
  Status switch_to_build();
  Status drop_generation(std::uint64_t generation);
  std::string row_prefix(std::uint64_t generation) const;

  store::EventLog& log_;
  Projection& projection_;
  const Clock& clock_;
  const RunnerOptions options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable progressed_;
  events::ProjectionMeta meta_;
  std::optional<events::ProjectionBuild> build_;
  bool dropping_ = false;  // the rows of a replaced generation are being deleted
  // Reads in flight per generation parity (the active one and, during a switch, the replaced).
  mutable std::atomic<std::size_t> readers_[2] = {0, 0};
  std::atomic<bool> stopping_{true};  // until start()
  std::thread thread_;
};

}  // namespace ledger::projections
