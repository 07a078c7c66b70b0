#include "core/store/rocksdb_families.h"

#include <fmt/format.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <charconv>

namespace ledger::store {
namespace {

// Memtable insert hints: keys with the same "prefix" are inserted next to the previous one
// without a search from the top of the skip list. Events arrive in position order (one hint for
// the whole family); stream index keys arrive in version order within each stream.
class WholeFamilyPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ledger.WholeFamilyPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 0);
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

class StreamIdPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "ledger.StreamIdPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

}  // namespace

Error to_error(const rocksdb::Status& status, std::string_view what) {
  if (status.IsCorruption()) {
    return make_error(Errc::corruption, fmt::format("{}: {}", what, status.ToString()));
  }
  return make_error(Errc::io_error, fmt::format("{}: {}", what, status.ToString()));
}

std::shared_ptr<rocksdb::Cache> shared_block_cache(std::size_t bytes) {
  return rocksdb::NewLRUCache(bytes);
}

rocksdb::ColumnFamilyOptions family_options(const std::string& name, const StoreOptions& options,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions family;
  family.write_buffer_size = options.write_buffer_bytes;
  family.level_compaction_dynamic_level_bytes = true;
  // Recent data stays uncompressed for speed; older levels use LZ4, cheap to read back.
  family.compression = rocksdb::kLZ4Compression;
  family.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 * 1024;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  if (name != kStreamsFamily) {
    // Point lookups (events by position, state and idempotency keys) skip files by bloom filter;
    // the streams family is read by seeks, where whole-key filters do not help.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // A full filter of a large table (12 MiB for 10M keys) is bigger than a block-cache shard,
    // so it was read and checksummed again on every lookup. Partitioned filters and indexes
    // cache in metadata-block pieces; the small top level of each stays pinned.
    table.partition_filters = true;
    table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
    table.metadata_block_size = 4096;
    table.pin_top_level_index_and_filter = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
  }
  if (name == kEventsFamily) {
    // Events are only looked up by positions that exist: no need for filters on the last level.
    family.optimize_filters_for_hits = true;
    family.memtable_insert_with_hint_prefix_extractor = std::make_shared<WholeFamilyPrefix>();
  }
  if (name == kStreamsFamily) {
    family.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamIdPrefix>();
  }
  if (name.starts_with(kStatePrefix)) {
    // State rows are written in key order (a batch's rows are sorted), so each insert starts
    // from the previous one and climbs only as far as the keys are apart.
    family.memtable_insert_with_hint_prefix_extractor = std::make_shared<WholeFamilyPrefix>();
  }
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return family;
}

std::string state_family_name(std::string_view keyspace, std::uint64_t generation) {
  if (generation == 0) return fmt::format("{}{}", kStatePrefix, keyspace);
  return fmt::format("{}{}#{}", kStatePrefix, keyspace, generation);
}

std::optional<StateFamily> parse_state_family(std::string_view name) {
  const std::string_view prefix = kStatePrefix;
  if (!name.starts_with(prefix)) return std::nullopt;
  name.remove_prefix(prefix.size());
  StateFamily family;
  const auto hash = name.rfind('#');
  if (hash == std::string_view::npos) {
    family.keyspace = std::string(name);
    return family;
  }
  const std::string_view digits = name.substr(hash + 1);
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), family.generation);
  if (error != std::errc() || end != digits.data() + digits.size() || family.generation == 0) {
    family.keyspace = std::string(name);  // a keyspace whose name holds '#'
    family.generation = 0;
    return family;
  }
  family.keyspace = std::string(name.substr(0, hash));
  return family;
}

std::string generation_meta_key(std::string_view keyspace) {
  return fmt::format("generation/{}", keyspace);
}

std::string version_meta_key(std::string_view keyspace) {
  return fmt::format("fold-version/{}", keyspace);
}

}  // namespace ledger::store
