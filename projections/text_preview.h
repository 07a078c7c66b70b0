// A short, one-line preview of a user's text (a message in a notification or an email):
// whitespace and control characters collapse to single spaces, and a text longer than the limit
// is cut at the last word boundary that fits, never inside a UTF-8 character, and ends with "…".
// Nothing is escaped here: each place the preview lands escapes it (the HTML renderer, the JSON
// writer, the MIME header encoder).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ledger::projections {

// At most `max_bytes` bytes plus the 3 bytes of "…" when cut. A single word longer than the
// limit is cut at the last whole character that fits.
std::string text_preview(std::string_view text, std::size_t max_bytes);

}  // namespace ledger::projections
