#include "tools/load/arrival_schedule.h"

#include <cassert>

namespace ledger::load {

namespace {
constexpr unsigned __int128 kNanosecondsPerSecond = 1'000'000'000;
}

ArrivalSchedule::ArrivalSchedule(std::uint64_t rate_per_second, std::uint64_t connections)
    : rate_per_second_(rate_per_second), connections_(connections) {
  assert(rate_per_second_ > 0);
  assert(connections_ > 0);
}

std::chrono::nanoseconds ArrivalSchedule::intended_offset(std::uint64_t connection,
                                                          std::uint64_t index) const {
  assert(connection < connections_);
  // 128-bit arithmetic: arrival numbers times 1e9 overflow 64 bits after ~1.8e10 arrivals.
  const unsigned __int128 arrival =
      static_cast<unsigned __int128>(index) * connections_ + connection;
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(arrival * kNanosecondsPerSecond / rate_per_second_));
}

std::uint64_t ArrivalSchedule::requests_due_before(std::uint64_t connection,
                                                   std::chrono::nanoseconds duration) const {
  assert(connection < connections_);
  if (duration.count() <= 0) return 0;
  // Arrivals a with a * 1e9 / rate < duration, i.e. a < ceil(duration * rate / 1e9).
  const unsigned __int128 scaled =
      static_cast<unsigned __int128>(duration.count()) * rate_per_second_;
  const unsigned __int128 arrivals = (scaled + kNanosecondsPerSecond - 1) / kNanosecondsPerSecond;
  // Arrivals of this connection among [0, arrivals): c, c + C, c + 2C, ...
  if (arrivals <= connection) return 0;
  return static_cast<std::uint64_t>((arrivals - connection - 1) / connections_ + 1);
}

}  // namespace ledger::load
