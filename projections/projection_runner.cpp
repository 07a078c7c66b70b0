#include "projections/projection_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

namespace ledger::projections {
namespace {

constexpr std::size_t kBatchEvents = 512;
constexpr std::size_t kDeleteChunk = 4096;
constexpr auto kIdleWait = std::chrono::milliseconds(200);

// A thread of its own running the tasks given to it one after another: a build's reader and its
// writer, for the whole build. (RocksDB keeps state per thread, such as the random generator
// that draws the levels of the memtable's skip list: with a fresh thread writing each batch,
// every later read of the memtable took about twice as long.)
class TaskThread {
 public:
  TaskThread() : thread_([this] { run(); }) {}
  ~TaskThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();  // after the tasks still queued
  }
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;

  template <class F>
  auto submit(F function) -> std::future<decltype(function())> {
    auto task = std::make_shared<std::packaged_task<decltype(function())()>>(std::move(function));
    auto future = task->get_future();
    {
      std::lock_guard lock(mutex_);
      tasks_.emplace_back([task] { (*task)(); });
    }
    ready_.notify_one();
    return future;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

// What a folded batch writes: the projection's rows in key order (`rows` of them), then the
// rows its side effects put once in other keyspaces, in (keyspace, key) order (`once` of them),
// then the checkpoint. While the store writes them, the next batch is folded on top of them.
struct BatchWrites {
  std::vector<store::StateWrite> writes;
  std::size_t rows = 0;
  std::size_t once = 0;

  const std::optional<std::string>* row(std::string_view full_key) const {
    const auto end = writes.begin() + static_cast<std::ptrdiff_t>(rows);
    auto it = std::lower_bound(
        writes.begin(), end, full_key,
        [](const store::StateWrite& write, std::string_view key) { return write.key < key; });
    return it != end && it->key == full_key ? &it->value : nullptr;
  }
  bool has_once(std::string_view keyspace, std::string_view key) const {
    const auto begin = writes.begin() + static_cast<std::ptrdiff_t>(rows);
    const auto end = begin + static_cast<std::ptrdiff_t>(once);
    auto it = std::lower_bound(begin, end, std::pair(keyspace, key),
                               [](const store::StateWrite& write, const auto& wanted) {
                                 return std::pair<std::string_view, std::string_view>(
                                            write.keyspace, write.key) < wanted;
                               });
    return it != end && it->keyspace == keyspace && it->key == key;
  }
};

// The rows of a generation being built that its folds have read, as they are after the batches
// folded so far: kept across batches, so that a row read again and again (a user's unread
// counter, the first day a user paid) is read from the store once. Nothing else writes that
// generation, so the copy stays exact; each batch's writes update the rows it holds.
using RowsRead = std::unordered_map<std::string, std::optional<std::string>>;

// The rows one batch of events produced, read back by the folds that follow in the batch; then
// those of the batch before it if that one is still being written (`previous`); then the store.
class BatchState final : public ProjectionState {
 public:
  BatchState(store::EventLog& log, std::string prefix, const BatchWrites* previous = nullptr,
             RowsRead* read = nullptr)
      : log_(log), prefix_(std::move(prefix)), previous_(previous), read_(read) {}

  Result<std::optional<std::string>> get(std::string_view key) override {
    std::string full = prefix_ + std::string(key);
    if (auto it = rows_.find(full); it != rows_.end()) return it->second;
    if (previous_ != nullptr) {
      if (const auto* row = previous_->row(full)) return *row;
    }
    if (read_ != nullptr) {
      if (auto it = read_->find(full); it != read_->end()) return it->second;
    }
    auto stored = log_.read_state(kProjectionsKeyspace, full);
    if (stored && read_ != nullptr) read_->emplace(std::move(full), *stored);
    return stored;
  }
  void put(std::string_view key, std::string value) override {
    rows_[prefix_ + std::string(key)] = std::move(value);
  }
  void erase(std::string_view key) override { rows_[prefix_ + std::string(key)] = std::nullopt; }
  bool side_effects_allowed() const override { return side_effects_; }
  Result<bool> put_once(std::string_view keyspace, std::string_view key,
                        std::string value) override {
    const std::string full = std::string(keyspace) + '\0' + std::string(key);
    if (once_.contains(full)) return false;
    if (previous_ != nullptr && previous_->has_once(keyspace, key)) return false;
    auto existing = log_.read_state(keyspace, key);
    if (!existing) return std::move(existing).error();
    if (existing->has_value()) return false;
    once_.emplace(full,
                  store::StateWrite{std::string(keyspace), std::string(key), std::move(value)});
    return true;
  }

  void set_side_effects(bool allowed) { side_effects_ = allowed; }

  // The map keys order `once_` by (keyspace, key): keyspaces hold no NUL.
  BatchWrites writes() && {
    BatchWrites batch;
    batch.writes.reserve(rows_.size() + once_.size() + 1);
    for (auto& [key, value] : rows_) {
      batch.writes.push_back({kProjectionsKeyspace, key, std::move(value)});
    }
    for (auto& [key, write] : once_) batch.writes.push_back(std::move(write));
    batch.rows = rows_.size();
    batch.once = once_.size();
    return batch;
  }

 private:
  store::EventLog& log_;
  std::string prefix_;
  const BatchWrites* previous_;
  RowsRead* read_;
  std::map<std::string, std::optional<std::string>> rows_;
  std::map<std::string, store::StateWrite> once_;
  bool side_effects_ = true;
};

std::string meta_key(std::string_view name) { return std::string(name) + "/meta"; }
std::string build_key(std::string_view name) { return std::string(name) + "/build"; }

}  // namespace

ProjectionRunner::ProjectionRunner(store::EventLog& log, Projection& projection, const Clock& clock,
                                   RunnerOptions options)
    : log_(log), projection_(projection), clock_(clock), options_(options) {}

ProjectionRunner::~ProjectionRunner() { stop(); }

std::string ProjectionRunner::row_prefix(std::uint64_t generation) const {
  return fmt::format("{}/{:016x}/", projection_.name(), generation);
}

ProjectionRunner::ReadGuard::ReadGuard(const ProjectionRunner& runner) : runner_(runner) {
  std::lock_guard lock(runner.mutex_);
  slot_ = runner.meta_.generation() % 2;
  ++runner.readers_[slot_];
  prefix_ = runner.row_prefix(runner.meta_.generation());
}

Status ProjectionRunner::start() {
  if (auto loaded = load(); !loaded) return loaded;
  if (meta_.version() != projection_.version() && !build_) {
    if (auto started = rebuild(); !started) return started;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return {};
}

Status ProjectionRunner::load() {
  {
    std::lock_guard lock(mutex_);
    auto stored = log_.read_state(kProjectionsKeyspace, meta_key(projection_.name()));
    if (!stored) return std::move(stored).error();
    if (stored->has_value()) {
      if (!meta_.ParseFromString(**stored)) {
        return make_error(Errc::corruption, fmt::format("projection {} has an unreadable meta row",
                                                        projection_.name()));
      }
    } else {
      meta_.set_version(projection_.version());
      meta_.set_generation(1);
      meta_.set_status("live");
    }
    auto building = log_.read_state(kProjectionsKeyspace, build_key(projection_.name()));
    if (!building) return std::move(building).error();
    if (building->has_value()) {
      events::ProjectionBuild build;
      if (build.ParseFromString(**building)) build_ = build;
    }
  }
  return {};
}

void ProjectionRunner::stop() {
  stopping_ = true;
  progressed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ProjectionRunner::rebuild() {
  std::lock_guard lock(mutex_);
  if (build_) return {};
  events::ProjectionBuild build;
  build.set_version(projection_.version());
  build.set_generation(meta_.generation() + 1);
  build.set_checkpoint(0);
  build.set_side_effects_from(meta_.checkpoint());
  const store::StateWrite write{kProjectionsKeyspace, build_key(projection_.name()),
                                build.SerializeAsString()};
  if (auto saved = log_.write_state({&write, 1}); !saved) return saved;
  build_ = build;
  meta_.set_status(meta_.status() == "failed" ? "failed" : "rebuilding");
  return {};
}

Result<bool> ProjectionRunner::step() {
  std::uint64_t checkpoint = 0;
  std::uint64_t generation = 0;
  bool building = false;
  {
    std::lock_guard lock(mutex_);
    building = build_.has_value();
    if (!building && meta_.status() == "failed") return false;
    checkpoint = meta_.checkpoint();
    generation = meta_.generation();
  }
  if (building) return build();
  auto events = log_.read_all(checkpoint, kBatchEvents);
  if (!events) return std::move(events).error();
  if (events->empty()) return false;

  BatchState state(log_, row_prefix(generation));
  std::uint64_t last = checkpoint;
  std::int64_t last_at = 0;
  for (const auto& event : *events) {
    if (auto applied = projection_.apply(event, state); !applied) {
      fail_at(event.position(), applied.error());
      return false;
    }
    last = event.position();
    last_at = event.recorded_at_us();
  }
  auto batch = std::move(state).writes();
  std::lock_guard lock(mutex_);
  events::ProjectionMeta next = meta_;
  next.set_checkpoint(last);
  next.set_checkpoint_recorded_at_us(last_at);
  batch.writes.push_back(
      {kProjectionsKeyspace, meta_key(projection_.name()), next.SerializeAsString()});
  if (auto written = log_.write_state(batch.writes); !written) {
    return std::move(written).error();
  }
  meta_ = next;
  progressed_.notify_all();
  return true;
}

void ProjectionRunner::fail_at(std::uint64_t position, const Error& error) {
  std::lock_guard lock(mutex_);
  meta_.set_status("failed");
  meta_.set_failed_position(position);
  meta_.set_failed_error(error.message);
  const store::StateWrite write{kProjectionsKeyspace, meta_key(projection_.name()),
                                meta_.SerializeAsString()};
  (void)log_.write_state({&write, 1});  // the rows of the batch that failed are dropped
  progressed_.notify_all();
}

Result<bool> ProjectionRunner::build() {
  // Three batches at a time: the next one is read while this one is folded on top of the one
  // before, which the store is still writing. Each is written, with its checkpoint, only after
  // the one before it was, so a build stopped anywhere resumes from its last written batch.
  std::uint64_t checkpoint;
  std::uint64_t generation;
  std::uint64_t side_effects_from;
  {
    std::lock_guard lock(mutex_);
    checkpoint = build_->checkpoint();
    generation = build_->generation();
    side_effects_from = build_->side_effects_from();
  }
  const std::size_t batch_events = options_.build_batch_events;
  TaskThread reader;
  TaskThread writer;
  RowsRead rows_read;
  auto read_after = [&](std::uint64_t position) {
    return reader.submit(
        [this, batch_events, position] { return log_.read_all(position, batch_events); });
  };
  std::optional<BatchWrites> in_flight;
  std::future<Status> in_flight_written;
  std::uint64_t in_flight_last = 0;
  // Waits for the batch being written; once it is, the build's checkpoint is past it.
  auto land = [&]() -> Status {
    if (!in_flight) return {};
    Status written = in_flight_written.get();
    if (written) {
      std::lock_guard lock(mutex_);
      build_->set_checkpoint(in_flight_last);
      progressed_.notify_all();
    }
    in_flight.reset();
    return written;
  };

  auto next = read_after(checkpoint);
  while (true) {
    auto events = next.get();
    if (!events || events->empty() || stopping_) {
      if (auto landed = land(); !landed) return std::move(landed).error();
      if (!events) return std::move(events).error();
      if (stopping_) return true;
      if (auto switched = switch_to_build(); !switched) return std::move(switched).error();
      return true;
    }
    const std::uint64_t last = events->back().position();
    next = read_after(last);

    if (rows_read.size() > options_.build_rows_read_max) rows_read.clear();
    BatchState state(log_, row_prefix(generation), in_flight ? &*in_flight : nullptr, &rows_read);
    for (const auto& event : *events) {
      state.set_side_effects(event.position() > side_effects_from);
      if (auto applied = projection_.apply(event, state); !applied) {
        (void)land();  // the batch before is whole: it may land
        fail_at(event.position(), applied.error());
        return false;
      }
    }
    auto batch = std::move(state).writes();
    for (std::size_t i = 0; i < batch.rows; ++i) {
      if (auto it = rows_read.find(batch.writes[i].key); it != rows_read.end()) {
        it->second = batch.writes[i].value;
      }
    }
    events::ProjectionBuild built;
    {
      std::lock_guard lock(mutex_);
      built = *build_;
    }
    built.set_checkpoint(last);
    batch.writes.push_back(
        {kProjectionsKeyspace, build_key(projection_.name()), built.SerializeAsString()});
    if (auto landed = land(); !landed) return std::move(landed).error();
    in_flight = std::move(batch);
    in_flight_last = last;
    in_flight_written =
        writer.submit([this, &writes = in_flight->writes] { return log_.write_state(writes); });
  }
}

Status ProjectionRunner::switch_to_build() {
  std::uint64_t old_generation;
  {
    std::lock_guard lock(mutex_);
    events::ProjectionMeta next;
    next.set_version(build_->version());
    next.set_generation(build_->generation());
    next.set_checkpoint(build_->checkpoint());
    next.set_status("live");
    // One batch: the new generation becomes the active one and the build row goes.
    const store::StateWrite writes[] = {
        {kProjectionsKeyspace, meta_key(projection_.name()), next.SerializeAsString()},
        {kProjectionsKeyspace, build_key(projection_.name()), std::nullopt}};
    if (auto written = log_.write_state(writes); !written) return written;
    old_generation = meta_.generation();
    meta_ = next;
    build_.reset();
    dropping_ = true;
  }
  // Queries read the new generation from here on; those still reading the old one finish
  // before its rows go. Waiters wake once the old rows are gone.
  while (readers_[old_generation % 2].load() > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  auto dropped = drop_generation(old_generation);
  {
    std::lock_guard lock(mutex_);
    dropping_ = false;
  }
  progressed_.notify_all();
  return dropped;
}

Status ProjectionRunner::drop_generation(std::uint64_t generation) {
  const std::string prefix = row_prefix(generation);
  // Each chunk resumes just past the last key deleted: a scan from the prefix's start would step
  // over every tombstone written so far, quadratic in the number of rows.
  std::string last;
  while (true) {
    std::vector<store::StateWrite> deletes;
    auto scanned = log_.scan_state(
        kProjectionsKeyspace, prefix, store::ReadDirection::forward,
        [&](std::string_view key, std::string_view) {
          deletes.push_back({kProjectionsKeyspace, std::string(key), std::nullopt});
          return deletes.size() < kDeleteChunk;
        },
        last);
    if (!scanned) return scanned;
    if (deletes.empty()) return {};
    last = deletes.back().key;
    if (auto written = log_.write_state(deletes); !written) return written;
  }
}

void ProjectionRunner::run() {
  while (!stopping_) {
    auto worked = step();
    if (!worked && worked.error().kind() == ErrorKind::unavailable) {
      // A storage fault (a full disk) is the store's, not the projection's: the failed batch
      // wrote nothing, so the same batch is tried again until the store takes writes again.
      std::this_thread::sleep_for(kIdleWait);
      continue;
    }
    if (!worked) {
      std::lock_guard lock(mutex_);
      meta_.set_status("failed");
      meta_.set_failed_error(worked.error().message);
      progressed_.notify_all();
      return;
    }
    if (!*worked) {
      std::uint64_t next;
      {
        std::lock_guard lock(mutex_);
        if (meta_.status() == "failed") return;
        next = meta_.checkpoint() + 1;
      }
      log_.wait_for(next, kIdleWait);
    }
  }
}

Status ProjectionRunner::catch_up(std::chrono::milliseconds timeout) {
  const std::uint64_t target = log_.head().position;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  const bool done = progressed_.wait_until(lock, deadline, [&] {
    return meta_.status() == "failed" || (!build_ && !dropping_ && meta_.checkpoint() >= target);
  });
  if (meta_.status() == "failed") {
    return make_error(Errc::internal,
                      fmt::format("projection {} failed at {}: {}", projection_.name(),
                                  meta_.failed_position(), meta_.failed_error()));
  }
  if (!done) return make_error(Errc::timeout, "the projection did not catch up in time");
  return {};
}

bool ProjectionRunner::wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return progressed_.wait_for(
      lock, timeout, [&] { return meta_.checkpoint() >= position && meta_.status() != "failed"; });
}

ProjectionStatus ProjectionRunner::status() const {
  ProjectionStatus status;
  const std::uint64_t head = log_.head().position;
  std::lock_guard lock(mutex_);
  status.name = std::string(projection_.name());
  status.version = meta_.version();
  status.code_version = projection_.version();
  status.generation = meta_.generation();
  status.checkpoint = meta_.checkpoint();
  status.head = head;
  status.lag_events = head > meta_.checkpoint() ? head - meta_.checkpoint() : 0;
  if (status.lag_events > 0 && meta_.checkpoint_recorded_at_us() > 0) {
    status.lag_seconds =
        static_cast<double>(clock_.now_us() - meta_.checkpoint_recorded_at_us()) / 1e6;
  }
  status.state = meta_.status() == "failed" ? "failed"
                 : build_                   ? "rebuilding"
                 : stopping_                ? "stopped"
                                            : "live";
  if (build_) status.rebuild_checkpoint = build_->checkpoint();
  status.failed_position = meta_.failed_position();
  status.failed_error = meta_.failed_error();
  return status;
}

Result<std::optional<std::string>> ProjectionRunner::get(std::string_view key) const {
  const ReadGuard read(*this);
  return log_.read_state(kProjectionsKeyspace, read.prefix() + std::string(key));
}

Status ProjectionRunner::scan(std::string_view prefix, store::ReadDirection direction,
                              const store::StateVisitor& visitor,
                              std::string_view after_key) const {
  const ReadGuard read(*this);
  const std::string& base = read.prefix();
  const std::string full_after = after_key.empty() ? std::string() : base + std::string(after_key);
  return log_.scan_state(
      kProjectionsKeyspace, base + std::string(prefix), direction,
      [&](std::string_view key, std::string_view value) {
        return visitor(key.substr(base.size()), value);
      },
      full_after);
}

}  // namespace ledger::projections
