// Calendar arithmetic on "YYYY-MM-DD" dates (UTC), for due dates and renewals.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::domain {

// The same day one month later, clamped to the month's last day ("2026-01-31" -> "2026-02-28").
// nullopt when `date` is not a valid date.
std::optional<std::string> add_one_month(std::string_view date);

// Microseconds at the end of `date` (00:00:00Z of the next day), nullopt when invalid.
std::optional<std::int64_t> end_of_date_us(std::string_view date);

}  // namespace ledger::domain
