#include "projections/projection_runner.h"

#include <fmt/format.h>

#include <map>
#include <thread>

namespace ledger::projections {
namespace {

constexpr std::size_t kBatchEvents = 512;
// A generation being built folds larger batches: a row rewritten by many events of a batch (a
// user's counters, a day's totals) is read back from the batch and written once, and each
// RocksDB write is one large batch in key order. Still one atomic batch with its checkpoint.
constexpr std::size_t kBuildBatchEvents = 16384;
constexpr std::size_t kDeleteChunk = 4096;
constexpr auto kIdleWait = std::chrono::milliseconds(200);

// The rows one batch of events produced, read back by the folds that follow in the batch.
class BatchState final : public ProjectionState {
 public:
  BatchState(store::EventLog& log, std::string prefix) : log_(log), prefix_(std::move(prefix)) {}

  Result<std::optional<std::string>> get(std::string_view key) override {
    const std::string full = prefix_ + std::string(key);
    if (auto it = rows_.find(full); it != rows_.end()) return it->second;
    return log_.read_state(kProjectionsKeyspace, full);
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
    auto existing = log_.read_state(keyspace, key);
    if (!existing) return std::move(existing).error();
    if (existing->has_value()) return false;
    once_.emplace(full,
                  store::StateWrite{std::string(keyspace), std::string(key), std::move(value)});
    return true;
  }

  void set_side_effects(bool allowed) { side_effects_ = allowed; }

  std::vector<store::StateWrite> writes() && {
    std::vector<store::StateWrite> writes;
    for (auto& [key, value] : rows_) {
      writes.push_back({kProjectionsKeyspace, key, std::move(value)});
    }
    for (auto& [key, write] : once_) writes.push_back(std::move(write));
    return writes;
  }

 private:
  store::EventLog& log_;
  std::string prefix_;
  std::map<std::string, std::optional<std::string>> rows_;
  std::map<std::string, store::StateWrite> once_;
  bool side_effects_ = true;
};

std::string meta_key(std::string_view name) { return std::string(name) + "/meta"; }
std::string build_key(std::string_view name) { return std::string(name) + "/build"; }

}  // namespace

ProjectionRunner::ProjectionRunner(store::EventLog& log, Projection& projection, const Clock& clock)
    : log_(log), projection_(projection), clock_(clock) {}

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
  std::uint64_t checkpoint;
  std::uint64_t generation;
  std::uint64_t side_effects_from = 0;
  bool building;
  {
    std::lock_guard lock(mutex_);
    building = build_.has_value();
    if (!building && meta_.status() == "failed") return false;
    checkpoint = building ? build_->checkpoint() : meta_.checkpoint();
    generation = building ? build_->generation() : meta_.generation();
    if (building) side_effects_from = build_->side_effects_from();
  }
  auto events = log_.read_all(checkpoint, building ? kBuildBatchEvents : kBatchEvents);
  if (!events) return std::move(events).error();
  if (events->empty()) {
    if (building) {
      if (auto switched = switch_to_build(); !switched) return std::move(switched).error();
      return true;
    }
    return false;
  }

  BatchState state(log_, row_prefix(generation));
  std::uint64_t last = checkpoint;
  std::int64_t last_at = 0;
  for (const auto& event : *events) {
    state.set_side_effects(event.position() > side_effects_from);
    if (auto applied = projection_.apply(event, state); !applied) {
      std::lock_guard lock(mutex_);
      meta_.set_status("failed");
      meta_.set_failed_position(event.position());
      meta_.set_failed_error(applied.error().message);
      const store::StateWrite write{kProjectionsKeyspace, meta_key(projection_.name()),
                                    meta_.SerializeAsString()};
      (void)log_.write_state({&write, 1});  // the rows of this batch are dropped
      progressed_.notify_all();
      return false;
    }
    last = event.position();
    last_at = event.recorded_at_us();
  }
  auto writes = std::move(state).writes();
  std::lock_guard lock(mutex_);
  if (building) {
    events::ProjectionBuild next = *build_;
    next.set_checkpoint(last);
    writes.push_back(
        {kProjectionsKeyspace, build_key(projection_.name()), next.SerializeAsString()});
    if (auto written = log_.write_state(writes); !written) return std::move(written).error();
    build_ = next;
  } else {
    events::ProjectionMeta next = meta_;
    next.set_checkpoint(last);
    next.set_checkpoint_recorded_at_us(last_at);
    writes.push_back(
        {kProjectionsKeyspace, meta_key(projection_.name()), next.SerializeAsString()});
    if (auto written = log_.write_state(writes); !written) return std::move(written).error();
    meta_ = next;
  }
  progressed_.notify_all();
  return true;
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
