// StateRowCache: rows keyed by (keyspace, key), absent rows remembered, bounded by dropping
// every row, and batches of rows moved in whole.
#include <doctest/doctest.h>

#include <string>

#include "core/state_row_cache.h"

namespace ledger {
namespace {

std::string value_of(const StateRowCache& cache, std::string_view keyspace, std::string_view key) {
  const auto* row = cache.find(keyspace, key);
  if (row == nullptr) return "<not cached>";
  return row->has_value() ? **row : "<absent>";
}

TEST_CASE("a row is found under its keyspace and key only") {
  StateRowCache cache(100);
  CHECK(cache.find("accounts", "w1") == nullptr);
  cache.put("accounts", "w1", std::string("10"));
  cache.put("codes", "w1", std::string("other"));
  cache.put("accounts", "w2", std::nullopt);
  CHECK(value_of(cache, "accounts", "w1") == "10");
  CHECK(value_of(cache, "codes", "w1") == "other");
  CHECK(value_of(cache, "accounts", "w2") == "<absent>");
  CHECK(value_of(cache, "codes", "w2") == "<not cached>");
  CHECK(value_of(cache, "account", "sw1") == "<not cached>");
  CHECK(cache.size() == 3);
}

TEST_CASE("keys with NUL bytes and an empty key are rows like any other") {
  StateRowCache cache(100);
  const std::string with_nul("a\0b", 3);
  cache.put("k", with_nul, std::string("1"));
  cache.put("k", "a", std::string("2"));
  cache.put("k", "", std::string("3"));
  CHECK(value_of(cache, "k", with_nul) == "1");
  CHECK(value_of(cache, "k", "a") == "2");
  CHECK(value_of(cache, "k", "") == "3");
  CHECK(value_of(cache, "k", std::string_view("a\0", 2)) == "<not cached>");
}

TEST_CASE("putting a cached row replaces it without counting it twice") {
  StateRowCache cache(100);
  cache.put("accounts", "w1", std::string("10"));
  cache.put("accounts", "w1", std::nullopt);
  cache.put("accounts", "w1", std::string("12"));
  CHECK(value_of(cache, "accounts", "w1") == "12");
  CHECK(cache.size() == 1);
}

TEST_CASE("a row added to a full cache drops every row first") {
  StateRowCache cache(2);
  cache.put("accounts", "w1", std::string("1"));
  cache.put("codes", "c1", std::string("2"));
  cache.put("accounts", "w1", std::string("3"));  // a replacement needs no room
  CHECK(cache.size() == 2);
  cache.put("accounts", "w2", std::string("4"));
  CHECK(cache.size() == 1);
  CHECK(value_of(cache, "accounts", "w1") == "<not cached>");
  CHECK(value_of(cache, "codes", "c1") == "<not cached>");
  CHECK(value_of(cache, "accounts", "w2") == "4");
}

TEST_CASE("take_all moves a batch's rows in, replacing older ones, and empties the batch") {
  StateRowCache cache(100);
  cache.put("accounts", "w1", std::string("old"));
  cache.put("accounts", "w2", std::string("kept"));
  StateRowCache batch(100);
  batch.put("accounts", "w1", std::string("new"));
  batch.put("codes", "c1", std::nullopt);
  cache.take_all(batch);
  CHECK(value_of(cache, "accounts", "w1") == "new");
  CHECK(value_of(cache, "accounts", "w2") == "kept");
  CHECK(value_of(cache, "codes", "c1") == "<absent>");
  CHECK(cache.size() == 3);
  CHECK(batch.size() == 0);
  CHECK(batch.find("accounts", "w1") == nullptr);
  batch.put("accounts", "w3", std::string("next batch"));
  CHECK(value_of(batch, "accounts", "w3") == "next batch");
}

TEST_CASE("take_all into a cache that fills up keeps the bound and the newest rows") {
  StateRowCache cache(3);
  cache.put("accounts", "w1", std::string("1"));
  cache.put("accounts", "w2", std::string("2"));
  StateRowCache batch(100);
  for (int i = 0; i < 5; ++i) batch.put("codes", "c" + std::to_string(i), std::to_string(i));
  cache.take_all(batch);
  CHECK(cache.size() <= 3);
  CHECK(cache.size() >= 1);
  int found = 0;
  for (int i = 0; i < 5; ++i) {
    const auto value = value_of(cache, "codes", "c" + std::to_string(i));
    if (value == "<not cached>") continue;
    CHECK(value == std::to_string(i));  // whatever stays is right
    ++found;
  }
  CHECK(found == static_cast<int>(cache.size()));
  CHECK(value_of(cache, "accounts", "w1") == "<not cached>");
}

TEST_CASE("clear drops every row and the cache fills again") {
  StateRowCache cache(10);
  cache.put("accounts", "w1", std::string("1"));
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK(cache.find("accounts", "w1") == nullptr);
  cache.put("accounts", "w1", std::string("2"));
  CHECK(value_of(cache, "accounts", "w1") == "2");
}

}  // namespace
}  // namespace ledger
