#include "replay/read_model_rebuild.h"

#include <vector>

#include "core/domain/keyspaces.h"
#include "replay/balance_replay.h"

namespace ledger::replay {

Result<ReadModelRebuild> rebuild_account_balances(
    store::EventLog& log, const std::function<void(std::uint64_t)>& on_position) {
  const std::uint64_t head = log.head().position;
  auto replayed = replay_balances(log, head, on_position);
  if (!replayed) return std::move(replayed).error();
  auto stored = stored_balances(log);
  if (!stored) return std::move(stored).error();

  ReadModelRebuild result;
  result.events = head;
  result.rows = replayed->size();
  std::vector<store::StateWrite> writes;
  for (const auto& [account, state] : *replayed) {
    const auto found = stored->find(account);
    const std::string bytes = state.SerializeAsString();
    if (found != stored->end() && found->second.SerializeAsString() == bytes) continue;
    writes.push_back({std::string(domain::kAccountsKeyspace), account, bytes});
    ++result.rows_changed;
  }
  for (const auto& [account, state] : *stored) {
    if (replayed->contains(account)) continue;
    writes.push_back({std::string(domain::kAccountsKeyspace), account, std::nullopt});
    ++result.rows_removed;
  }
  if (log.head().position != head) {
    return make_error(Errc::version_conflict,
                      "the log grew during the rebuild: stop the server and run it again");
  }
  if (!writes.empty()) {
    if (auto written = log.write_state(writes); !written) return std::move(written).error();
  }
  return result;
}

}  // namespace ledger::replay
