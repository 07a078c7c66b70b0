// Builds multipart/form-data bodies and zip archives for the upload tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/zip_file.h"

namespace ledger::testing {

inline constexpr char kMultipartBoundary[] = "ledger-test-boundary-3f9a";

inline std::string multipart_content_type() {
  return std::string("multipart/form-data; boundary=") + kMultipartBoundary;
}

// The fields in order, then (unless `file_name` is empty) the file part, then the closing line.
inline std::string multipart_body(const std::vector<std::pair<std::string, std::string>>& fields,
                                  const std::string& file_name, const std::string& file,
                                  bool close = true) {
  const std::string dash = std::string("--") + kMultipartBoundary;
  std::string body;
  for (const auto& [name, value] : fields) {
    body +=
        dash + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  if (!file_name.empty()) {
    body += dash + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
            "\"\r\nContent-Type: application/zip\r\n\r\n";
    body += file;
    body += "\r\n";
  }
  if (close) body += dash + "--\r\n";
  return body;
}

// A zip archive of exactly `size` bytes (at least 118): one stored entry "index.html" of
// pseudo-random bytes, so that two seeds give two different blobs.
inline std::string zip_shaped_file(std::size_t size, std::uint32_t seed) {
  constexpr std::size_t kOverheadBytes = 118;  // headers, directory and end record
  std::mt19937 random(seed);
  std::string content;
  content.reserve(size - kOverheadBytes);
  while (content.size() + kOverheadBytes < size) content.push_back(static_cast<char>(random()));
  return zip_file({{"index.html", std::move(content)}});
}

}  // namespace ledger::testing
