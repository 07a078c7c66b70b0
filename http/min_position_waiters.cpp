#include "http/min_position_waiters.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace ledger::http {

MinPositionWaiters::MinPositionWaiters() : thread_([this] { run(); }) {}

MinPositionWaiters::~MinPositionWaiters() { stop(); }

Status MinPositionWaiters::add(std::uint64_t position, PositionReached reached,
                               std::chrono::milliseconds timeout, std::size_t waiters_max,
                               Completion completion) {
  LEDGER_ASSERT(reached && completion, "a waiter has a position source and a completion");
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return make_error(Errc::shutting_down, "the server is shutting down");
    if (waiters_.size() >= waiters_max) {
      return make_error(Errc::overloaded,
                        fmt::format("{} queries already wait for X-Min-Position; retry shortly",
                                    waiters_.size()));
    }
    waiters_.push_back(Waiter{position, std::move(reached),
                              std::chrono::steady_clock::now() + timeout, std::move(completion)});
  }
  changed_.notify_one();
  return {};
}

std::size_t MinPositionWaiters::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void MinPositionWaiters::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// Under the lock: removes the waiters whose position is reached or whose deadline passed.
MinPositionWaiters::Finished MinPositionWaiters::take_finished() {
  Finished finished;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(waiters_, [&](Waiter& waiter) {
    if (waiter.reached() >= waiter.position) {
      finished.emplace_back(std::move(waiter.completion), Status());
    } else if (now >= waiter.deadline) {
      finished.emplace_back(
          std::move(waiter.completion),
          make_error(Errc::timeout, fmt::format("the read model has not reached position {} yet",
                                                waiter.position)));
    } else {
      return false;
    }
    return true;
  });
  return finished;
}

void MinPositionWaiters::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (waiters_.empty()) {
      changed_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
      continue;
    }
    Finished finished = take_finished();
    if (finished.empty()) {
      changed_.wait_for(lock, kCheckInterval);
      continue;
    }
    // Completions answer requests: never under the lock, so that they may park new waiters.
    lock.unlock();
    for (auto& [completion, status] : finished) completion(std::move(status));
    lock.lock();
  }
  Finished stopped;
  for (auto& waiter : waiters_) {
    stopped.emplace_back(std::move(waiter.completion),
                         make_error(Errc::shutting_down, "the server is shutting down"));
  }
  waiters_.clear();
  lock.unlock();
  for (auto& [completion, status] : stopped) completion(std::move(status));
}

std::string render_min_position_waiters_metrics(const MinPositionWaiters& waiters) {
  return fmt::format(
      "# HELP ledger_http_min_position_waiters Queries waiting for their X-Min-Position.\n"
      "# TYPE ledger_http_min_position_waiters gauge\n"
      "ledger_http_min_position_waiters {}\n",
      waiters.waiting());
}

}  // namespace ledger::http
