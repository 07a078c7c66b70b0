// Fuzzes the emails: arbitrary bytes as the values every template interpolates, through the real
// templates (projections/email_templates.h) and the real message builder
// (projections/email_message.h).
//
// Input: byte 0 picks the template (modulo their number), the rest is a list of values separated
// by 0x1E, given in turn to every string field of the template's example event (fields whose
// value decides whether the email is sent keep the example's). The same values also go raw into
// an outbox email's subject and text, bypassing Protobuf (which refuses invalid UTF-8).
//
// Properties (tests/support/mime_checks.h reads each message independently):
// - the message renders (the addresses are plain), only printable ASCII and CRLF;
// - headers: exactly the expected ones, once each, lines of at most 78 characters, no blank
//   continuation, RFC 2047 words well-formed: no value adds a header or a line;
// - body: multipart/alternative with exactly a text/plain and a text/html part, both
//   quoted-printable, the boundary in neither part, nothing after the closing delimiter;
// - the HTML part has no markup but the renderer's own: no unescaped < > " ' &;
// - the text part is the cleaned text, and the HTML part is render_html of it.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/email_message.h"
#include "projections/email_templates.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/email_examples.h"
#include "tests/support/mime_checks.h"

namespace {

using namespace ledger;

std::vector<std::string> split_values(std::string_view bytes) {
  std::vector<std::string> values;
  while (true) {
    const auto separator = bytes.find('\x1e');
    values.emplace_back(bytes.substr(0, separator));
    if (separator == std::string_view::npos) return values;
    bytes.remove_prefix(separator + 1);
  }
}

void check_message(std::string_view subject, std::string_view text) {
  events::OutboxEmail email;
  email.set_email_id("00000000000000000734-welcome");
  email.set_to("client@example.com");
  email.set_subject(std::string(subject));
  email.set_text_body(std::string(text));
  email.set_created_at_us(1'796'223'845'000'000);
  auto eml = projections::render_eml(email, "no-reply@localhost");
  FUZZ_CHECK(eml.ok(), eml.ok() ? "" : eml.error().message);
  testing::ParsedEml parsed;
  const std::string problem = testing::eml_problem(*eml, parsed);
  FUZZ_CHECK(problem.empty(), problem + "\n" + eml->substr(0, 4000));
  const std::string clean = projections::clean_email_text(text);
  FUZZ_CHECK(parsed.parts[0].body == clean, "the text part is the cleaned text");
  FUZZ_CHECK(parsed.parts[1].body == projections::render_html(clean),
             "the HTML part is the rendered cleaned text");
}

}  // namespace

// Protobuf logs every string field of invalid UTF-8 it serializes: expected here, and slow.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto& templates = projections::email_templates();
  const auto& email_template = templates[data[0] % templates.size()];
  const auto values =
      split_values(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  const auto* example = testing::sending_example(email_template);
  FUZZ_CHECK(example != nullptr, "every template has a sending example: " + email_template.name);
  std::size_t next = 0;
  const auto draft = testing::draft_with_values(email_template, *example,
                                                [&] { return values[next++ % values.size()]; });
  FUZZ_CHECK(draft.has_value(), "the example still sends: " + email_template.name);
  check_message(draft->subject, draft->text);
  check_message(values.front(), values.back());
  return 0;
}
