// Money: parsing and formatting of the API's decimal strings, and checked arithmetic.
#include <doctest/doctest.h>

#include <limits>

#include "core/money.h"

namespace ledger {
namespace {

TEST_CASE("parse accepts plain decimals with up to two places") {
  CHECK(Money::parse("0").value().minor() == 0);
  CHECK(Money::parse("5").value().minor() == 500);
  CHECK(Money::parse("5.5").value().minor() == 550);
  CHECK(Money::parse("50.00").value().minor() == 5000);
  CHECK(Money::parse("0.01").value().minor() == 1);
  CHECK(Money::parse("0.00").value().minor() == 0);
  CHECK(Money::parse("1000000000.00").value().minor() == Money::kApiAmountMinorMax);
}

TEST_CASE("parse refuses every malformed form with invalid_argument") {
  for (const char* text : {"",
                           "1e3",
                           "1E3",
                           "0.001",
                           "-1",
                           "+1",
                           " 1",
                           "1 ",
                           "NaN",
                           "nan",
                           "inf",
                           "Infinity",
                           "1,000.00",
                           ".5",
                           "5.",
                           "05",
                           "00",
                           "1000000000.01",
                           "99999999999999999999",
                           "1.2.3",
                           "0x10",
                           "\xEF\xBC\x91" /* full-width 1 */,
                           "1_000",
                           "$5",
                           "5.0.",
                           "--1",
                           "12a",
                           "1.a",
                           "\t1"}) {
    CAPTURE(text);
    auto parsed = Money::parse(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == Errc::invalid_argument);
    CHECK_FALSE(parsed.error().message.empty());
  }
}

TEST_CASE("parse_positive refuses zero") {
  CHECK_FALSE(Money::parse_positive("0").ok());
  CHECK_FALSE(Money::parse_positive("0.00").ok());
  CHECK(Money::parse_positive("0.01").value().minor() == 1);
}

TEST_CASE("format always has two decimals") {
  CHECK(Money::from_minor(5000).format() == "50.00");
  CHECK(Money::from_minor(5).format() == "0.05");
  CHECK(Money::from_minor(-1230).format() == "-12.30");
  CHECK(Money::zero().format() == "0.00");
  CHECK(Money::from_minor(Money::kApiAmountMinorMax).format() == "1000000000.00");
  for (std::int64_t minor :
       std::initializer_list<std::int64_t>{0, 1, 99, 100, 123456, Money::kApiAmountMinorMax}) {
    CHECK(Money::parse(Money::from_minor(minor).format()).value().minor() == minor);
  }
}

TEST_CASE("checked arithmetic reports overflow instead of wrapping") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  CHECK(Money::from_minor(2).checked_add(Money::from_minor(3)).value().minor() == 5);
  CHECK(Money::from_minor(2).checked_sub(Money::from_minor(3)).value().minor() == -1);
  CHECK(Money::from_minor(7).checked_negate().value().minor() == -7);
  CHECK(Money::from_minor(kMax).checked_add(Money::from_minor(1)).error().code ==
        Errc::amount_overflow);
  CHECK(Money::from_minor(kMin).checked_sub(Money::from_minor(1)).error().code ==
        Errc::amount_overflow);
  CHECK(Money::from_minor(kMin).checked_negate().error().code == Errc::amount_overflow);
  CHECK(Money::from_minor(kMax).checked_add(Money::from_minor(-1)).value().minor() == kMax - 1);
}

TEST_CASE("amounts compare by value") {
  CHECK(Money::from_minor(1) < Money::from_minor(2));
  CHECK(Money::from_minor(-1) < Money::zero());
  CHECK(Money::from_minor(5) == Money::parse("0.05").value());
  CHECK(Money::from_minor(1).is_positive());
  CHECK(Money::from_minor(-1).is_negative());
  CHECK(Money::zero().is_zero());
}

}  // namespace
}  // namespace ledger
