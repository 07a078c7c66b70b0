// RocksDbEventLog: the published head, and waiting for it: by blocking (wait_for) or by a
// callback on every durable append (subscribe).
#include "core/store/rocksdb_event_log.h"

namespace ledger::store {

LogHead RocksDbEventLog::head() const {
  std::lock_guard lock(head_mutex_);
  return head_;
}

bool RocksDbEventLog::wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(head_mutex_);
  return head_advanced_.wait_for(lock, timeout, [&] { return head_.position >= position; });
}

std::uint64_t RocksDbEventLog::subscribe(std::function<void(std::uint64_t)> on_append) {
  std::lock_guard lock(subscribers_mutex_);
  const std::uint64_t handle = next_subscriber_++;
  subscribers_.emplace(handle, std::move(on_append));
  return handle;
}

void RocksDbEventLog::unsubscribe(std::uint64_t handle) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(handle);
}

}  // namespace ledger::store
