// The column families of the RocksDB event log: their names, their options, and the
// generations of inline keyspaces.
//
// A keyspace's rows live in the family "state.<keyspace>" (generation 0) or, once rebuilt,
// "state.<keyspace>#<generation>". The meta family's row "generation/<keyspace>" names the active
// generation (absent: 0); any other generation of a keyspace found on open is what a rebuild left
// unfinished or replaced, and is dropped.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/store/store_options.h"

namespace ledger::store {

inline constexpr char kEventsFamily[] = "events";
inline constexpr char kStreamsFamily[] = "streams";
inline constexpr char kIdempotencyFamily[] = "idempotency";
inline constexpr char kMetaFamily[] = "meta";
inline constexpr char kStatePrefix[] = "state.";
inline constexpr char kFormatKey[] = "format_version";
inline constexpr char kFormatVersion[] = "1";

Error to_error(const rocksdb::Status& status, std::string_view what);

std::shared_ptr<rocksdb::Cache> shared_block_cache(std::size_t bytes);

rocksdb::ColumnFamilyOptions family_options(const std::string& name, const StoreOptions& options,
                                            const std::shared_ptr<rocksdb::Cache>& cache);

// "state.<keyspace>" for generation 0, "state.<keyspace>#<generation>" after.
std::string state_family_name(std::string_view keyspace, std::uint64_t generation);

struct StateFamily {
  std::string keyspace;
  std::uint64_t generation = 0;
};
// The keyspace and generation of a state family's name; nullopt for other families.
std::optional<StateFamily> parse_state_family(std::string_view name);

// The meta row naming a keyspace's active generation.
std::string generation_meta_key(std::string_view keyspace);
// The meta key of a keyspace's fold version (written with its generation by a rebuild).
std::string version_meta_key(std::string_view keyspace);

}  // namespace ledger::store
