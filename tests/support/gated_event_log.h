// GatedEventLog: an EventLog that passes everything to another one, except that a test can hold
// an append (before or after its write reaches the store) until it lets it go, and can make the
// held append fail, writing nothing. How the sequencer tests put a batch "in flight" for as long
// as they need, to look at what the next batch is decided on. It can also make every state write
// wait a while before it reaches the store (a projection's batch still being written while the
// next one is folded).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/assert.h"
#include "core/store/event_log.h"

namespace ledger::testing {

class GatedEventLog final : public store::EventLog {
 public:
  enum class Hold : std::uint8_t {
    before_write,  // the held append has written nothing yet
    after_write,   // its records are in the store, but the append has not returned
  };

  explicit GatedEventLog(store::EventLog& inner) : inner_(inner) {}

  // The next append waits at `hold` until `release`; with `failure`, it then fails with that
  // error and writes nothing (only with Hold::before_write).
  void hold_next_append(Hold hold, std::optional<Error> failure = std::nullopt) {
    LEDGER_ASSERT(!failure || hold == Hold::before_write, "an append that wrote cannot fail");
    std::lock_guard lock(mutex_);
    hold_ = hold;
    failure_ = std::move(failure);
    held_ = false;
    released_ = false;
  }
  // Every state write from now on waits `delay` before it is written. Call before the log is used.
  void delay_state_writes(std::chrono::milliseconds delay) { state_write_delay_ = delay; }
  // Waits until an append is held; false after `timeout`.
  bool wait_until_held(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return held_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

  Result<std::vector<store::CommitOutcome>> append(
      std::span<const store::CommitRequest> commits) override {
    return gated([&] { return inner_.append(commits); });
  }
  Result<std::vector<store::CommitOutcome>> append_admitted(
      std::span<const store::CommitRequest> commits) override {
    return gated([&] { return inner_.append_admitted(commits); });
  }

  store::LogHead head() const override { return inner_.head(); }
  Result<std::uint64_t> stream_version(std::string_view stream_id) const override {
    return inner_.stream_version(stream_id);
  }
  Result<std::vector<events::Envelope>> read_stream(std::string_view stream_id,
                                                    std::uint64_t from_version,
                                                    store::ReadDirection direction,
                                                    std::size_t limit) const override {
    return inner_.read_stream(stream_id, from_version, direction, limit);
  }
  Result<std::vector<events::Envelope>> read_all(std::uint64_t after_position,
                                                 std::size_t limit) const override {
    return inner_.read_all(after_position, limit);
  }
  Status scan_records(std::uint64_t after_position,
                      const store::RecordVisitor& visitor) const override {
    return inner_.scan_records(after_position, visitor);
  }
  Result<std::optional<events::IdempotencyRecord>> find_idempotency(
      std::string_view key) const override {
    return inner_.find_idempotency(key);
  }
  Result<std::optional<std::string>> read_state(std::string_view keyspace,
                                                std::string_view key) const override {
    return inner_.read_state(keyspace, key);
  }
  Status scan_state(std::string_view keyspace, std::string_view prefix,
                    store::ReadDirection direction, const store::StateVisitor& visitor,
                    std::string_view after_key) const override {
    return inner_.scan_state(keyspace, prefix, direction, visitor, after_key);
  }
  Status write_state(std::span<const store::StateWrite> writes) override {
    if (state_write_delay_.count() > 0) std::this_thread::sleep_for(state_write_delay_);
    return inner_.write_state(writes);
  }
  Status rebuild_keyspaces(std::span<const store::KeyspaceRebuild> keyspaces,
                           const std::function<Status(store::FreshRows&)>& fill) override {
    return inner_.rebuild_keyspaces(keyspaces, fill);
  }
  Result<std::uint64_t> keyspace_generation(std::string_view keyspace) const override {
    return inner_.keyspace_generation(keyspace);
  }
  Result<std::uint32_t> keyspace_version(std::string_view keyspace) const override {
    return inner_.keyspace_version(keyspace);
  }
  Status checkpoint_to(const std::string& directory) override {
    return inner_.checkpoint_to(directory);
  }
  bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const override {
    return inner_.wait_for(position, timeout);
  }
  std::uint64_t subscribe(std::function<void(std::uint64_t position)> on_append) override {
    return inner_.subscribe(std::move(on_append));
  }
  void unsubscribe(std::uint64_t handle) override { inner_.unsubscribe(handle); }
  Status writable() const override { return inner_.writable(); }

 private:
  template <class Append>
  Result<std::vector<store::CommitOutcome>> gated(const Append& append) {
    std::unique_lock lock(mutex_);
    auto hold = std::exchange(hold_, std::nullopt);
    auto failure = std::exchange(failure_, std::nullopt);
    if (!hold) {
      lock.unlock();
      return append();
    }
    auto wait = [&] {
      held_ = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return released_; });
    };
    if (*hold == Hold::before_write) {
      wait();
      if (failure) return std::move(*failure);
      lock.unlock();
      return append();
    }
    lock.unlock();
    auto written = append();
    lock.lock();
    wait();
    return written;
  }
  store::EventLog& inner_;
  std::chrono::milliseconds state_write_delay_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Hold> hold_;
  std::optional<Error> failure_;
  bool held_ = false;
  bool released_ = false;
};

}  // namespace ledger::testing
