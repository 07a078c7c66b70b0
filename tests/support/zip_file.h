// Builds zip archives byte by byte for the upload tests: ordinary ones, and ones that lie or
// reach outside their directory (names, declared sizes, flags, symbolic links), which a zip
// library would refuse to write.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ledger::testing {

struct ZipFileEntry {
  std::string name;
  std::string content;                         // stored as is (method 0) unless method says
  std::optional<std::uint32_t> declared_size;  // the unpacked size claimed (default: the truth)
  std::uint16_t method = 0;                    // 0 stored, 8 deflate, 12 bzip2, ...
  bool encrypted = false;                      // general purpose flag bit 0
  bool symbolic_link = false;                  // made on Unix with mode 0120777
};

inline std::uint32_t crc32_of(const std::string& bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> entries{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      entries[n] = c;
    }
    return entries;
  }();
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) crc = table[(crc ^ byte) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

inline void put16(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>((value >> 8) & 0xff));
}
inline void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}

// The fields local and central headers share, from "version needed" to the extra field length.
inline std::string zip_common_header(const ZipFileEntry& entry) {
  std::string out;
  put16(out, 20);                       // version needed: 2.0
  put16(out, entry.encrypted ? 1 : 0);  // flags
  put16(out, entry.method);
  put16(out, 0);     // time
  put16(out, 0x21);  // date: 1980-01-01
  put32(out, crc32_of(entry.content));
  put32(out, static_cast<std::uint32_t>(entry.content.size()));
  put32(out, entry.declared_size.value_or(static_cast<std::uint32_t>(entry.content.size())));
  put16(out, static_cast<std::uint32_t>(entry.name.size()));
  put16(out, 0);  // extra field length
  return out;
}

inline std::string zip_file(const std::vector<ZipFileEntry>& entries,
                            const std::string& comment = "") {
  std::string archive;
  std::string directory;
  for (const auto& entry : entries) {
    const auto offset = static_cast<std::uint32_t>(archive.size());
    put32(archive, 0x04034b50);
    archive += zip_common_header(entry) + entry.name + entry.content;
    put32(directory, 0x02014b50);
    put16(directory, (3u << 8) | 20u);  // made by: Unix, 2.0
    directory += zip_common_header(entry);
    put16(directory, 0);  // comment length
    put16(directory, 0);  // disk
    put16(directory, 0);  // internal attributes
    put32(directory, (entry.symbolic_link ? 0120777u : 0100644u) << 16);
    put32(directory, offset);
    directory += entry.name;
  }
  const auto directory_offset = static_cast<std::uint32_t>(archive.size());
  archive += directory;
  put32(archive, 0x06054b50);
  put16(archive, 0);
  put16(archive, 0);
  put16(archive, static_cast<std::uint32_t>(entries.size()));
  put16(archive, static_cast<std::uint32_t>(entries.size()));
  put32(archive, static_cast<std::uint32_t>(directory.size()));
  put32(archive, directory_offset);
  put16(archive, static_cast<std::uint32_t>(comment.size()));
  return archive + comment;
}

}  // namespace ledger::testing
