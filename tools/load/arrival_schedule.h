// ArrivalSchedule: when each request of an open-loop load should be sent, at a fixed total rate
// spread over a fixed number of connections.
//
// Request i of connection c is the (i * connections + c)-th arrival of the whole load, due at
// that many periods of 1 / rate after the start: the arrivals of all connections together are
// evenly spaced at the given rate, each connection's at connections / rate. The schedule does
// not depend on when answers come back (that is what makes the load open): a connection that is
// late sends its next request at once, and the latency of a request is measured from its
// intended send time, so a stall of the server is charged to every request that should have been
// sent during it (no coordinated omission).
#pragma once

#include <chrono>
#include <cstdint>

namespace ledger::load {

class ArrivalSchedule {
 public:
  // Preconditions: rate_per_second > 0, connections > 0.
  ArrivalSchedule(std::uint64_t rate_per_second, std::uint64_t connections);

  // Time after the start at which request `index` of `connection` is due.
  std::chrono::nanoseconds intended_offset(std::uint64_t connection, std::uint64_t index) const;

  // How many requests of `connection` are due strictly before `duration` after the start.
  std::uint64_t requests_due_before(std::uint64_t connection,
                                    std::chrono::nanoseconds duration) const;

  std::uint64_t rate_per_second() const { return rate_per_second_; }
  std::uint64_t connections() const { return connections_; }

 private:
  std::uint64_t rate_per_second_;
  std::uint64_t connections_;
};

}  // namespace ledger::load
