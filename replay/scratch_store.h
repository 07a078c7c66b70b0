// ScratchStore: a throwaway RocksDB store for folding the log apart from the live rows (the
// audit's comparison, `ledger-audit state`). Its directory must not exist; it is removed when the
// ScratchStore ends, however it ends.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/store/event_log.h"

namespace ledger::replay {

class ScratchStore final : public store::FreshRows {
 public:
  static Result<std::unique_ptr<ScratchStore>> open(const std::string& directory,
                                                    std::span<const std::string> keyspaces);
  ~ScratchStore() override;

  Result<std::optional<std::string>> get(std::string_view keyspace,
                                         std::string_view key) const override;
  Status write(std::span<const store::StateWrite> writes) override;
  const store::EventLog& log() const { return *log_; }

 private:
  ScratchStore(std::string directory, std::unique_ptr<store::EventLog> log)
      : directory_(std::move(directory)), log_(std::move(log)) {}
  std::string directory_;
  std::unique_ptr<store::EventLog> log_;
};

}  // namespace ledger::replay
