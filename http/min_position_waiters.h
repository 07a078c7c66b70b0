// MinPositionWaiters: the queries that wait for their X-Min-Position, without holding a thread.
//
// A query whose X-Min-Position is not reached yet is parked here with the position it waits for,
// where to read the position reached so far (the log's head, a projection's checkpoint) and its
// deadline; the I/O thread that read it goes back to serving other connections at once. A thread
// of its own checks the parked waiters every `kCheckInterval` and calls each one's completion,
// on that thread, once its position is reached (ok), its deadline passed (timeout) or the server
// stops (shutting_down). Completions run one after the other: they should be short reads.
//
// At most `waiters_max` (given by each caller) wait at once: beyond it `add` refuses with
// overloaded, as it does after `stop()`; a refused waiter's completion is never called.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace ledger::http {

class MinPositionWaiters {
 public:
  using PositionReached = std::function<std::uint64_t()>;
  using Completion = std::function<void(Status)>;

  static constexpr auto kCheckInterval = std::chrono::milliseconds(2);

  MinPositionWaiters();
  ~MinPositionWaiters();
  MinPositionWaiters(const MinPositionWaiters&) = delete;
  MinPositionWaiters& operator=(const MinPositionWaiters&) = delete;

  // Parks a waiter for `position`, or refuses it (overloaded) when `waiters_max` already wait or
  // after stop().
  Status add(std::uint64_t position, PositionReached reached, std::chrono::milliseconds timeout,
             std::size_t waiters_max, Completion completion);

  // How many wait now.
  std::size_t waiting() const;

  // Completes every waiter with shutting_down, refuses new ones and joins the thread. Call it
  // before what the completions use (the HTTP server, the projections) goes away.
  void stop();

 private:
  struct Waiter {
    std::uint64_t position = 0;
    PositionReached reached;
    std::chrono::steady_clock::time_point deadline;
    Completion completion;
  };
  using Finished = std::vector<std::pair<Completion, Status>>;

  void run();
  Finished take_finished();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Waiter> waiters_;
  bool stopping_ = false;
  std::thread thread_;
};

// The number of parked queries as a Prometheus gauge (ledger_http_min_position_waiters).
std::string render_min_position_waiters_metrics(const MinPositionWaiters& waiters);

}  // namespace ledger::http
