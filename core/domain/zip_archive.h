// Recognising a zip archive without unpacking it: what an upload must look like to be stored as
// a website version. Deploy targets extract these archives, so an archive is refused when
// extracting it could write outside its directory or fill a disk.
//
// Two steps:
// - check_zip_archive: the shape. A zip archive starts with a local file header ("PK\3\4"), or,
//   when it holds no file, with its end-of-central-directory record ("PK\5\6"); and it ends with
//   that record: 22 bytes whose last two give the length of the comment that follows them (at
//   most 65,535 bytes).
// - check_zip_file: the entries, as the central directory declares them (read with libzip,
//   local headers checked against it). Refused (invalid_argument naming "file"): a file libzip
//   cannot open as a zip; more than entries_max entries; an entry name that is empty, longer
//   than entry_name_bytes_max, absolute ("/x", "\x", "C:x"), holds a ".." segment, a backslash
//   or a control character; an encrypted entry; a symbolic link; a compression method other
//   than stored or deflate; a declared size that cannot be (stored: unpacked != packed; deflate:
//   more than 1032 times its packed size; packed larger than the archive); a total declared
//   unpacked size over uncompressed_bytes_max (a zip bomb).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ledger::domain {

// The tail a caller must pass: the last kZipTailBytes of the file (or all of it when shorter).
inline constexpr std::size_t kZipTailBytes = 22 + 65535;

// Ok when `head` (the first 4 bytes) and `tail` are those of a zip archive; invalid_argument
// naming "file" otherwise.
Status check_zip_archive(std::string_view head, std::string_view tail);

struct ZipLimits {
  std::uint64_t uncompressed_bytes_max = 500ULL << 20;  // all entries together, as declared
  std::uint64_t entries_max = 10'000;
  std::size_t entry_name_bytes_max = 1024;
};

// One entry as the central directory declares it.
struct ZipEntry {
  std::string name;                   // raw bytes (UTF-8 or CP437, as the archive says)
  std::uint64_t size = 0;             // unpacked
  std::uint64_t compressed_size = 0;  // packed
  std::uint16_t compression_method = 0;
  bool encrypted = false;
  bool symbolic_link = false;
};

// The rules above over entries already read (pure); `archive_bytes` is the archive's size.
Status check_zip_entries(const std::vector<ZipEntry>& entries, std::uint64_t archive_bytes,
                         const ZipLimits& limits);

// Opens the archive at `path` with libzip and checks its entries (check_zip_entries).
Status check_zip_file(const std::filesystem::path& path, const ZipLimits& limits);

}  // namespace ledger::domain
