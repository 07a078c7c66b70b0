// Calendar arithmetic for due dates and monthly renewals.
#include <doctest/doctest.h>

#include "core/domain/calendar.h"
#include "events/timestamp.h"

namespace ledger {
namespace {

TEST_CASE("one month later keeps the day, clamped to the month's end") {
  CHECK(domain::add_one_month("2026-11-23") == "2026-12-23");
  CHECK(domain::add_one_month("2026-12-23") == "2027-01-23");
  CHECK(domain::add_one_month("2026-01-31") == "2026-02-28");
  CHECK(domain::add_one_month("2028-01-31") == "2028-02-29");  // leap year
  CHECK(domain::add_one_month("2100-01-30") == "2100-02-28");  // not a leap year
  CHECK(domain::add_one_month("2026-03-31") == "2026-04-30");
  CHECK_FALSE(domain::add_one_month("2026-13-01"));
  CHECK_FALSE(domain::add_one_month("tomorrow"));
}

TEST_CASE("the end of a date is midnight of the next day") {
  CHECK(domain::end_of_date_us("2026-12-01") == events::parse_rfc3339("2026-12-02T00:00:00Z"));
  CHECK(domain::end_of_date_us("2026-12-31") == events::parse_rfc3339("2027-01-01T00:00:00Z"));
  CHECK_FALSE(domain::end_of_date_us("2026-02-30"));
}

}  // namespace
}  // namespace ledger
