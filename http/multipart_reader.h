// MultipartReader: reads a multipart/form-data body (RFC 7578, RFC 2046) as it arrives, in
// pieces of any size, holding no more than one piece plus a delimiter's length: each part's
// headers are parsed and its content handed on as it comes, so a 50 MiB upload never sits in
// memory.
//
// Limits (each answered with a clear error, after which the reader takes nothing more):
// a part's header block at most 8 KiB, at most 64 parts, a preamble of at most 16 KiB. A part
// whose name or file name is not valid UTF-8 is refused (the file name's error names the part).
// A body that ends before the closing delimiter is refused by finish() ("truncated").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger::http {

struct MultipartPart {
  std::string name;          // Content-Disposition: form-data; name="..."
  std::string filename;      // ...; filename="..." (empty for plain fields)
  std::string content_type;  // the part's Content-Type, empty when absent
};

// Receives the parts in order: begin, any number of data pieces, end. An error from any call
// stops the reader and is returned by the feed() that caused it.
class MultipartHandler {
 public:
  virtual ~MultipartHandler() = default;
  virtual Status on_part_begin(const MultipartPart& part) = 0;
  virtual Status on_part_data(std::string_view bytes) = 0;
  virtual Status on_part_end() = 0;
};

// The boundary of a Content-Type value "multipart/form-data; boundary=..." (quoted or not);
// invalid_argument when the type is another or the boundary is missing or malformed.
Result<std::string> multipart_boundary(std::string_view content_type);

class MultipartReader {
 public:
  static constexpr std::size_t kHeaderBytesMax = 8 * 1024;
  static constexpr std::size_t kPartsMax = 64;
  static constexpr std::size_t kPreambleBytesMax = 16 * 1024;

  MultipartReader(std::string_view boundary, MultipartHandler& handler);

  Status feed(std::string_view bytes);
  // After the last byte: ok only when the closing delimiter was read.
  Status finish();
  bool complete() const { return state_ == State::epilogue; }

 private:
  enum class State { preamble, after_delimiter, headers, body, epilogue, failed };

  Status step(bool& progressed);
  Status fail(Error error);
  Status parse_headers(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartHandler& handler_;
  std::string pending_;
  State state_ = State::preamble;
  std::size_t parts_ = 0;
  std::size_t preamble_bytes_ = 0;
  Error error_;
};

}  // namespace ledger::http
