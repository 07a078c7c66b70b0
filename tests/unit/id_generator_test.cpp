#include <doctest/doctest.h>

#include <set>

#include "core/id_generator.h"

namespace ledger {
namespace {

TEST_CASE("ids are well-formed, unique and increase even within one millisecond") {
  ManualClock clock(1'795'428'000'000'000);
  IdGenerator ids(clock);
  std::string previous;
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    if (i % 1000 == 0) clock.advance_us(1000);
    const std::string id = ids.next();
    CHECK(is_well_formed_id(id));
    CHECK(id > previous);
    previous = id;
    seen.insert(id);
  }
  CHECK(seen.size() == 10'000);
}

TEST_CASE("ids sort by the time they were made") {
  ManualClock clock(1'795'428'000'000'000);
  IdGenerator ids(clock);
  const std::string early = ids.next();
  clock.advance_us(5'000);
  CHECK(ids.next() > early);
}

TEST_CASE("strings that are not ids are recognised") {
  CHECK_FALSE(is_well_formed_id(""));
  CHECK_FALSE(is_well_formed_id("01J0000000000000000000000"));   // 25 characters
  CHECK_FALSE(is_well_formed_id("01J000000000000000000000IL"));  // ambiguous letters
  CHECK_FALSE(is_well_formed_id("81J0000000000000000000000A"));  // above 128 bits
}

}  // namespace
}  // namespace ledger
