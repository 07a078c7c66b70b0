#include "core/text_validation.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace ledger {
namespace {

constexpr char32_t kReplacement = 0xFFFFFFFF;  // marks a malformed sequence

// Decodes the code point at `text[index]` and advances `index`; kReplacement when the bytes
// there are not well-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
char32_t next_code_point(std::string_view text, std::size_t& index) {
  const auto lead = static_cast<unsigned char>(text[index++]);
  if (lead < 0x80) return lead;
  std::size_t length = 0;
  char32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 1;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 2;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 3;
    code = lead & 0x07;
  } else {
    return kReplacement;
  }
  if (text.size() - index < length) return kReplacement;
  for (std::size_t i = 0; i < length; ++i) {
    const auto continuation = static_cast<unsigned char>(text[index++]);
    if ((continuation & 0xC0) != 0x80) return kReplacement;
    code = (code << 6) | (continuation & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
  if (code < kSmallest[length] || code > 0x10FFFF) return kReplacement;
  if (code >= 0xD800 && code <= 0xDFFF) return kReplacement;
  return code;
}

bool is_control(char32_t code, TextKind kind) {
  if (kind == TextKind::long_text && (code == '\n' || code == '\r' || code == '\t')) return false;
  return code < 0x20 || (code >= 0x7F && code <= 0x9F);
}

bool is_bidirectional_control(char32_t code) {
  return code == 0x061C || code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069);
}

bool is_white_space(char32_t code) {
  return code == ' ' || (code >= 0x09 && code <= 0x0D) || code == 0x85 || code == 0xA0 ||
         code == 0x1680 || (code >= 0x2000 && code <= 0x200B) || code == 0x2028 || code == 0x2029 ||
         code == 0x202F || code == 0x205F || code == 0x3000 || code == 0xFEFF;
}

// Why `text` may not be a `kind` field, or nullopt when it may.
std::optional<std::string_view> text_fault(std::string_view text, TextKind kind) {
  for (std::size_t index = 0; index < text.size();) {
    const char32_t code = next_code_point(text, index);
    if (code == kReplacement) return "is not valid UTF-8";
    if (is_control(code, kind)) return "must not contain control characters";
    if (is_bidirectional_control(code)) return "must not contain bidirectional controls";
  }
  return std::nullopt;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t index = 0; index < text.size();) {
    if (next_code_point(text, index) == kReplacement) return false;
  }
  return true;
}

bool is_blank_text(std::string_view text) {
  for (std::size_t index = 0; index < text.size();) {
    const char32_t code = next_code_point(text, index);
    if (code == kReplacement || !is_white_space(code)) return false;
  }
  return true;
}

Status check_text(std::string_view field, std::string_view text, TextKind kind) {
  if (const auto fault = text_fault(text, kind)) {
    return make_error(Errc::invalid_argument, fmt::format("{} {}", field, *fault),
                      std::string(field));
  }
  return {};
}

}  // namespace ledger
