#include "replay/node_store.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/record_folder.h"
#include "core/store/postgres_event_log.h"
#include "core/store/rocksdb_event_log.h"
#include "replay/inline_rebuild.h"

namespace ledger::replay {
namespace {

Result<std::unique_ptr<store::EventLog>> open_rocksdb(const NodeStore& where, NodeAccess access,
                                                      store::StoreOptions options) {
  options.path = (std::filesystem::path(where.data_dir) / "store").string();
  options.read_only = access == NodeAccess::read_only;
  if (options.read_only && !std::filesystem::exists(options.path)) {
    return make_error(Errc::not_found, fmt::format("no store in {}", where.data_dir));
  }
  auto log = store::RocksDbEventLog::open(options);
  if (!log) return std::move(log).error();
  return std::unique_ptr<store::EventLog>(std::move(log).value());
}

// Folds every inline keyspace again when the local state is behind the log (a node new to the
// log, or stopped between a commit and its local write).
Status catch_up_inline_state(store::PostgresEventLog& log, const CatchUpProgress& progress) {
  const std::uint64_t head = log.head().position;
  if (log.inline_state_position() >= head) return {};
  if (progress) progress(0, head);
  auto rebuilt = rebuild_inline(log, domain::all_inline_folds(), [&](std::uint64_t position) {
    if (progress) progress(position, head);
  });
  if (!rebuilt) {
    return make_error(rebuilt.error().code, fmt::format("cannot fold the inline read models up "
                                                        "to the log's head: {}",
                                                        rebuilt.error().message));
  }
  return {};
}

Result<std::unique_ptr<store::EventLog>> open_postgres(const NodeStore& where, NodeAccess access,
                                                       const store::StoreOptions& base,
                                                       const CatchUpProgress& progress) {
  store::PostgresStoreOptions options;
  options.url = where.url;
  options.store = base;
  options.store.path = (std::filesystem::path(where.data_dir) / "state").string();
  options.store.read_only = access == NodeAccess::read_only;
  if (options.store.read_only && !std::filesystem::exists(options.store.path)) {
    return make_error(Errc::not_found,
                      fmt::format("no read models in {} (a node's data directory holds them "
                                  "under state/ once ledgerd has run with this --store)",
                                  where.data_dir));
  }
  for (const auto* fold : domain::all_inline_folds()) {
    options.inline_keyspaces.emplace_back(fold->keyspace);
  }
  // A read-only open never writes, so it never takes the lease; the others write only while they
  // hold it (postgres_event_log.h).
  options.role =
      options.store.read_only ? store::PostgresRole::writer : store::PostgresRole::leased;
  options.fold_records = domain::inline_record_fold();
  options.follow_poll_interval = where.follow_poll_interval;
  options.lease_timeout = where.lease_timeout;
  auto log = store::PostgresEventLog::open(options);
  if (!log) return std::move(log).error();
  if (access == NodeAccess::read_only)
    return std::unique_ptr<store::EventLog>(std::move(log).value());
  if (auto caught_up = catch_up_inline_state(**log, progress); !caught_up) {
    return std::move(caught_up).error();
  }
  if (access == NodeAccess::writer) {
    if (auto writable = (*log)->writable(); !writable) {
      return make_error(Errc::store_read_only,
                        fmt::format("cannot write the log now: {} (stop the ledgerd nodes, or "
                                    "send the command to the writer's HTTP API)",
                                    writable.error().message));
    }
  }
  return std::unique_ptr<store::EventLog>(std::move(log).value());
}

}  // namespace

Status check_store_url(std::string_view url) {
  if (url.empty() || url.starts_with("postgresql://") || url.starts_with("postgres://")) return {};
  return make_error(Errc::invalid_argument,
                    fmt::format("--store must be a postgresql:// URL, got '{}'", url));
}

Result<std::unique_ptr<store::EventLog>> open_node_store(const NodeStore& where, NodeAccess access,
                                                         store::StoreOptions base,
                                                         const CatchUpProgress& progress) {
  if (auto checked = check_store_url(where.url); !checked) return std::move(checked).error();
  if (base.state_keyspaces.empty()) base.state_keyspaces = domain::domain_keyspaces();
  if (where.postgres()) return open_postgres(where, access, base, progress);
  return open_rocksdb(where, access, std::move(base));
}

}  // namespace ledger::replay
