#include "events/timestamp.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace ledger::events {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  std::int64_t quotient = value / divisor;
  if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) --quotient;
  return quotient;
}

// Reads exactly `width` decimal digits at `text[*offset]`.
std::optional<int> read_digits(std::string_view text, std::size_t* offset, std::size_t width) {
  if (*offset + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[*offset + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *offset += width;
  return value;
}

bool expect_char(std::string_view text, std::size_t* offset, char expected) {
  if (*offset >= text.size() || text[*offset] != expected) return false;
  ++*offset;
  return true;
}

std::optional<std::int64_t> days_from_date(int year, int month, int day) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date}.time_since_epoch().count();
}

// Parses "YYYY-MM-DD" at the start of `text`, advancing `offset`.
std::optional<std::int64_t> read_date(std::string_view text, std::size_t* offset) {
  const auto year = read_digits(text, offset, 4);
  if (!year || !expect_char(text, offset, '-')) return std::nullopt;
  const auto month = read_digits(text, offset, 2);
  if (!month || !expect_char(text, offset, '-')) return std::nullopt;
  const auto day = read_digits(text, offset, 2);
  if (!day) return std::nullopt;
  return days_from_date(*year, *month, *day);
}

}  // namespace

std::string format_rfc3339(std::int64_t microseconds_since_epoch) {
  using namespace std::chrono;
  const std::int64_t seconds = floor_div(microseconds_since_epoch, kMicrosPerSecond);
  const std::int64_t micros = microseconds_since_epoch - seconds * kMicrosPerSecond;
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const std::int64_t second_of_day = seconds - days * kSecondsPerDay;
  const year_month_day date{sys_days{std::chrono::days{days}}};
  char buffer[40];
  int length = std::snprintf(
      buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day % 3600 / 60),
      static_cast<int>(second_of_day % 60));
  if (micros != 0) {
    length +=
        std::snprintf(buffer + length, sizeof(buffer) - length, ".%06d", static_cast<int>(micros));
  }
  return std::string(buffer, length) + "Z";
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::size_t offset = 0;
  const auto days = read_date(text, &offset);
  if (!days) return std::nullopt;
  if (offset >= text.size() || (text[offset] != 'T' && text[offset] != 't')) return std::nullopt;
  ++offset;
  const auto hour = read_digits(text, &offset, 2);
  if (!hour || !expect_char(text, &offset, ':')) return std::nullopt;
  const auto minute = read_digits(text, &offset, 2);
  if (!minute || !expect_char(text, &offset, ':')) return std::nullopt;
  const auto second = read_digits(text, &offset, 2);
  if (!second || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  std::int64_t micros = 0;
  if (offset < text.size() && text[offset] == '.') {
    ++offset;
    std::size_t digits = 0;
    while (offset < text.size() && text[offset] >= '0' && text[offset] <= '9') {
      if (digits == 6) return std::nullopt;
      micros = micros * 10 + (text[offset] - '0');
      ++digits;
      ++offset;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (offset < text.size() && (text[offset] == 'Z' || text[offset] == 'z')) {
    ++offset;
  } else if (offset < text.size() && (text[offset] == '+' || text[offset] == '-')) {
    const int sign = text[offset] == '+' ? 1 : -1;
    ++offset;
    const auto offset_hours = read_digits(text, &offset, 2);
    if (!offset_hours || !expect_char(text, &offset, ':')) return std::nullopt;
    const auto offset_minutes = read_digits(text, &offset, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) return std::nullopt;
    offset_seconds = sign * (*offset_hours * 3600 + *offset_minutes * 60);
  } else {
    return std::nullopt;
  }
  if (offset != text.size()) return std::nullopt;
  const std::int64_t seconds =
      *days * kSecondsPerDay + *hour * 3600 + *minute * 60 + *second - offset_seconds;
  return seconds * kMicrosPerSecond + micros;
}

std::string format_date(std::int64_t microseconds_since_epoch) {
  return format_rfc3339(microseconds_since_epoch).substr(0, 10);
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  std::size_t offset = 0;
  const auto days = read_date(text, &offset);
  if (!days || offset != text.size()) return std::nullopt;
  return *days * kSecondsPerDay * kMicrosPerSecond;
}

}  // namespace ledger::events
