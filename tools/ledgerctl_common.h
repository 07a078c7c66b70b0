// What ledgerctl's commands share: options, failing with exit code 2, opening the store of a data
// directory, and JSON requests to a running ledgerd.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "core/store/rocksdb_event_log.h"
#include "replay/node_store.h"

namespace ledger::tools {

struct CommonOptions {
  std::string data_dir;
  std::string store;  // postgresql://...: the node's log in PostgreSQL (replay/node_store.h)
  std::string format = "human";
};

// Parses --data-dir (required) and --format; false when --help was shown.
bool parse(int argc, char** argv, CommonOptions* common, const char* title);

[[noreturn]] void fail(const std::string& message);

// The RocksDB store of `data_dir` (DATA_DIR/store), for the commands that work on its files
// (stats, compact, backup, restore); fails (exit 2) when missing or locked.
std::unique_ptr<store::RocksDbEventLog> open_store(const std::string& data_dir, bool read_only);
inline std::unique_ptr<store::RocksDbEventLog> open_store(const CommonOptions& common,
                                                          bool read_only) {
  return open_store(common.data_dir, read_only);
}

// The node's log wherever it is kept (replay/node_store.h): `store` empty for RocksDB under
// `data_dir`, or a postgresql:// URL. Fails (exit 2) when it cannot be opened as asked (a
// writer: while ledgerd runs on the data dir, or another node holds the PostgreSQL writer lease).
std::unique_ptr<store::EventLog> open_node(const std::string& data_dir, const std::string& store,
                                           replay::NodeAccess access);

// Sends `method` (GET or POST) `path` with an admin's bearer token to the server at `url`
// ("http://HOST:PORT"); answers (status, body). Fails (exit 2) when the server cannot be reached.
std::pair<unsigned, std::string> request_json(const std::string& url, const std::string& token,
                                              const std::string& method, const std::string& path,
                                              const std::string& body = "");

}  // namespace ledger::tools
