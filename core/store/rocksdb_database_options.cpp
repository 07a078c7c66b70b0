#include "core/store/rocksdb_database_options.h"

#include "core/store/tolerant_info_log.h"

namespace ledger::store {

rocksdb::DBOptions database_options(const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  if (options.env != nullptr) db_options.env = options.env;
  // The primary's info log must survive a full disk (see tolerant_info_log.h).
  if (!options.read_only) db_options.info_log = TolerantInfoLog::open(options.path, 64 << 20);
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_total_wal_size = 512ull << 20;
  db_options.keep_log_file_num = 4;
  db_options.max_open_files = 512;
  // One writer: the concurrent memtable insert path only costs here.
  db_options.allow_concurrent_memtable_write = false;
  db_options.enable_write_thread_adaptive_yield = false;
  return db_options;
}

}  // namespace ledger::store
