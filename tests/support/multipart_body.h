// Builds multipart/form-data bodies and zip-shaped files for the upload tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

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
    body += dash + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
            "\r\n";
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

// `size` bytes shaped like a zip archive (a local file header first, an end-of-central-directory
// record last), pseudo-random in between so that two seeds give two different blobs.
inline std::string zip_shaped_file(std::size_t size, std::uint32_t seed) {
  std::string file("PK\x03\x04", 4);
  std::mt19937 random(seed);
  while (file.size() + 22 < size) file.push_back(static_cast<char>(random() & 0xff));
  file += std::string("PK\x05\x06", 4) + std::string(18, '\0');
  return file;
}

}  // namespace ledger::testing
