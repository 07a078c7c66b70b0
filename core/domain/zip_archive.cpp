#include "core/domain/zip_archive.h"

namespace ledger::domain {
namespace {

constexpr std::string_view kLocalHeader("PK\x03\x04", 4);
constexpr std::string_view kEndOfDirectory("PK\x05\x06", 4);
constexpr std::size_t kEndRecordBytes = 22;

std::size_t little_endian16(std::string_view bytes, std::size_t at) {
  return static_cast<unsigned char>(bytes[at]) |
         (static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + 1])) << 8);
}

}  // namespace

Status check_zip_archive(std::string_view head, std::string_view tail) {
  const Error not_zip =
      make_error(Errc::invalid_argument, "the file is not a zip archive", "file");
  if (head != kLocalHeader && head != kEndOfDirectory) return not_zip;
  if (tail.size() < kEndRecordBytes) return not_zip;
  // The end record is the last "PK\5\6" whose comment length reaches exactly the end.
  for (std::size_t at = tail.size() - kEndRecordBytes + 1; at-- > 0;) {
    if (tail.compare(at, kEndOfDirectory.size(), kEndOfDirectory) != 0) continue;
    if (at + kEndRecordBytes + little_endian16(tail, at + 20) == tail.size()) return {};
  }
  return not_zip;
}

}  // namespace ledger::domain
