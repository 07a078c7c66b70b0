// The injected source of time.
//
// Nothing in the domain reads the system clock: commands carry the time they were issued at, taken
// from a `Clock` by the edge (HTTP, timers). Tests and replay use `ManualClock` so that every
// decision is deterministic. Time is int64 microseconds since the Unix epoch, UTC.
#pragma once

#include <atomic>
#include <cstdint>

namespace ledger {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_us() const = 0;
};

// Wall-clock time from the operating system.
class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override;
};

// Time that moves only when told to; safe to read and set from several threads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_us) : now_us_(start_us) {}
  std::int64_t now_us() const override { return now_us_.load(std::memory_order_acquire); }
  void set_us(std::int64_t now_us) { now_us_.store(now_us, std::memory_order_release); }
  void advance_us(std::int64_t delta_us) { now_us_.fetch_add(delta_us, std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_us_;
};

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr std::int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;

}  // namespace ledger
