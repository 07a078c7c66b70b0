// RFC 3339 UTC timestamps, the only textual form of time the system shows.
//
// Time inside the system is `int64` microseconds since the Unix epoch (UTC). Formatting always
// gives `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` added when the microseconds are not zero. Parsing
// accepts that form, fractions of 1-6 digits, and a `Z` or numeric offset; anything else is
// refused (nullopt). Dates are `YYYY-MM-DD`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::events {

std::string format_rfc3339(std::int64_t microseconds_since_epoch);
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// "2026-11-23" for the UTC day containing the instant.
std::string format_date(std::int64_t microseconds_since_epoch);
// Microseconds at 00:00:00Z of `text` ("2026-11-23"), or nullopt.
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace ledger::events
