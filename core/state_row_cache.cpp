#include "core/state_row_cache.h"

namespace ledger {

const StateRowCache::Value* StateRowCache::find(std::string_view keyspace,
                                                std::string_view key) const {
  for (const auto& space : keyspaces_) {
    if (space.name != keyspace) continue;
    auto it = space.rows.find(key);
    return it == space.rows.end() ? nullptr : &it->second;
  }
  return nullptr;
}

StateRowCache::Rows& StateRowCache::rows_of(std::string_view keyspace) {
  for (auto& space : keyspaces_) {
    if (space.name == keyspace) return space.rows;
  }
  return keyspaces_.emplace_back(Keyspace{std::string(keyspace), {}}).rows;
}

void StateRowCache::make_room() {
  if (entries_ >= entries_max_) clear();
}

void StateRowCache::put(std::string_view keyspace, std::string_view key, Value value) {
  Rows* rows = &rows_of(keyspace);
  if (auto it = rows->find(key); it != rows->end()) {
    it->second = std::move(value);
    return;
  }
  make_room();
  rows->emplace(std::string(key), std::move(value));
  ++entries_;
}

void StateRowCache::take_all(StateRowCache& other) {
  for (auto& space : other.keyspaces_) {
    if (space.rows.empty()) continue;
    Rows* rows = &rows_of(space.name);
    while (!space.rows.empty()) {
      // Moved as nodes: neither the key nor the value is copied.
      auto node = space.rows.extract(space.rows.begin());
      if (auto it = rows->find(node.key()); it != rows->end()) {
        it->second = std::move(node.mapped());
        continue;
      }
      make_room();
      rows->insert(std::move(node));
      ++entries_;
    }
  }
  other.entries_ = 0;
}

void StateRowCache::clear() {
  for (auto& space : keyspaces_) space.rows.clear();
  entries_ = 0;
}

}  // namespace ledger
