// HeadPublisher: the head of a log as its readers see it, published by the writer after each
// durable append, with the two ways to wait for it (EventLog::wait_for and EventLog::subscribe).
// Every method is safe from any thread; subscribers are called on the publishing thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "core/store/commit.h"

namespace ledger::store {

class HeadPublisher {
 public:
  LogHead head() const {
    std::lock_guard lock(head_mutex_);
    return head_;
  }

  // Sets the head without telling subscribers (on open, or after a reload).
  void reset(const LogHead& head) {
    {
      std::lock_guard lock(head_mutex_);
      head_ = head;
    }
    head_advanced_.notify_all();
  }

  // Sets the head after a durable append: wakes the waiters and calls every subscriber.
  void publish(const LogHead& head) {
    reset(head);
    std::lock_guard lock(subscribers_mutex_);
    for (auto& [handle, on_append] : subscribers_) on_append(head.position);
  }

  bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(head_mutex_);
    return head_advanced_.wait_for(lock, timeout, [&] { return head_.position >= position; });
  }

  std::uint64_t subscribe(std::function<void(std::uint64_t)> on_append) {
    std::lock_guard lock(subscribers_mutex_);
    const std::uint64_t handle = next_subscriber_++;
    subscribers_.emplace(handle, std::move(on_append));
    return handle;
  }

  void unsubscribe(std::uint64_t handle) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(handle);
  }

 private:
  mutable std::mutex head_mutex_;
  mutable std::condition_variable head_advanced_;
  LogHead head_;

  std::mutex subscribers_mutex_;
  std::uint64_t next_subscriber_ = 1;
  std::map<std::uint64_t, std::function<void(std::uint64_t)>> subscribers_;
};

}  // namespace ledger::store
