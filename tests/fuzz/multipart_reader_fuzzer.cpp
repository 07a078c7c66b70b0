// Fuzzes the streaming multipart/form-data reader (http/multipart_reader.h) and the boundary
// parameter of a Content-Type.
//
// Input: one byte that seeds how the body is cut into pieces, then a Content-Type line ending in
// '\n', then the body. When the Content-Type has no valid boundary, a fixed one is used so that
// the body is still read.
//
// Properties:
// - multipart_boundary answers a boundary of 1-70 characters or an invalid_argument naming
//   Content-Type; nothing throws or crashes.
// - the reader's events are well-formed: begin, data..., end for each part, at most 64 parts,
//   and no event after an error; every error is invalid_argument or too_large with a sentence
//   (a clean 400 or 413), never an exception.
// - a part handed on has a name and a file name of valid UTF-8: a part whose name or file name
//   is not (a Latin-1 "caf\xe9.zip", a stray 0xFF) is refused before its content.
// - streaming does not change the outcome: the body fed in pieces (any sizes, a delimiter cut
//   anywhere) gives exactly the parts, contents and verdict of the body fed whole.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_validation.h"
#include "http/multipart_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ledger::Errc;
using ledger::Status;
using ledger::http::MultipartHandler;
using ledger::http::MultipartPart;
using ledger::http::MultipartReader;

struct ReadPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string data;
  bool ended = false;

  bool operator==(const ReadPart&) const = default;
};

// Records the parts, checking the order of events.
class Recorder final : public MultipartHandler {
 public:
  Status on_part_begin(const MultipartPart& part) override {
    FUZZ_CHECK(parts.empty() || parts.back().ended, "a part began before the last one ended");
    FUZZ_CHECK(ledger::is_valid_utf8(part.name), "a part name that is not UTF-8 was handed on");
    FUZZ_CHECK(ledger::is_valid_utf8(part.filename), "a file name that is not UTF-8 was handed on");
    parts.push_back({part.name, part.filename, part.content_type, "", false});
    FUZZ_CHECK(parts.size() <= MultipartReader::kPartsMax, "more parts than the limit");
    return {};
  }
  Status on_part_data(std::string_view bytes) override {
    FUZZ_CHECK(!parts.empty() && !parts.back().ended, "data outside a part");
    FUZZ_CHECK(!bytes.empty(), "an empty data piece");
    parts.back().data.append(bytes);
    return {};
  }
  Status on_part_end() override {
    FUZZ_CHECK(!parts.empty() && !parts.back().ended, "a part ended twice or never began");
    parts.back().ended = true;
    return {};
  }

  std::vector<ReadPart> parts;
};

struct Outcome {
  std::vector<ReadPart> parts;
  bool ok = false;
  Errc code = Errc::internal;
  bool complete = false;
};

void check_error(const ledger::Error& error) {
  FUZZ_CHECK(error.code == Errc::invalid_argument || error.code == Errc::too_large,
             std::string(ledger::errc_name(error.code)) + ": " + error.message);
  FUZZ_CHECK(!error.message.empty(), "an error without a sentence");
}

// Feeds `body` in pieces whose sizes come from `seed` (0: whole), then finishes.
Outcome read(std::string_view boundary, std::string_view body, std::uint32_t seed) {
  Recorder recorder;
  MultipartReader reader(boundary, recorder);
  Outcome outcome;
  Status status;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t piece = body.size() - at;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      piece = std::min<std::size_t>(piece, 1 + (seed >> 16) % 97);
    }
    status = reader.feed(body.substr(at, piece));
    at += piece;
    if (!status) break;
  }
  if (status) status = reader.finish();
  if (!status) {
    check_error(status.error());
    const std::size_t events = recorder.parts.size();
    FUZZ_CHECK(!reader.feed("more").ok(), "a failed reader accepted more");
    FUZZ_CHECK(recorder.parts.size() == events, "events after an error");
    outcome.code = status.error().code;
  }
  outcome.ok = status.ok();
  outcome.complete = reader.complete();
  if (outcome.ok) {
    for (const auto& part : recorder.parts) FUZZ_CHECK(part.ended, "a complete body's part open");
  }
  outcome.parts = std::move(recorder.parts);
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint32_t seed = data[0] | 1u;  // odd: never 0, so the pieces really are pieces
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t newline = rest.find('\n');
  const std::string_view content_type = rest.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);

  std::string boundary = "fuzz-boundary";
  auto parsed = ledger::http::multipart_boundary(content_type);
  if (parsed) {
    FUZZ_CHECK(!parsed->empty() && parsed->size() <= 70, "boundary length " + *parsed);
    boundary = *parsed;
  } else {
    FUZZ_CHECK(parsed.error().code == Errc::invalid_argument, parsed.error().message);
    FUZZ_CHECK(parsed.error().field == "Content-Type", "the refusal names " + parsed.error().field);
  }

  const Outcome whole = read(boundary, body, 0);
  const Outcome pieces = read(boundary, body, seed);
  FUZZ_CHECK(whole.ok == pieces.ok, "whole and in pieces disagree on the verdict");
  FUZZ_CHECK(whole.complete == pieces.complete, "whole and in pieces disagree on completion");
  if (!whole.ok) {
    FUZZ_CHECK(whole.code == pieces.code, "whole and in pieces fail differently");
  } else {
    FUZZ_CHECK(whole.parts == pieces.parts, "whole and in pieces read different parts");
  }
  return 0;
}
