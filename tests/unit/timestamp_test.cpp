#include <doctest/doctest.h>

#include "events/timestamp.h"

namespace ledger::events {
namespace {

TEST_CASE("times format as RFC 3339 UTC, with microseconds only when present") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(1'795'428'000'000'000) == "2026-11-23T10:00:00Z");
  CHECK(format_rfc3339(1'795'428'000'000'123) == "2026-11-23T10:00:00.000123Z");
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("RFC 3339 parsing accepts Z, offsets and fractions, and round-trips") {
  CHECK(parse_rfc3339("2026-11-23T10:00:00Z") == 1'795'428'000'000'000);
  CHECK(parse_rfc3339("2026-11-23T11:30:00+01:30") == 1'795'428'000'000'000);
  CHECK(parse_rfc3339("2026-11-23T10:00:00.5Z") == 1'795'428'000'500'000);
  for (std::int64_t t : {0LL, 1LL, 999'999LL, 1'795'428'000'000'123LL, -5'000'001LL}) {
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
  }
}

TEST_CASE("malformed times are refused") {
  for (const char* text :
       {"", "2026-11-23", "2026-11-23T10:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00.1234567Z",
        "2026-11-23 10:00:00Z", "2026-11-23T10:00:00Zjunk", "26-11-23T10:00:00Z"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_rfc3339(text).has_value());
  }
}

TEST_CASE("dates parse to midnight UTC and format back") {
  CHECK(parse_date("2026-11-23") == 1'795'392'000'000'000);
  CHECK(format_date(1'795'428'000'000'000) == "2026-11-23");
  CHECK_FALSE(parse_date("2026-11-23T00:00:00Z").has_value());
  CHECK_FALSE(parse_date("2026-11-31").has_value());
}

}  // namespace
}  // namespace ledger::events
