#include "replay/inline_rebuild.h"

#include "replay/log_fold.h"

namespace ledger::replay {

Result<std::uint64_t> count_rows(const store::EventLog& log, std::string_view keyspace) {
  std::uint64_t rows = 0;
  auto scanned = log.scan_state(keyspace, "", store::ReadDirection::forward,
                                [&](std::string_view, std::string_view) {
                                  ++rows;
                                  return true;
                                });
  if (!scanned) return std::move(scanned).error();
  return rows;
}

Result<std::vector<OutdatedFold>> outdated_folds(const store::EventLog& log,
                                                 std::span<const domain::InlineFold* const> folds) {
  std::vector<OutdatedFold> outdated;
  for (const auto* fold : folds) {
    auto stored = log.keyspace_version(fold->keyspace);
    if (!stored) return std::move(stored).error();
    if (*stored != fold->version) outdated.push_back({fold, *stored});
  }
  return outdated;
}

Result<InlineRebuild> rebuild_inline(store::EventLog& log,
                                     std::span<const domain::InlineFold* const> folds,
                                     const std::function<void(std::uint64_t)>& on_position) {
  std::vector<store::KeyspaceRebuild> keyspaces;
  for (const auto* fold : folds) keyspaces.push_back({std::string(fold->keyspace), fold->version});
  const std::uint64_t head = log.head().position;
  auto rebuilt = log.rebuild_keyspaces(keyspaces, [&](store::FreshRows& rows) -> Status {
    if (auto folded = fold_log(log, folds, rows, head, on_position); !folded) return folded;
    if (log.head().position != head) {
      return make_error(Errc::version_conflict,
                        "the log grew during the rebuild: stop the server and run it again");
    }
    return {};
  });
  if (!rebuilt) return std::move(rebuilt).error();
  InlineRebuild result;
  result.events = head;
  for (const auto& keyspace : keyspaces) {
    auto rows = count_rows(log, keyspace.keyspace);
    if (!rows) return std::move(rows).error();
    result.keyspaces.push_back({keyspace.keyspace, *rows});
  }
  return result;
}

}  // namespace ledger::replay
