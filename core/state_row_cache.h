// StateRowCache: inline state rows keyed by (keyspace, key), as the sequencer remembers them
// between reads. A row is either a value or known to be absent (nullopt). Lookups take the two
// parts as views and build no key: the rows of each keyspace are one hash map searched with the
// row key itself, and the few keyspaces are searched in a short list.
//
// Bounded: a row added when the cache holds `entries_max` rows first drops every row (the cache
// refills from the store as rows are read again).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/string_key_hash.h"

namespace ledger {

class StateRowCache {
 public:
  using Value = std::optional<std::string>;  // nullopt: the row is known to be absent

  explicit StateRowCache(std::size_t entries_max) : entries_max_(entries_max) {}

  // The row's cached value, or nullptr when the row is not cached.
  const Value* find(std::string_view keyspace, std::string_view key) const;
  // Adds or replaces the row.
  void put(std::string_view keyspace, std::string_view key, Value value);
  // Moves every row of `other` into this cache (replacing rows of the same keys); `other` is
  // left empty.
  void take_all(StateRowCache& other);
  void clear();
  std::size_t size() const { return entries_; }

 private:
  using Rows = std::unordered_map<std::string, Value, StringKeyHash, std::equal_to<>>;
  struct Keyspace {
    std::string name;
    Rows rows;
  };
  Rows& rows_of(std::string_view keyspace);
  void make_room();

  std::vector<Keyspace> keyspaces_;  // kept when cleared: only their rows are dropped
  std::size_t entries_ = 0;
  std::size_t entries_max_;
};

}  // namespace ledger
