// StoreOptions: every tunable and limit of the RocksDB event log, with its default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace ledger::store {

struct StoreOptions {
  // Directory of the RocksDB database (created when missing).
  std::string path;

  // Inline read-model keyspaces (one column family each) that commits may write to. Keyspaces
  // found in an existing database are opened too, declared or not.
  std::vector<std::string> state_keyspaces;

  // Open without the ability to append (for audit and inspection). Another process may hold the
  // database open for writing only when `secondary_path` is also set.
  bool read_only = false;
  // With read_only: open as a RocksDB secondary instance that keeps its own info log here and can
  // catch up with a live primary (`EventLog` reads then see the primary's writes as of open).
  std::string secondary_path;

  // Records whose hash chain is checked when the store opens (the tail of the log).
  std::size_t verify_tail_records_on_open = 4096;

  // Limits on what one append may carry.
  std::size_t commits_per_append_max = 65'536;
  std::size_t events_per_commit_max = 4'096;
  std::size_t stream_id_bytes_max = 256;
  std::size_t event_type_bytes_max = 128;
  std::size_t payload_bytes_max = 1 << 20;
  std::size_t idempotency_key_bytes_max = 512;
  std::size_t read_limit_max = 10'000;

  // RocksDB memory: one block cache shared by every column family, and the memtable size.
  std::size_t block_cache_bytes = 256ull << 20;
  std::size_t write_buffer_bytes = 64ull << 20;

  // The file system under the store; null means the operating system's. Tests put a wrapper here
  // that injects faults (tests/support/power_loss_file_system.h); it must outlive the store.
  rocksdb::Env* env = nullptr;
};

}  // namespace ledger::store
