// The RocksDB database options of the event log (the per-family options are in
// rocksdb_families.h).
#pragma once

#include <rocksdb/options.h>

#include "core/store/store_options.h"

namespace ledger::store {

// The database-wide options for opening the store at options.path: create what is missing unless
// read-only, recover the WAL to the last whole batch (point in time), and tune for one writer.
// A primary (not read-only) gets an info log that survives a full disk, in options.path, which
// must exist by then.
rocksdb::DBOptions database_options(const StoreOptions& options);

}  // namespace ledger::store
