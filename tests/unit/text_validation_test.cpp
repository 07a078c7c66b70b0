#include <doctest/doctest.h>

#include <string>

#include "core/text_validation.h"

namespace ledger {
namespace {

bool accepted(std::string_view text, TextKind kind = TextKind::short_text) {
  return check_text("name", text, kind).ok();
}

TEST_CASE("text validation accepts any well-formed UTF-8 without controls") {
  CHECK(accepted(""));
  CHECK(accepted("Ana María"));
  CHECK(accepted("\xe6\x97\xa5\xe6\x9c\xac"));          // 日本
  CHECK(accepted("\xf0\x9f\x98\x80 smile"));            // U+1F600
  CHECK(accepted("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"));  // Hebrew, right to left by itself
  CHECK(accepted("two\nlines\twith a tab\r\n", TextKind::long_text));
}

TEST_CASE("text validation refuses malformed UTF-8: truncated, overlong, surrogates, too high") {
  for (const std::string_view bad :
       {"\xff", "\xc3", "a\xe6\x97", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\x80", "\xf8\x88\x80\x80\x80"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_utf8(bad));
    auto checked = check_text("name", bad, TextKind::long_text);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().field == "name");
    CHECK(checked.error().code == Errc::invalid_argument);
  }
}

TEST_CASE(
    "short texts refuse every C0 and C1 control and DEL, long texts allow only line breaks "
    "and tabs") {
  for (char32_t code = 0; code < 0x20; ++code) {
    const std::string text = "a" + std::string(1, static_cast<char>(code)) + "b";
    CAPTURE(static_cast<unsigned>(code));
    CHECK_FALSE(accepted(text));
    const bool line_break_or_tab = code == '\n' || code == '\r' || code == '\t';
    CHECK(accepted(text, TextKind::long_text) == line_break_or_tab);
  }
  CHECK_FALSE(accepted(std::string("a\0b", 3), TextKind::long_text));
  CHECK_FALSE(accepted("\x7f", TextKind::long_text));
  CHECK_FALSE(accepted("\xc2\x80", TextKind::long_text));  // U+0080
  CHECK_FALSE(accepted("\xc2\x85", TextKind::long_text));  // U+0085, next line
  CHECK_FALSE(accepted("\xc2\x9f", TextKind::long_text));  // U+009F
  CHECK(accepted("\xc2\xa0"));                             // U+00A0 is not a control
}

TEST_CASE("texts refuse bidirectional controls, which could disguise a name") {
  for (const std::string_view bidi :
       {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae",
        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\x8e",
        "\xe2\x80\x8f", "\xd8\x9c"}) {
    CAPTURE(bidi);
    auto checked =
        check_text("name", "invoice" + std::string(bidi) + "fdp.exe", TextKind::long_text);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().message.find("bidirectional") != std::string::npos);
  }
}

TEST_CASE("blank texts are those of white space only, Unicode spaces included") {
  CHECK(is_blank_text(""));
  CHECK(is_blank_text("   "));
  CHECK(is_blank_text(" \xc2\xa0\xe3\x80\x80 "));  // no-break space, ideographic space
  CHECK_FALSE(is_blank_text(" a "));
  CHECK_FALSE(is_blank_text("\xff"));
}

}  // namespace
}  // namespace ledger
