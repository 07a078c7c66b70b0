#include "replay/inline_comparison.h"

#include "replay/log_fold.h"

namespace ledger::replay {

Result<InlineComparison> compare_inline(const store::EventLog& log,
                                        std::span<const domain::InlineFold* const> folds,
                                        const std::string& scratch_directory,
                                        const std::function<void(std::uint64_t)>& on_position,
                                        std::size_t max_reported) {
  std::vector<std::string> keyspaces;
  for (const auto* fold : folds) keyspaces.emplace_back(fold->keyspace);
  auto scratch = ScratchStore::open(scratch_directory, keyspaces);
  if (!scratch) return std::move(scratch).error();

  const std::uint64_t head = log.head().position;
  if (auto folded = fold_log(log, folds, **scratch, head, on_position); !folded) {
    return std::move(folded).error();
  }
  return compare_folded_rows(log, folds, **scratch, head, max_reported);
}

Result<InlineComparison> compare_folded_rows(const store::EventLog& log,
                                             std::span<const domain::InlineFold* const> folds,
                                             const ScratchStore& scratch, std::uint64_t events,
                                             std::size_t max_reported) {
  InlineComparison result;
  result.events = events;

  auto differ = [&](std::string_view keyspace, std::string_view key, const char* kind) {
    ++result.differences;
    if (result.first.size() < max_reported) {
      result.first.push_back({std::string(keyspace), std::string(key), kind});
    }
  };
  for (const auto* fold : folds) {
    const std::string_view keyspace = fold->keyspace;
    Status failure;
    auto stored = log.scan_state(keyspace, "", store::ReadDirection::forward,
                                 [&](std::string_view key, std::string_view value) {
                                   ++result.rows;
                                   auto expected = scratch.get(keyspace, key);
                                   if (!expected) {
                                     failure = std::move(expected).error();
                                     return false;
                                   }
                                   if (!expected->has_value()) {
                                     differ(keyspace, key, "unexpected");
                                   } else if (**expected != value) {
                                     differ(keyspace, key, "differs");
                                   }
                                   return true;
                                 });
    if (!stored) return std::move(stored).error();
    if (!failure) return std::move(failure).error();
    auto folded = scratch.log().scan_state(keyspace, "", store::ReadDirection::forward,
                                           [&](std::string_view key, std::string_view) {
                                             auto present = log.read_state(keyspace, key);
                                             if (!present) {
                                               failure = std::move(present).error();
                                               return false;
                                             }
                                             if (!present->has_value()) {
                                               ++result.rows;
                                               differ(keyspace, key, "missing");
                                             }
                                             return true;
                                           });
    if (!folded) return std::move(folded).error();
    if (!failure) return std::move(failure).error();
  }
  return result;
}

}  // namespace ledger::replay
