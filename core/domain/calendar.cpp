#include "core/domain/calendar.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/clock.h"
#include "events/timestamp.h"

namespace ledger::domain {
namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<std::string> add_one_month(std::string_view date) {
  if (!events::parse_date(date)) return std::nullopt;
  int year = std::stoi(std::string(date.substr(0, 4)));
  int month = std::stoi(std::string(date.substr(5, 2)));
  int day = std::stoi(std::string(date.substr(8, 2)));
  if (++month == 13) {
    month = 1;
    ++year;
  }
  day = std::min(day, days_in_month(year, month));
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

std::optional<std::int64_t> end_of_date_us(std::string_view date) {
  auto start = events::parse_date(date);
  if (!start) return std::nullopt;
  return *start + kMicrosPerDay;
}

}  // namespace ledger::domain
