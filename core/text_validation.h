// Text validation: what a text field from outside may hold, in one place for every door (JSON
// fields, query parameters, path segments, multipart fields).
//
// A text is valid UTF-8 (shortest form, no surrogates, at most U+10FFFF), holds no control
// character (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F; long texts may hold newline, carriage
// return and tab) and no bidirectional control (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069), which could make a name display as something it is not. Failures are
// invalid_argument errors naming the field.
#pragma once

#include <string_view>

#include "core/result.h"

namespace ledger {

enum class TextKind {
  short_text,  // names, ids, choices: one line, no control character at all
  long_text,   // notes, descriptions: newline, carriage return and tab allowed
};

// True when `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// True when `text` is empty or holds only white space (ASCII or Unicode spaces).
bool is_blank_text(std::string_view text);

// Ok when `text` may be stored as a `kind` field; otherwise invalid_argument naming `field`.
Status check_text(std::string_view field, std::string_view text, TextKind kind);

}  // namespace ledger
