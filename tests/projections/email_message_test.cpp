// The message an outbox email becomes: every template with hostile values renders a well-formed
// multipart message with every value escaped in the HTML part; boundaries are random and never
// inside a part; header values are encoded and folded, never split into new headers; the Date
// header is RFC 5322.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/domain/users.h"
#include "events/timestamp.h"
#include "projections/email_delivery.h"
#include "projections/email_message.h"
#include "projections/email_templates.h"
#include "tests/support/email_examples.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/mime_checks.h"

namespace ledger {
namespace {

using namespace std::string_literals;
using testing::eml_problem;
using testing::ParsedEml;

const std::vector<std::string>& hostile_values() {
  static const std::vector<std::string> values = {
      R"(<script>alert(1)</script><a href="https://evil.example">Verify here</a>)",
      "\"quoted\" & 'single' <b>bold</b> &amp; &#60;",
      "line one\r\nBcc: everyone@x.com\r\n\r\n<p>injected</p>",
      "\n--=_ledger_00000000000000000000000000000000\nContent-Type: text/html\n\n<a href=x>",
      "\n--ledger-00000000000000000734-welcome\r\nContent-Type: text/html\r\n\r\n<a href=x>y</a>",
      std::string("invalid \xff\xfe utf-8 \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80 end"),
      "bidi \u202Egnp.exe\u202C and \u2066isolate\u2069",
      "=?UTF-8?B?PHNjcmlwdD4=?= =?iso-8859-1?q?=3C?=",
      "tab\there, NUL \0 and bell \a and DEL \x7f"s,
      std::string(5000, '<') + std::string(3000, 'x') + std::string(2000, '\n'),
      "Caf\u00e9 \u65e5\u672c\u8a9e \U0001F600 " + std::string(300, 'y'),
      ".\r\n.\n. leading dots",
  };
  return values;
}

events::OutboxEmail outbox_email(const projections::EmailDraft& draft) {
  events::OutboxEmail email;
  email.set_email_id("00000000000000000734-welcome");
  email.set_to("c1@x.com");
  email.set_subject(draft.subject);
  email.set_text_body(draft.text);
  email.set_created_at_us(*events::parse_rfc3339("2026-12-02T15:04:05Z"));
  return email;
}

ParsedEml parsed_eml(const events::OutboxEmail& email) {
  auto eml = projections::render_eml(email, "no-reply@localhost");
  REQUIRE(eml.ok());
  ParsedEml parsed;
  const std::string problem = eml_problem(*eml, parsed);
  CHECK_MESSAGE(problem.empty(), problem << "\n" << eml->substr(0, 2000));
  return parsed;
}

TEST_CASE(
    "every email template, given hostile values in every field, renders a well-formed "
    "message with all of them escaped in the HTML part") {
  std::size_t rendered = 0;
  for (const auto& email_template : projections::email_templates()) {
    CAPTURE(email_template.name);
    CAPTURE(email_template.event_type);
    const auto* example = testing::sending_example(email_template);
    REQUIRE_MESSAGE(example != nullptr, "no sending example for " << email_template.name);
    for (const auto& value : hostile_values()) {
      CAPTURE(value.substr(0, 80));
      const auto draft =
          testing::draft_with_values(email_template, *example, [&] { return value; });
      REQUIRE(draft.has_value());
      parsed_eml(outbox_email(*draft));
      ++rendered;
    }
    // Every field a different hostile value.
    std::size_t next = 0;
    const auto mixed = testing::draft_with_values(email_template, *example, [&] {
      return hostile_values()[next++ % hostile_values().size()];
    });
    REQUIRE(mixed.has_value());
    parsed_eml(outbox_email(*mixed));
  }
  CHECK(rendered == projections::email_templates().size() * hostile_values().size());
  // Protobuf refuses invalid UTF-8 in events: the same values straight into an outbox row.
  for (const auto& value : hostile_values()) {
    CAPTURE(value.substr(0, 80));
    parsed_eml(outbox_email({"c1", value, value}));
  }
}

TEST_CASE("a name with markup reaches the HTML part of the welcome email escaped") {
  const auto& welcome = projections::email_templates().front();
  REQUIRE(welcome.name == "welcome");
  const auto draft = testing::draft_with_values(welcome, *testing::sending_example(welcome),
                                                [] { return hostile_values()[0]; });
  REQUIRE(draft.has_value());
  const auto parsed = parsed_eml(outbox_email(*draft));
  REQUIRE(parsed.parts.size() == 2);
  const std::string& html = parsed.parts[1].body;
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<a ") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&quot;https://evil.example"
                  "&quot;&gt;Verify here&lt;/a&gt;") != std::string::npos);
}

TEST_CASE(
    "the verification email of a registrant named with markup carries it escaped in the "
    "HTML part") {
  testing::LedgerFixture f;
  const std::string name = hostile_values()[0];
  REQUIRE(f.run<events::UserState>([&](domain::UnitOfWork& uow) {
             return domain::register_user(uow, {"eve", "eve@x.com", name, "client", "", 0, "h",
                                                false, "self", "digest", "123456", "mail-eve"});
           }).ok());
  const std::string dir = f.dir.string() + "/outbox";
  projections::EmailDelivery delivery(*f.log, f.clock, dir);
  REQUIRE(delivery.deliver_once()->sent == 1);
  std::ifstream file(dir + "/mail-eve.eml");
  std::stringstream eml;
  eml << file.rdbuf();
  ParsedEml parsed;
  const std::string problem = eml_problem(eml.str(), parsed);
  CHECK_MESSAGE(problem.empty(), problem);
  REQUIRE(parsed.parts.size() == 2);
  CHECK(parsed.parts[1].body.find("<script") == std::string::npos);
  CHECK(parsed.parts[1].body.find("&lt;script&gt;") != std::string::npos);
  CHECK(parsed.parts[0].body.find("Your verification code is 123456") != std::string::npos);
}

TEST_CASE("a value holding a guessed boundary line adds no part of its own") {
  events::OutboxEmail email = outbox_email({"c1", "Welcome", ""});
  email.set_text_body(
      "Hello \n--ledger-00000000000000000734-welcome\nContent-Type: text/html\n\n<a href=x>y</a>");
  const auto parsed = parsed_eml(email);
  REQUIRE(parsed.parts.size() == 2);
  CHECK(parsed.parts[0].body == email.text_body());
  // The boundary is random (128 bits), so a guessed one never matches: the real property is that
  // the chosen boundary is nowhere in the part.
  CHECK(parsed.boundary.starts_with("=_ledger_"));
  CHECK(email.text_body().find(parsed.boundary) == std::string::npos);
}

TEST_CASE("MIME boundaries carry 128 random bits and are never found in a part") {
  std::set<std::string> boundaries;
  for (int i = 0; i < 50; ++i) {
    const std::string boundary = projections::new_mime_boundary();
    CHECK(boundary.size() == 9 + 32);
    CHECK(boundary.starts_with("=_ledger_"));
    CHECK(boundary.find_first_not_of("0123456789abcdef", 9) == std::string::npos);
    boundaries.insert(boundary);
  }
  CHECK(boundaries.size() == 50);
  // A boundary found in a part is replaced by the next one.
  events::OutboxEmail email = outbox_email({"c1", "Hi", "Hello Bob-boundary-one"});
  std::vector<std::string> offered = {"Bob-boundary-one", "=_second_boundary_0123456789abcdef"};
  std::size_t next = 0;
  auto eml = projections::render_eml(email, "a@b.c", [&] { return offered[next++]; });
  REQUIRE(eml.ok());
  CHECK(next == 2);
  CHECK(eml->find("boundary=\"=_second_boundary_0123456789abcdef\"") != std::string::npos);
  // Only colliding boundaries: an error, never a message with a boundary inside a part.
  auto refused = projections::render_eml(email, "a@b.c", [] { return std::string("Hello"); });
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Errc::internal);
}

TEST_CASE(
    "header values are RFC 2047 encoded when not plain ASCII, folded at 78 columns, and "
    "never add a header") {
  CHECK(projections::encode_header_field("Subject", "Plain words") == "Subject: Plain words\r\n");
  CHECK(projections::encode_header_field("Subject", "Caf\u00e9") ==
        "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\n");
  CHECK(projections::encode_header_field("Subject", "a\r\nBcc: x@y.z") ==
        "Subject: a Bcc: x@y.z\r\n");
  CHECK(projections::encode_header_field("Subject", "=?UTF-8?B?PGI+?=") ==
        "Subject: =?UTF-8?B?PT9VVEYtOD9CP1BHSSs/PQ==?=\r\n");
  const std::string long_words = projections::encode_header_field(
      "Subject", "word " + std::string(60, 'a') + " " + std::string(60, 'b'));
  CHECK(long_words ==
        "Subject: word " + std::string(60, 'a') + "\r\n " + std::string(60, 'b') + "\r\n");
  const std::string long_unicode =
      projections::encode_header_field("Subject", std::string(200, 'x') + "\u202E\u00e9");
  for (const auto& line : testing::crlf_lines(long_unicode)) CHECK(line.size() <= 78);
  CHECK(long_unicode.find("\xe2\x80\xae") == std::string::npos);
  // A recipient that cannot be written in a header is an error, never a broken header.
  events::OutboxEmail email = outbox_email({"c1", "Hi", "Hello"});
  email.set_to("b\xc3\xa9@x.com");
  CHECK(projections::render_eml(email, "a@b.c").error().code == Errc::invalid_argument);
  email.set_to("bob@x.com\r\nBcc: all@x.com");
  CHECK(projections::render_eml(email, "a@b.c").error().code == Errc::invalid_argument);
}

TEST_CASE("text is cleaned: valid UTF-8, no bidi controls, no control characters, LF line ends") {
  CHECK(projections::clean_email_text("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te");
  CHECK(projections::clean_email_text("\xff") == "\ufffd");
  CHECK(projections::clean_email_text("\xc0\xaf") == "\ufffd\ufffd");  // overlong '/'
  CHECK(projections::clean_email_text("x\u202Ey\u2066z") == "xyz");
  CHECK(projections::clean_email_text("\a\x7f") == "\ufffd\ufffd");
  CHECK(projections::clean_email_text("Caf\u00e9 \U0001F600") == "Caf\u00e9 \U0001F600");
}

TEST_CASE("bodies are quoted-printable: CRLF lines of at most 76 characters, ASCII only") {
  CHECK(projections::quoted_printable("a=b \nc\xc3\xa9 ") == "a=3Db=20\r\nc=C3=A9=20");
  const std::string encoded = projections::quoted_printable(std::string(200, 'a'));
  for (const auto& line : testing::crlf_lines(encoded)) CHECK(line.size() <= 76);
  CHECK(testing::decode_quoted_printable(testing::crlf_lines(encoded)) == std::string(200, 'a'));
}

TEST_CASE("the Date header is an RFC 5322 date-time") {
  const auto at = *events::parse_rfc3339("2026-12-02T15:04:05.250Z");
  CHECK(projections::format_rfc5322_date(at) == "Wed, 02 Dec 2026 15:04:05 +0000");
  CHECK(projections::format_rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(projections::format_rfc5322_date(*events::parse_rfc3339("2024-02-29T23:59:59Z")) ==
        "Thu, 29 Feb 2024 23:59:59 +0000");
  const auto parsed = parsed_eml(outbox_email({"c1", "Hi", "Hello"}));
  CHECK(parsed.header("Date") == " Wed, 02 Dec 2026 15:04:05 +0000");
}

}  // namespace
}  // namespace ledger
