// Fuzzes Money's parsing, formatting and checked arithmetic (core/money.h).
//
// Properties:
// - `parse` accepts exactly the API's grammar ("0" or digits without a leading zero, optionally
//   "." and one or two digits) up to "1000000000.00", checked against a reference written here
//   independently; every refusal is invalid_argument with a sentence.
// - what `parse` accepts formats to two decimals and parses back to the same amount;
//   `parse_positive` is `parse` without zero.
// - `format` of any int64 (the first 16 bytes read as two amounts) is the exact decimal value, and
//   `checked_add`/`checked_sub`/`checked_negate` agree with 128-bit arithmetic, refusing with
//   amount_overflow exactly when the result leaves int64.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/money.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ledger::Errc;
using ledger::Money;

// The grammar of core/money.h, written as plainly as possible: nullopt when refused.
std::optional<std::int64_t> reference_parse(std::string_view text) {
  std::size_t i = 0;
  __int128 whole = 0;
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  if (text[0] == '0' && text.size() > 1 && text[1] != '.') return std::nullopt;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    whole = whole * 10 + (text[i] - '0');
    if (whole > 10'000'000'000) return std::nullopt;  // far above the maximum already
    ++i;
  }
  std::int64_t cents = 0;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    ++i;
    const std::size_t decimals = text.size() - i;
    if (decimals < 1 || decimals > 2) return std::nullopt;
    for (std::size_t j = i; j < text.size(); ++j) {
      if (text[j] < '0' || text[j] > '9') return std::nullopt;
    }
    cents = (text[i] - '0') * 10 + (decimals == 2 ? text[i + 1] - '0' : 0);
  }
  const __int128 minor = whole * 100 + cents;
  if (minor > Money::kApiAmountMinorMax) return std::nullopt;
  return static_cast<std::int64_t>(minor);
}

// The decimal text of `minor` cents, from 128-bit arithmetic.
std::string reference_format(std::int64_t minor) {
  __int128 value = minor;
  const bool negative = value < 0;
  if (negative) value = -value;
  std::string digits;
  const auto whole = static_cast<unsigned __int128>(value / 100);
  const auto cents = static_cast<int>(value % 100);
  unsigned __int128 rest = whole;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(rest % 10)));
    rest /= 10;
  } while (rest != 0);
  return (negative ? "-" : "") + digits + "." + static_cast<char>('0' + cents / 10) +
         static_cast<char>('0' + cents % 10);
}

void check_parse(std::string_view text) {
  const auto parsed = Money::parse(text);
  const auto expected = reference_parse(text);
  FUZZ_CHECK(parsed.ok() == expected.has_value(),
             "parse and the grammar disagree on \"" + std::string(text) + "\"");
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == Errc::invalid_argument, parsed.error().message);
    FUZZ_CHECK(!parsed.error().message.empty(), "a refusal without a sentence");
    FUZZ_CHECK(!Money::parse_positive(text).ok(), "parse_positive accepts what parse refuses");
    return;
  }
  FUZZ_CHECK(parsed->minor() == *expected,
             "parse gives " + parsed->format() + " for \"" + std::string(text) + "\"");
  const std::string formatted = parsed->format();
  const auto again = Money::parse(formatted);
  FUZZ_CHECK(again.ok() && *again == *parsed, "\"" + formatted + "\" does not parse back");
  const auto positive = Money::parse_positive(text);
  FUZZ_CHECK(positive.ok() == !parsed->is_zero(), "parse_positive and zero disagree");
  if (!positive) FUZZ_CHECK(positive.error().code == Errc::invalid_argument, "zero refusal");
}

void check_arithmetic(std::int64_t a, std::int64_t b) {
  const Money x = Money::from_minor(a);
  const Money y = Money::from_minor(b);
  FUZZ_CHECK(x.format() == reference_format(a), x.format() + " for " + std::to_string(a));

  const __int128 sum = static_cast<__int128>(a) + b;
  const __int128 difference = static_cast<__int128>(a) - b;
  const auto fits = [](__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; };

  const auto added = x.checked_add(y);
  FUZZ_CHECK(added.ok() == fits(sum), "checked_add overflow detection");
  if (added) {
    FUZZ_CHECK(added->minor() == sum, "checked_add result");
  } else {
    FUZZ_CHECK(added.error().code == Errc::amount_overflow, "checked_add error code");
  }

  const auto subtracted = x.checked_sub(y);
  FUZZ_CHECK(subtracted.ok() == fits(difference), "checked_sub overflow detection");
  if (subtracted) {
    FUZZ_CHECK(subtracted->minor() == difference, "checked_sub result");
  } else {
    FUZZ_CHECK(subtracted.error().code == Errc::amount_overflow, "checked_sub error code");
  }

  const auto negated = x.checked_negate();
  FUZZ_CHECK(negated.ok() == (a != INT64_MIN), "checked_negate overflow detection");
  if (negated) FUZZ_CHECK(negated->minor() == -a, "checked_negate result");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_parse(text);
  if (size >= 2 * sizeof(std::int64_t)) {
    std::int64_t a;
    std::int64_t b;
    std::memcpy(&a, data, sizeof a);
    std::memcpy(&b, data + sizeof a, sizeof b);
    check_arithmetic(a, b);
  }
  return 0;
}
