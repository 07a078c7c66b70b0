#include "replay/inline_comparison.h"

#include <filesystem>

#include "core/store/rocksdb_event_log.h"
#include "replay/log_fold.h"

namespace ledger::replay {
namespace {

// A scratch store's rows as the fold's sink.
class ScratchRows final : public store::FreshRows {
 public:
  explicit ScratchRows(store::EventLog& scratch) : scratch_(scratch) {}
  Result<std::optional<std::string>> get(std::string_view keyspace,
                                         std::string_view key) const override {
    return scratch_.read_state(keyspace, key);
  }
  Status write(std::span<const store::StateWrite> writes) override {
    return scratch_.write_state(writes);
  }

 private:
  store::EventLog& scratch_;
};

// Removes the scratch directory however the comparison ends.
struct ScratchDirectory {
  std::string path;
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

Result<InlineComparison> compare_inline(const store::EventLog& log,
                                        std::span<const domain::InlineFold* const> folds,
                                        const std::string& scratch_directory,
                                        const std::function<void(std::uint64_t)>& on_position,
                                        std::size_t max_reported) {
  std::error_code exists_error;
  if (std::filesystem::exists(scratch_directory, exists_error)) {
    return make_error(Errc::invalid_argument,
                      "the scratch directory " + scratch_directory + " already exists");
  }
  ScratchDirectory cleanup{scratch_directory};
  store::StoreOptions options;
  options.path = scratch_directory;
  options.block_cache_bytes = 64ull << 20;
  for (const auto* fold : folds) options.state_keyspaces.emplace_back(fold->keyspace);
  auto scratch = store::RocksDbEventLog::open(options);
  if (!scratch) return std::move(scratch).error();

  InlineComparison result;
  result.events = log.head().position;
  ScratchRows rows(**scratch);
  if (auto folded = fold_log(log, folds, rows, result.events, on_position); !folded) {
    return std::move(folded).error();
  }

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
                                   auto expected = (*scratch)->read_state(keyspace, key);
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
    auto folded = (*scratch)->scan_state(keyspace, "", store::ReadDirection::forward,
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
