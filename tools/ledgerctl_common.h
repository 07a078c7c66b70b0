// What ledgerctl's commands share: options, failing with exit code 2, opening the store of a data
// directory, and JSON requests to a running ledgerd.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "core/store/rocksdb_event_log.h"

namespace ledger::tools {

struct CommonOptions {
  std::string data_dir;
  std::string format = "human";
};

// Parses --data-dir (required) and --format; false when --help was shown.
bool parse(int argc, char** argv, CommonOptions* common, const char* title);

[[noreturn]] void fail(const std::string& message);

// The store of `data_dir` (DATA_DIR/store); fails (exit 2) when missing or locked.
std::unique_ptr<store::RocksDbEventLog> open_store(const std::string& data_dir, bool read_only);
inline std::unique_ptr<store::RocksDbEventLog> open_store(const CommonOptions& common,
                                                          bool read_only) {
  return open_store(common.data_dir, read_only);
}

// Sends `method` (GET or POST) `path` with an admin's bearer token to the server at `url`
// ("http://HOST:PORT"); answers (status, body). Fails (exit 2) when the server cannot be reached.
std::pair<unsigned, std::string> request_json(const std::string& url, const std::string& token,
                                              const std::string& method, const std::string& path,
                                              const std::string& body = "");

}  // namespace ledger::tools
