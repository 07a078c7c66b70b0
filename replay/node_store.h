// Where a node keeps its ledger, opened the same way by ledgerd and by the tools (ledger-audit,
// ledgerctl, ledger-bench):
// - without a store URL, the embedded RocksDB log under DATA_DIR/store (its read models in it);
// - with a postgresql:// URL, the PostgreSQL log (core/store/postgres_event_log.h) with this
//   node's read models in a local RocksDB under DATA_DIR/state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/store/event_log.h"
#include "core/store/store_options.h"

namespace ledger::replay {

struct NodeStore {
  std::string data_dir;
  std::string url;  // empty: RocksDB under data_dir; else a postgresql:// (or postgres://) URL
  // PostgreSQL only (core/store/postgres_event_log.h): how often a node reads the log unasked,
  // and how long a silent writer keeps the lease.
  std::chrono::milliseconds follow_poll_interval{1000};
  std::chrono::milliseconds lease_timeout{5000};

  bool postgres() const { return !url.empty(); }
};

// Ok, or invalid_argument when `url` is neither empty nor a postgresql:// / postgres:// URL.
Status check_store_url(std::string_view url);

enum class NodeAccess {
  // Reads only: RocksDB opened read-only (beside a running server); PostgreSQL never written,
  // the node's local read models opened read-only as they are (they must exist).
  read_only,
  // Writes while it holds the writer lease and follows the writer otherwise (ledgerd). On
  // PostgreSQL, a local state behind the log is folded up to the head before the open returns.
  leased,
  // Writes now or fails: RocksDB's lock, or (PostgreSQL) the writer lease taken at open; fails
  // with store_read_only when another node holds it. Caught up like `leased`.
  writer,
};

// Called while a local state behind the log is folded again: (position, head).
using CatchUpProgress = std::function<void(std::uint64_t position, std::uint64_t head)>;

// Opens the node's log. `base` gives the store options other than the path and read-only flag
// (state keyspaces, limits, tail verification); an empty `state_keyspaces` means the domain's.
// Fails with not_found when a read-only open finds no store in the data directory.
Result<std::unique_ptr<store::EventLog>> open_node_store(const NodeStore& where, NodeAccess access,
                                                         store::StoreOptions base = {},
                                                         const CatchUpProgress& progress = {});

}  // namespace ledger::replay
