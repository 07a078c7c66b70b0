#include "replay/scratch_store.h"

#include <filesystem>

#include "core/store/rocksdb_event_log.h"

namespace ledger::replay {

Result<std::unique_ptr<ScratchStore>> ScratchStore::open(const std::string& directory,
                                                         std::span<const std::string> keyspaces) {
  std::error_code error;
  if (std::filesystem::exists(directory, error)) {
    return make_error(Errc::invalid_argument,
                      "the scratch directory " + directory + " already exists");
  }
  store::StoreOptions options;
  options.path = directory;
  options.block_cache_bytes = 64ull << 20;
  options.state_keyspaces.assign(keyspaces.begin(), keyspaces.end());
  auto log = store::RocksDbEventLog::open(options);
  if (!log) {
    std::filesystem::remove_all(directory, error);
    return std::move(log).error();
  }
  return std::unique_ptr<ScratchStore>(new ScratchStore(directory, std::move(log).value()));
}

ScratchStore::~ScratchStore() {
  log_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

Result<std::optional<std::string>> ScratchStore::get(std::string_view keyspace,
                                                     std::string_view key) const {
  return log_->read_state(keyspace, key);
}

Status ScratchStore::write(std::span<const store::StateWrite> writes) {
  return log_->write_state(writes);
}

}  // namespace ledger::replay
