// Input checks every decider shares: each answers invalid_argument naming the field at fault.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/money.h"
#include "core/result.h"

namespace ledger::domain {

// Ok when `amount` > 0.
Status require_positive(Money amount, std::string_view field = "amount");

// Ok when `id` is not empty.
Status require_id(std::string_view id, std::string_view field);

// Ok when `text` is not empty and at most `max_length` bytes.
Status require_text(std::string_view text, std::string_view field, std::size_t max_length);

// Ok when the period's start `from` is not after its end `to`; otherwise invalid_argument
// "<from_field> must not be after <to_field>" naming `from_field`. Every query with a period
// (statements, analytics, calendars) answers this same refusal.
Status require_period_order(std::int64_t from, std::int64_t to, std::string_view from_field,
                            std::string_view to_field);

// Ok when `text` is at most `max_length` bytes (empty allowed).
Status limit_text(std::string_view text, std::string_view field, std::size_t max_length);

// An http(s) URL with a host, no credentials, at most 2000 printable ASCII characters and none
// of the characters that break out of HTML attributes.
bool valid_web_url(std::string_view url);

}  // namespace ledger::domain
