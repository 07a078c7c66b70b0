#include "core/text_validation.h"

#include <doctest/doctest.h>

#include <string>

namespace ledger {
namespace {

TEST_CASE(
    "UTF-8 is valid only when well formed: no stray, overlong, surrogate or out-of-range "
    "sequences") {
  for (const char* text : {"", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                           "\xf4\x8f\xbf\xbf", "\xef\xbb\xbf"}) {
    CAPTURE(std::string(text));
    CHECK(is_valid_utf8(text));
  }
  for (const char* text :
       {"\xff", "caf\xe9", "\x80", "\xc3", "\xe2\x82", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xc3\xa9\x80", "\xe2\x28\xa1"}) {
    CAPTURE(std::string(text));
    CHECK_FALSE(is_valid_utf8(text));
  }
  CHECK(is_valid_utf8(std::string("a\0b", 3)));  // NUL is UTF-8; control checks refuse it
}

TEST_CASE(
    "control characters and bidirectional overrides are found; line breaks only where "
    "refused") {
  for (const auto& text :
       {std::string("a\0b", 3), std::string("\x1b[31m"), std::string("\x7f"),
        std::string("\xc2\x85"), std::string("\xc2\x9f"), std::string("a\xe2\x80\xaez"),
        std::string("\xe2\x80\xaa"), std::string("\xe2\x81\xa6x\xe2\x81\xa9")}) {
    CAPTURE(text);
    CHECK(has_control_characters(text, LineBreaks::allowed));
    CHECK(has_control_characters(text, LineBreaks::refused));
  }
  for (const char* text : {"a\nb", "a\r\nb", "a\tb"}) {
    CHECK_FALSE(has_control_characters(text, LineBreaks::allowed));
    CHECK(has_control_characters(text, LineBreaks::refused));
  }
  for (const char* text : {"caf\xc3\xa9", "\xe2\x80\x8f", "\xc2\xa0", "\xf0\x9f\x98\x80 ok"}) {
    CHECK_FALSE(has_control_characters(text, LineBreaks::refused));
  }
  auto refused = check_text("caf\xe9", "notes", LineBreaks::allowed);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::invalid_argument);
  CHECK(refused.error().field == "notes");
  CHECK(check_text("a\x07", "name", LineBreaks::allowed).error().field == "name");
  CHECK(check_text("two\nlines", "notes", LineBreaks::allowed).ok());
}

}  // namespace
}  // namespace ledger
