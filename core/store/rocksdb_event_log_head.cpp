// RocksDbEventLog: the published head, and waiting for it: by blocking (wait_for) or by a
// callback on every durable append (subscribe).
#include "core/store/rocksdb_event_log.h"

namespace ledger::store {

LogHead RocksDbEventLog::head() const { return head_.head(); }

bool RocksDbEventLog::wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
  return head_.wait_for(position, timeout);
}

std::uint64_t RocksDbEventLog::subscribe(std::function<void(std::uint64_t)> on_append) {
  return head_.subscribe(std::move(on_append));
}

void RocksDbEventLog::unsubscribe(std::uint64_t handle) { head_.unsubscribe(handle); }

}  // namespace ledger::store
