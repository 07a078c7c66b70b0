// The RFC 5322 / MIME text of an outbox email, built in one place from the stored subject and
// text body: nothing a user typed reaches a header or the HTML part unencoded.
//
// - Text (subject and body) is cleaned first: invalid UTF-8 becomes U+FFFD, bidirectional
//   controls (U+202A-U+202E, U+2066-U+2069, ...) are dropped, other control characters become
//   U+FFFD, line ends become LF.
// - The HTML part is rendered from the cleaned text body by `render_html` (email_templates.h),
//   which escapes all of it: templates only ever produce text.
// - Header values carry no control characters; a value that is not plain printable ASCII (or
//   holds "=?") is written as RFC 2047 encoded words (UTF-8, base64); lines are folded at 78
//   columns. Addresses must be plain ASCII addr-specs (an error otherwise).
// - Both parts are quoted-printable (printable ASCII only, tabs too are encoded, lines of at
//   most 76 characters, CRLF).
// - The boundary is "=_ledger_" and 128 random bits; "=_" never occurs in quoted-printable, and
//   a boundary found in a part is replaced by another all the same.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "events/outbox_state.pb.h"

namespace ledger::projections {

// Text as it may appear in an email (see above). Keeps LF and TAB.
std::string clean_email_text(std::string_view text);

// "Name: value" CRLF, folded at 78 columns, RFC 2047-encoded when needed (see above).
// `name` is at most 16 characters.
std::string encode_header_field(std::string_view name, std::string_view value);

// Quoted-printable (RFC 2045) of LF-separated text: CRLF line ends, lines of at most 76
// characters, only printable ASCII.
std::string quoted_printable(std::string_view text);

// "Wed, 02 Dec 2026 15:04:05 +0000" (RFC 5322 date-time, UTC) of the instant.
std::string format_rfc5322_date(std::int64_t microseconds_since_epoch);

// "=_ledger_" and 32 hex digits of secure randomness.
std::string new_mime_boundary();

// The RFC 5322 text of an email (CRLF line ends, multipart/alternative: text then HTML).
// Errors: invalid_argument when `from` or the recipient is not a plain ASCII address;
// internal when `new_boundary` gives only boundaries found in a part (16 tries).
Result<std::string> render_eml(
    const events::OutboxEmail& email, std::string_view from,
    const std::function<std::string()>& new_boundary = new_mime_boundary);

}  // namespace ledger::projections
