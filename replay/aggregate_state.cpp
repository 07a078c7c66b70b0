#include "replay/aggregate_state.h"

#include <map>

#include "core/domain/inline_folds.h"
#include "replay/log_fold.h"
#include "replay/scratch_store.h"

namespace ledger::replay {

Result<AggregateState> aggregate_state(const store::EventLog& log, std::string_view stream_id,
                                       std::uint64_t up_to, const std::string& scratch_directory,
                                       const std::function<void(std::uint64_t)>& on_position) {
  const auto folds = domain::all_inline_folds();
  std::vector<std::string> keyspaces;
  keyspaces.reserve(folds.size());
  for (const auto* fold : folds) keyspaces.emplace_back(fold->keyspace);
  auto scratch = ScratchStore::open(scratch_directory, keyspaces);
  if (!scratch) return std::move(scratch).error();

  AggregateState state;
  state.position = std::min(up_to, log.head().position);
  bool ours = false;
  // (keyspace, key) -> the type of its last save (nullptr: last erased).
  std::map<std::pair<std::string, std::string>, const google::protobuf::Descriptor*> written;
  FoldWatch watch;
  watch.on_position = on_position;
  watch.on_event = [&](const events::Envelope& envelope) {
    ours = envelope.stream_id() == stream_id;
    if (ours) {
      ++state.stream_events;
      state.stream_version = envelope.stream_version();
    }
  };
  watch.on_write = [&](std::string_view keyspace, std::string_view key,
                       const google::protobuf::Descriptor* type) {
    auto found = written.find({std::string(keyspace), std::string(key)});
    if (found != written.end()) {
      if (type != nullptr || ours) found->second = type;
    } else if (ours) {
      written.emplace(std::make_pair(std::string(keyspace), std::string(key)), type);
    }
  };
  if (auto folded = fold_log(log, folds, **scratch, state.position, watch); !folded) {
    return std::move(folded).error();
  }
  for (const auto& [row, type] : written) {
    auto value = (*scratch)->get(row.first, row.second);
    if (!value) return std::move(value).error();
    state.rows.push_back(
        {row.first, row.second, value->has_value() ? type : nullptr, std::move(value).value()});
  }
  return state;
}

}  // namespace ledger::replay
