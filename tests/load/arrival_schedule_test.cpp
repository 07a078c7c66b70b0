// ArrivalSchedule: arrivals of all connections evenly spaced at the rate, each connection's at
// connections / rate, and the count due within a run.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "tools/load/arrival_schedule.h"

namespace ledger::load {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST_CASE("one connection at 1000 requests per second sends every millisecond") {
  const ArrivalSchedule schedule(1000, 1);
  CHECK(schedule.intended_offset(0, 0) == nanoseconds(0));
  CHECK(schedule.intended_offset(0, 1) == nanoseconds(1'000'000));
  CHECK(schedule.intended_offset(0, 999) == nanoseconds(999'000'000));
}

TEST_CASE("the arrivals of all connections together are evenly spaced at the rate") {
  const ArrivalSchedule schedule(64'000, 64);
  std::vector<nanoseconds> arrivals;
  for (std::uint64_t connection = 0; connection < 64; ++connection) {
    for (std::uint64_t index = 0; index < 100; ++index) {
      arrivals.push_back(schedule.intended_offset(connection, index));
    }
  }
  std::sort(arrivals.begin(), arrivals.end());
  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    CAPTURE(i);
    CHECK(arrivals[i] - arrivals[i - 1] == nanoseconds(15'625));  // 1 s / 64,000
  }
}

TEST_CASE("each connection sends at the rate divided by the connections") {
  const ArrivalSchedule schedule(1600, 16);
  for (std::uint64_t connection = 0; connection < 16; ++connection) {
    CAPTURE(connection);
    CHECK(schedule.intended_offset(connection, 5) - schedule.intended_offset(connection, 4) ==
          nanoseconds(10'000'000));  // 100 per second each
  }
}

TEST_CASE("a rate that does not divide a second keeps the total on time without drift") {
  const ArrivalSchedule schedule(3, 1);
  CHECK(schedule.intended_offset(0, 1) == nanoseconds(333'333'333));
  CHECK(schedule.intended_offset(0, 2) == nanoseconds(666'666'666));
  CHECK(schedule.intended_offset(0, 3) == seconds(1));
  CHECK(schedule.intended_offset(0, 3'000'000) == seconds(1'000'000));
}

TEST_CASE("the requests due in a run add up to rate times duration over the connections") {
  for (std::uint64_t connections : {1, 3, 16, 64, 1000}) {
    CAPTURE(connections);
    const ArrivalSchedule schedule(10'000, connections);
    std::uint64_t total = 0;
    for (std::uint64_t connection = 0; connection < connections; ++connection) {
      const std::uint64_t due = schedule.requests_due_before(connection, seconds(3));
      total += due;
      // The last one due is before the end, the next one is not.
      if (due > 0) CHECK(schedule.intended_offset(connection, due - 1) < seconds(3));
      CHECK(schedule.intended_offset(connection, due) >= seconds(3));
    }
    CHECK(total == 30'000);
  }
}

TEST_CASE("nothing is due in an empty run, and the first arrival is due in any other") {
  const ArrivalSchedule schedule(10, 4);
  CHECK(schedule.requests_due_before(0, nanoseconds(0)) == 0);
  CHECK(schedule.requests_due_before(0, nanoseconds(1)) == 1);
  CHECK(schedule.requests_due_before(1, nanoseconds(1)) == 0);  // due at 100 ms
  CHECK(schedule.requests_due_before(1, nanoseconds(100'000'001)) == 1);
}

TEST_CASE("schedules far into a long run do not overflow") {
  const ArrivalSchedule schedule(1'000'000, 64);
  // 10^12 arrivals: 10^6 seconds in.
  CHECK(schedule.intended_offset(0, 15'625'000'000) == seconds(1'000'000));
  CHECK(schedule.requests_due_before(0, seconds(1'000'000)) == 15'625'000'000);
}

}  // namespace
}  // namespace ledger::load
