#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/money.h"

namespace ledger {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

Money minor(std::int64_t value) { return Money::from_minor(value); }

// The minor units `text` parses to; fails the test (and answers a sentinel) when refused.
std::int64_t parsed_minor(const char* text) {
  CAPTURE(text);
  auto amount = Money::parse(text);
  REQUIRE(amount.ok());
  return amount->minor();
}

TEST_CASE("whole amounts and amounts with one or two decimals parse to minor units") {
  CHECK(parsed_minor("0") == 0);
  CHECK(parsed_minor("5") == 500);
  CHECK(parsed_minor("5.5") == 550);
  CHECK(parsed_minor("5.05") == 505);
  CHECK(parsed_minor("50.00") == 5'000);
  CHECK(parsed_minor("0.05") == 5);
  CHECK(parsed_minor("0.5") == 50);
  CHECK(parsed_minor("0.00") == 0);
  CHECK(parsed_minor("123456.78") == 12'345'678);
}

TEST_CASE("the maximum amount 1000000000.00 is accepted, with or without decimals") {
  CHECK(parsed_minor("1000000000.00") == Money::kApiAmountMinorMax);
  CHECK(parsed_minor("1000000000") == Money::kApiAmountMinorMax);
  CHECK(parsed_minor("999999999.99") == Money::kApiAmountMinorMax - 1);
  CHECK(Money::kApiAmountMinorMax == 100'000'000'000);
}

TEST_CASE("malformed or out-of-range amounts are refused as invalid arguments with a sentence") {
  for (const char* text : {
           "",                      // empty
           "1e3",                   // exponent
           "1E3",                   // exponent, upper case
           "0.001",                 // three decimals
           "5.555",                 // three decimals
           "-1",                    // sign
           "+1",                    // sign
           "-0",                    // sign, even on zero
           " 1",                    // leading space
           "1 ",                    // trailing space
           "1\t",                   // trailing tab
           "NaN",                   // not a number
           "nan",                   // not a number
           "inf",                   // infinity
           "Infinity",              // infinity
           "1,000.00",              // thousands separator
           "1_000",                 // digit separator
           "5,5",                   // decimal comma
           ".5",                    // no whole part
           "5.",                    // no fraction after the dot
           ".",                     // only a dot
           "05",                    // leading zero
           "00",                    // leading zero
           "00.50",                 // leading zero
           "1000000000.01",         // one cent above the maximum
           "1000000001",            // one unit above the maximum
           "9999999999.99",         // ten whole digits, above the maximum
           "10000000000",           // eleven whole digits
           "99999999999999999999",  // would overflow int64
           "99999999999999999999999999999999999999",  // far beyond any integer type
           "1.2.3",                 // two dots
           "0x10",                  // hexadecimal
           "１",                    // full-width digit one (U+FF11)
           "٥",                     // Arabic-Indic digit five (U+0665)
           "5a",                    // trailing letter
           "a5",                    // leading letter
       }) {
    CAPTURE(text);
    auto amount = Money::parse(text);
    REQUIRE_FALSE(amount.ok());
    CHECK(amount.error().code == Errc::invalid_argument);
    CHECK_FALSE(amount.error().message.empty());
  }
}

TEST_CASE("an embedded NUL byte is not ignored") {
  const std::string text("5\0", 2);
  auto amount = Money::parse(text);
  REQUIRE_FALSE(amount.ok());
  CHECK(amount.error().code == Errc::invalid_argument);
}

TEST_CASE("positive parsing refuses zero in every spelling and accepts one cent") {
  for (const char* text : {"0", "0.0", "0.00"}) {
    CAPTURE(text);
    auto amount = Money::parse_positive(text);
    REQUIRE_FALSE(amount.ok());
    CHECK(amount.error().code == Errc::invalid_argument);
    CHECK_FALSE(amount.error().message.empty());
  }
  auto cent = Money::parse_positive("0.01");
  REQUIRE(cent.ok());
  CHECK(cent->minor() == 1);
  auto maximum = Money::parse_positive("1000000000.00");
  REQUIRE(maximum.ok());
  CHECK(maximum->minor() == Money::kApiAmountMinorMax);
}

TEST_CASE("positive parsing refuses what plain parsing refuses") {
  for (const char* text : {"", "-1", "1e3", "0.001", "1000000000.01", "05"}) {
    CAPTURE(text);
    auto amount = Money::parse_positive(text);
    REQUIRE_FALSE(amount.ok());
    CHECK(amount.error().code == Errc::invalid_argument);
  }
}

TEST_CASE("formatting always gives two decimals and a sign only when negative") {
  CHECK(minor(5'000).format() == "50.00");
  CHECK(minor(5).format() == "0.05");
  CHECK(minor(-1'230).format() == "-12.30");
  CHECK(minor(0).format() == "0.00");
  CHECK(Money().format() == "0.00");
  CHECK(minor(-5).format() == "-0.05");
  CHECK(minor(1).format() == "0.01");
  CHECK(minor(10).format() == "0.10");
  CHECK(minor(100).format() == "1.00");
  CHECK(minor(Money::kApiAmountMinorMax).format() == "1000000000.00");
}

TEST_CASE("formatting the int64 extremes does not overflow") {
  CHECK(minor(kInt64Max).format() == "92233720368547758.07");
  CHECK(minor(kInt64Min).format() == "-92233720368547758.08");
}

TEST_CASE("formatting and parsing round-trip every API amount") {
  for (std::int64_t value :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{9}, std::int64_t{10}, std::int64_t{99},
        std::int64_t{100}, std::int64_t{101}, std::int64_t{5'550}, std::int64_t{123'456'789},
        Money::kApiAmountMinorMax - 1, Money::kApiAmountMinorMax}) {
    CAPTURE(value);
    auto parsed = Money::parse(minor(value).format());
    REQUIRE(parsed.ok());
    CHECK(parsed->minor() == value);
  }
}

TEST_CASE("checked addition gives the sum, and amount_overflow past either int64 limit") {
  auto sum = minor(250).checked_add(minor(-1'000));
  REQUIRE(sum.ok());
  CHECK(sum->minor() == -750);

  auto at_top = minor(kInt64Max - 1).checked_add(minor(1));
  REQUIRE(at_top.ok());
  CHECK(at_top->minor() == kInt64Max);
  auto at_bottom = minor(kInt64Min + 1).checked_add(minor(-1));
  REQUIRE(at_bottom.ok());
  CHECK(at_bottom->minor() == kInt64Min);
  auto across = minor(kInt64Max).checked_add(minor(kInt64Min));
  REQUIRE(across.ok());
  CHECK(across->minor() == -1);

  auto above = minor(kInt64Max).checked_add(minor(1));
  REQUIRE_FALSE(above.ok());
  CHECK(above.error().code == Errc::amount_overflow);
  auto below = minor(kInt64Min).checked_add(minor(-1));
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == Errc::amount_overflow);
  auto doubled = minor(kInt64Max).checked_add(minor(kInt64Max));
  REQUIRE_FALSE(doubled.ok());
  CHECK(doubled.error().code == Errc::amount_overflow);
}

TEST_CASE("checked subtraction gives the difference, and amount_overflow past either limit") {
  auto difference = minor(250).checked_sub(minor(1'000));
  REQUIRE(difference.ok());
  CHECK(difference->minor() == -750);

  auto at_bottom = minor(kInt64Min + 1).checked_sub(minor(1));
  REQUIRE(at_bottom.ok());
  CHECK(at_bottom->minor() == kInt64Min);
  auto at_top = minor(-1).checked_sub(minor(kInt64Min));
  REQUIRE(at_top.ok());
  CHECK(at_top->minor() == kInt64Max);

  auto below = minor(kInt64Min).checked_sub(minor(1));
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == Errc::amount_overflow);
  auto above = minor(0).checked_sub(minor(kInt64Min));
  REQUIRE_FALSE(above.ok());
  CHECK(above.error().code == Errc::amount_overflow);
  auto above_from_top = minor(kInt64Max).checked_sub(minor(-1));
  REQUIRE_FALSE(above_from_top.ok());
  CHECK(above_from_top.error().code == Errc::amount_overflow);
}

TEST_CASE("checked negation flips the sign, and refuses the one value with no opposite") {
  auto negated = minor(1'230).checked_negate();
  REQUIRE(negated.ok());
  CHECK(negated->minor() == -1'230);
  auto back = minor(-1'230).checked_negate();
  REQUIRE(back.ok());
  CHECK(back->minor() == 1'230);
  auto zero = minor(0).checked_negate();
  REQUIRE(zero.ok());
  CHECK(zero->minor() == 0);
  auto top = minor(kInt64Max).checked_negate();
  REQUIRE(top.ok());
  CHECK(top->minor() == kInt64Min + 1);

  auto bottom = minor(kInt64Min).checked_negate();
  REQUIRE_FALSE(bottom.ok());
  CHECK(bottom.error().code == Errc::amount_overflow);
}

TEST_CASE("the plain operators agree with the checked ones when nothing overflows") {
  CHECK((minor(250) + minor(1'000)).minor() == 1'250);
  CHECK((minor(250) - minor(1'000)).minor() == -750);
  CHECK((-minor(250)).minor() == -250);
}

TEST_CASE("amounts compare by their minor units") {
  CHECK(minor(1) < minor(2));
  CHECK(minor(-2) < minor(-1));
  CHECK(minor(kInt64Min) < minor(kInt64Max));
  CHECK(minor(2) > minor(1));
  CHECK(minor(5) <= minor(5));
  CHECK(minor(5) >= minor(5));
  CHECK(minor(5) == minor(5));
  CHECK(minor(5) != minor(6));
  CHECK_FALSE(minor(6) < minor(5));
  CHECK((minor(3) <=> minor(7)) < 0);
  CHECK((minor(7) <=> minor(7)) == 0);
  CHECK(Money() == Money::zero());
  CHECK(Money::parse("50.00").value() == Money::parse("50").value());

  std::vector<Money> amounts{minor(300), minor(-5), minor(0), minor(12)};
  std::sort(amounts.begin(), amounts.end());
  CHECK(amounts == std::vector<Money>{minor(-5), minor(0), minor(12), minor(300)});
}

TEST_CASE("sign predicates tell zero, negative and positive apart") {
  CHECK(Money::zero().is_zero());
  CHECK_FALSE(Money::zero().is_negative());
  CHECK_FALSE(Money::zero().is_positive());
  CHECK(minor(-1).is_negative());
  CHECK_FALSE(minor(-1).is_zero());
  CHECK_FALSE(minor(-1).is_positive());
  CHECK(minor(1).is_positive());
  CHECK_FALSE(minor(1).is_zero());
  CHECK_FALSE(minor(1).is_negative());
}

}  // namespace
}  // namespace ledger
