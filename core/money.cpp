#include "core/money.h"

#include <fmt/format.h>

namespace ledger {
namespace {

Error overflow() { return make_error(Errc::amount_overflow, "the amount is too large"); }

Error malformed() {
  return make_error(Errc::invalid_argument,
                    "amount must be a decimal string with at most two decimal places, such as "
                    "\"50.00\"");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Money> Money::checked_add(Money other) const {
  std::int64_t sum;
  if (__builtin_add_overflow(minor_, other.minor_, &sum)) return overflow();
  return Money(sum);
}

Result<Money> Money::checked_sub(Money other) const {
  std::int64_t difference;
  if (__builtin_sub_overflow(minor_, other.minor_, &difference)) return overflow();
  return Money(difference);
}

Result<Money> Money::checked_negate() const {
  if (minor_ == INT64_MIN) return overflow();
  return Money(-minor_);
}

Money Money::operator+(Money other) const {
  auto sum = checked_add(other);
  LEDGER_ASSERT(sum.ok(), "money addition overflowed");
  return *sum;
}

Money Money::operator-(Money other) const {
  auto difference = checked_sub(other);
  LEDGER_ASSERT(difference.ok(), "money subtraction overflowed");
  return *difference;
}

Money Money::operator-() const {
  auto negated = checked_negate();
  LEDGER_ASSERT(negated.ok(), "money negation overflowed");
  return *negated;
}

Result<Money> Money::parse(std::string_view text) {
  if (text.empty()) return make_error(Errc::invalid_argument, "amount is empty");
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty()) return malformed();
  for (const char c : whole) {
    if (!is_digit(c)) return malformed();
  }
  if (whole.size() > 1 && whole.front() == '0') return malformed();
  if (dot != std::string_view::npos) {
    if (fraction.empty()) return malformed();
    for (const char c : fraction) {
      if (!is_digit(c)) return malformed();
    }
    if (fraction.size() > 2) {
      return make_error(Errc::invalid_argument, "amount has more than two decimal places");
    }
  }
  // kApiAmountMinorMax has 10 whole digits; more can only be too large (and could overflow).
  if (whole.size() > 10) {
    return make_error(Errc::invalid_argument, "amount is above the maximum of 1000000000.00");
  }
  std::int64_t minor = 0;
  for (const char c : whole) minor = minor * 10 + (c - '0');
  minor *= 100;
  if (fraction.size() >= 1) minor += (fraction[0] - '0') * 10;
  if (fraction.size() == 2) minor += fraction[1] - '0';
  if (minor > kApiAmountMinorMax) {
    return make_error(Errc::invalid_argument, "amount is above the maximum of 1000000000.00");
  }
  return Money(minor);
}

Result<Money> Money::parse_positive(std::string_view text) {
  auto amount = parse(text);
  if (amount && amount->is_zero()) {
    return make_error(Errc::invalid_argument, "amount must be greater than zero");
  }
  return amount;
}

std::string Money::format() const {
  // Work in unsigned so that INT64_MIN has a magnitude.
  const bool negative = minor_ < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(minor_ + 1)) + 1 : static_cast<std::uint64_t>(minor_);
  return fmt::format("{}{}.{:02}", negative ? "-" : "", magnitude / 100, magnitude % 100);
}

}  // namespace ledger
