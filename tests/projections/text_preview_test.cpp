// The one-line preview of a message: white space folded, cut at a word, never inside a UTF-8
// character, an ellipsis only when cut.
#include <doctest/doctest.h>

#include <string>

#include "projections/text_preview.h"

namespace ledger {
namespace {

using projections::text_preview;

const std::string kEllipsis = "\xE2\x80\xA6";

TEST_CASE("a short text is kept whole, on one line") {
  CHECK(text_preview("Hello", 10) == "Hello");
  CHECK(text_preview("", 10).empty());
  CHECK(text_preview("  Hello\r\n\r\n\tthere  ", 100) == "Hello there");
  CHECK(text_preview("a\x01\x7f"
                     "b",
                     10) == "a b");  // control characters are spaces
  CHECK(text_preview(" \n\t ", 10).empty());
  CHECK(text_preview("exactly10!", 10) == "exactly10!");
}

TEST_CASE("a long text is cut at the last word that fits, with an ellipsis") {
  CHECK(text_preview("one two three four", 10) == "one two" + kEllipsis);
  CHECK(text_preview("one two three four", 7) == "one two" + kEllipsis);
  CHECK(text_preview("one two three four", 8) == "one two" + kEllipsis);
  CHECK(text_preview("one   two\n\nthree", 9) == "one two" + kEllipsis);
}

TEST_CASE("one word longer than the limit is cut between whole characters") {
  CHECK(text_preview("abcdefghij", 4) == "abcd" + kEllipsis);
  // "é" is two bytes: a cut at 3 would split the second one.
  CHECK(text_preview("\xC3\xA9\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9" + kEllipsis);
  // A four-byte character is never split.
  CHECK(text_preview("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 6) == "\xF0\x9F\x98\x80" + kEllipsis);
  CHECK(text_preview("\xF0\x9F\x98\x80", 2) == kEllipsis);
}

TEST_CASE("every cut is at most the limit plus the ellipsis, and valid where the input was") {
  std::string text;
  for (int i = 0; i < 60; ++i) text += (i % 3 == 0 ? "\xC3\xA9t\xC3\xA9 " : "word ");
  text += "end";  // no white space at the end: every limit below the size cuts
  for (std::size_t limit = 1; limit < text.size(); ++limit) {
    CAPTURE(limit);
    const std::string preview = text_preview(text, limit);
    CHECK(preview.size() <= limit + kEllipsis.size());
    CHECK(preview.ends_with(kEllipsis));
    // No character cut: no dangling lead byte before the ellipsis.
    const std::string body = preview.substr(0, preview.size() - kEllipsis.size());
    CHECK((body.empty() || static_cast<unsigned char>(body.back()) != 0xC3));
  }
}

}  // namespace
}  // namespace ledger
