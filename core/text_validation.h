// Text that came from a request: is it well-formed UTF-8, and does it hold characters that have
// no business in stored text (control characters, bidirectional overrides that make a name read
// differently from what it is)?
//
// One place for these checks, so that every input path refuses the same characters.
#pragma once

#include <string_view>

#include "core/result.h"

namespace ledger {

// True when `text` is well-formed UTF-8 (RFC 3629): no stray continuation bytes, no overlong
// forms, no UTF-16 surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

enum class LineBreaks { refused, allowed };

// True when the (valid UTF-8) `text` holds a C0 control character (line feed, carriage return
// and tab excepted when `line_breaks` is allowed), DEL, a C1 control character (U+0080-U+009F)
// or a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069).
bool has_control_characters(std::string_view text, LineBreaks line_breaks);

// Ok when `text` is valid UTF-8 without control characters (see above); invalid_argument naming
// `field` otherwise.
Status check_text(std::string_view text, std::string_view field, LineBreaks line_breaks);

}  // namespace ledger
