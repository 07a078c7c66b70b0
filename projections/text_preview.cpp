#include "projections/text_preview.h"

namespace ledger::projections {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

bool is_space_or_control(unsigned char c) { return c <= 0x20 || c == 0x7F; }

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string text_preview(std::string_view text, std::size_t max_bytes) {
  // One line: runs of whitespace and control characters become one space, none at either end.
  std::string line;
  line.reserve(text.size());
  bool pending_space = false;
  for (const char c : text) {
    if (is_space_or_control(static_cast<unsigned char>(c))) {
      pending_space = !line.empty();
      continue;
    }
    if (pending_space) line.push_back(' ');
    pending_space = false;
    line.push_back(c);
  }
  if (line.size() <= max_bytes) return line;
  // The last space within the limit ends the last whole word that fits.
  std::size_t cut = line.rfind(' ', max_bytes);
  if (cut == std::string::npos || cut == 0) {
    cut = max_bytes;  // one long word: cut it between characters
    while (cut > 0 && is_continuation(static_cast<unsigned char>(line[cut]))) --cut;
  }
  line.resize(cut);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += kEllipsis;
  return line;
}

}  // namespace ledger::projections
