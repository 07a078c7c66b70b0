// KeyspaceWrites: how many times the rows of each state keyspace have been written since the
// store was opened, so that a cache of rows can tell whether they may have changed.
//
// The local RocksDB store (rocksdb_event_log.h) counts every write into a keyspace's rows: an
// append's inline rows (the writer's), write_state and write_state_durably (projections, and a
// PostgreSQL follower's fold, which writes through its local store), and a rebuild's switch. A
// count advances after the written rows are readable and before the write returns, so before an
// append is acknowledged. Hence: a reader that took `count(k)`, then read rows of `k`, and later
// finds the same count knows no row of `k` has changed since (http/token_cache.h relies on it).
// When rows may change in a way not counted one keyspace at a time (a secondary catching up
// with its primary, a store reopened after a failed write), every count advances. A keyspace
// never written counts 0 until then. Safe from any thread; each method takes one short lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ledger::store {

class KeyspaceWrites {
 public:
  std::uint64_t count(std::string_view keyspace) const {
    std::lock_guard lock(mutex_);
    const auto it = counts_.find(keyspace);
    return every_keyspace_ + (it == counts_.end() ? 0 : it->second);
  }

  // Called by the store after rows of `keyspace` were written and are readable.
  void advance(std::string_view keyspace) {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(keyspace);
    if (it == counts_.end()) it = counts_.emplace(std::string(keyspace), 0).first;
    ++it->second;
  }

  // Called by the store after rows of any keyspace may have changed.
  void advance_all() {
    std::lock_guard lock(mutex_);
    ++every_keyspace_;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t every_keyspace_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

}  // namespace ledger::store
