#include "core/text_validation.h"

#include <fmt/format.h>

#include <cstdint>

namespace ledger {
namespace {

// The length of the sequence a lead byte starts (0: not a lead byte), and the smallest and
// largest second byte it allows (which rules out overlong forms, surrogates and > U+10FFFF).
struct Utf8Lead {
  std::size_t length;
  unsigned char second_min;
  unsigned char second_max;
};

Utf8Lead utf8_lead(unsigned char byte) {
  if (byte < 0x80) return {1, 0, 0};
  if (byte >= 0xc2 && byte <= 0xdf) return {2, 0x80, 0xbf};
  if (byte == 0xe0) return {3, 0xa0, 0xbf};
  if (byte == 0xed) return {3, 0x80, 0x9f};
  if (byte >= 0xe1 && byte <= 0xef) return {3, 0x80, 0xbf};
  if (byte == 0xf0) return {4, 0x90, 0xbf};
  if (byte >= 0xf1 && byte <= 0xf3) return {4, 0x80, 0xbf};
  if (byte == 0xf4) return {4, 0x80, 0x8f};
  return {0, 0, 0};
}

bool is_continuation(unsigned char byte) { return byte >= 0x80 && byte <= 0xbf; }

bool is_refused_code_point(std::uint32_t code_point, LineBreaks line_breaks) {
  if (code_point == '\n' || code_point == '\r' || code_point == '\t') {
    return line_breaks == LineBreaks::refused;
  }
  if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) return true;
  return (code_point >= 0x202a && code_point <= 0x202e) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const Utf8Lead lead = utf8_lead(static_cast<unsigned char>(text[at]));
    if (lead.length == 0 || at + lead.length > text.size()) return false;
    if (lead.length > 1) {
      const auto second = static_cast<unsigned char>(text[at + 1]);
      if (second < lead.second_min || second > lead.second_max) return false;
      for (std::size_t next = 2; next < lead.length; ++next) {
        if (!is_continuation(static_cast<unsigned char>(text[at + next]))) return false;
      }
    }
    at += lead.length;
  }
  return true;
}

bool has_control_characters(std::string_view text, LineBreaks line_breaks) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto byte = static_cast<unsigned char>(text[at]);
    std::uint32_t code_point = byte;
    std::size_t length = 1;
    if (byte >= 0xf0) {
      length = 4;  // nothing refused lies above U+FFFF
    } else if (byte >= 0xe0 && at + 2 < text.size()) {
      length = 3;
      code_point = ((byte & 0x0fu) << 12) |
                   ((static_cast<unsigned char>(text[at + 1]) & 0x3fu) << 6) |
                   (static_cast<unsigned char>(text[at + 2]) & 0x3fu);
    } else if (byte >= 0xc0 && at + 1 < text.size()) {
      length = 2;
      code_point = ((byte & 0x1fu) << 6) | (static_cast<unsigned char>(text[at + 1]) & 0x3fu);
    }
    if (is_refused_code_point(code_point, line_breaks)) return true;
    at += length;
  }
  return false;
}

Status check_text(std::string_view text, std::string_view field, LineBreaks line_breaks) {
  if (!is_valid_utf8(text)) {
    return make_error(Errc::invalid_argument, fmt::format("{} is not valid UTF-8", field),
                      std::string(field));
  }
  if (has_control_characters(text, line_breaks)) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("{} holds a control character or a bidirectional override", field),
        std::string(field));
  }
  return {};
}

}  // namespace ledger
