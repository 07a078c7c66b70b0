// Money: an amount in integer minor units (cents) of the ledger's one currency, USD.
//
// There is no floating point anywhere near an amount. Arithmetic that a caller can provoke is
// checked (`checked_add`, `checked_sub`, `checked_negate` return amount_overflow instead of
// wrapping); the plain operators are for sums that cannot overflow by construction and assert.
// Parsing from and formatting to the API's decimal strings ("50.00") live here and only here.
// A Money is a plain value: copy it freely, share it between threads.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/assert.h"
#include "core/result.h"

namespace ledger {

class Money {
 public:
  // The largest amount the API accepts: "1000000000.00".
  static constexpr std::int64_t kApiAmountMinorMax = 100'000'000'000;

  constexpr Money() = default;
  static constexpr Money from_minor(std::int64_t minor) { return Money(minor); }
  static constexpr Money zero() { return Money(0); }

  constexpr std::int64_t minor() const { return minor_; }
  constexpr bool is_zero() const { return minor_ == 0; }
  constexpr bool is_negative() const { return minor_ < 0; }
  constexpr bool is_positive() const { return minor_ > 0; }

  constexpr auto operator<=>(const Money&) const = default;

  // Sum/difference/negation, or amount_overflow when the result does not fit in int64.
  Result<Money> checked_add(Money other) const;
  Result<Money> checked_sub(Money other) const;
  Result<Money> checked_negate() const;

  // For arithmetic that cannot overflow by construction; overflow aborts (a bug).
  Money operator+(Money other) const;
  Money operator-(Money other) const;
  Money operator-() const;

  // Parses the API's decimal form: "0" or digits without a leading zero, optionally "." and one
  // or two digits, at most "1000000000.00". Refuses (invalid_argument, with a sentence saying
  // why) empty strings, signs, spaces, exponents, NaN/inf, separators, ".5", "5.", "05", more
  // than two decimals and anything above the maximum. Zero is accepted.
  static Result<Money> parse(std::string_view text);
  // As `parse`, and refuses zero ("must be greater than zero").
  static Result<Money> parse_positive(std::string_view text);

  // Always two decimals: "50.00", "0.05", "-12.30".
  std::string format() const;

 private:
  constexpr explicit Money(std::int64_t minor) : minor_(minor) {}
  std::int64_t minor_ = 0;
};

}  // namespace ledger
