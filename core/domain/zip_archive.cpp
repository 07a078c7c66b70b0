#include "core/domain/zip_archive.h"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/text_validation.h"

namespace ledger::domain {
namespace {

constexpr std::string_view kLocalHeader("PK\x03\x04", 4);
constexpr std::string_view kEndOfDirectory("PK\x05\x06", 4);
constexpr std::size_t kEndRecordBytes = 22;
// Deflate cannot expand a stream by more than this (zlib's technical details).
constexpr std::uint64_t kDeflateRatioMax = 1032;
constexpr std::uint32_t kUnixFileTypeMask = 0170000;
constexpr std::uint32_t kUnixSymbolicLink = 0120000;
constexpr std::size_t kQuotedNameMax = 200;

std::size_t little_endian16(std::string_view bytes, std::size_t at) {
  return static_cast<unsigned char>(bytes[at]) |
         (static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + 1])) << 8);
}

Error refused_zip(std::string message) {
  return make_error(Errc::invalid_argument, std::move(message), "file");
}

// "entry 3 ("a/b.html")", the name quoted only when it is printable.
std::string describe(const ZipEntry& entry, std::size_t index) {
  if (entry.name.size() <= kQuotedNameMax &&
      check_text("file", entry.name, TextKind::short_text).ok()) {
    return fmt::format("zip entry {} (\"{}\")", index + 1, entry.name);
  }
  return fmt::format("zip entry {}", index + 1);
}

bool is_absolute(std::string_view name) {
  const bool drive =
      name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0])) != 0;
  return name.front() == '/' || name.front() == '\\' || drive;
}

bool has_parent_segment(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = std::min(name.find('/', start), name.size());
    if (name.substr(start, slash - start) == "..") return true;
    start = slash + 1;
  }
  return false;
}

bool has_control_byte(std::string_view name) {
  return std::any_of(name.begin(), name.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// Where extracting the entry would write: refused when outside the extraction directory.
Status check_entry_name(const ZipEntry& entry, std::size_t index, const ZipLimits& limits) {
  const std::string_view name = entry.name;
  if (name.empty() || name.size() > limits.entry_name_bytes_max) {
    return refused_zip(fmt::format("{} has an empty name or one over {} bytes",
                                   describe(entry, index), limits.entry_name_bytes_max));
  }
  if (has_control_byte(name)) {
    return refused_zip(
        fmt::format("{} has a control character in its name", describe(entry, index)));
  }
  if (is_absolute(name)) {
    return refused_zip(fmt::format("{} has an absolute path", describe(entry, index)));
  }
  if (name.find('\\') != std::string_view::npos) {
    return refused_zip(fmt::format("{} has a backslash in its path", describe(entry, index)));
  }
  if (has_parent_segment(name)) {
    return refused_zip(fmt::format("{} has a \"..\" segment in its path", describe(entry, index)));
  }
  return {};
}

bool declared_sizes_possible(const ZipEntry& entry, std::uint64_t archive_bytes) {
  if (entry.compressed_size > archive_bytes) return false;
  if (entry.compression_method == ZIP_CM_STORE) return entry.size == entry.compressed_size;
  return entry.size / kDeflateRatioMax <= entry.compressed_size;
}

Status check_entry_kind(const ZipEntry& entry, std::size_t index, std::uint64_t archive_bytes) {
  if (entry.encrypted) {
    return refused_zip(fmt::format("{} is encrypted", describe(entry, index)));
  }
  if (entry.symbolic_link) {
    return refused_zip(fmt::format("{} is a symbolic link", describe(entry, index)));
  }
  if (entry.compression_method != ZIP_CM_STORE && entry.compression_method != ZIP_CM_DEFLATE) {
    return refused_zip(fmt::format("{} is compressed with method {} (only stored and deflate)",
                                   describe(entry, index), entry.compression_method));
  }
  if (!declared_sizes_possible(entry, archive_bytes)) {
    return refused_zip(fmt::format("{} declares sizes that cannot be", describe(entry, index)));
  }
  return {};
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

Result<ZipEntry> read_entry(zip_t* archive, zip_uint64_t index) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, index, ZIP_FL_ENC_RAW, &stat) != 0 || stat.name == nullptr) {
    return refused_zip(fmt::format("zip entry {} cannot be read", index + 1));
  }
  ZipEntry entry;
  entry.name = stat.name;
  entry.size = stat.size;
  entry.compressed_size = stat.comp_size;
  entry.compression_method = stat.comp_method;
  entry.encrypted = stat.encryption_method != ZIP_EM_NONE;
  zip_uint8_t system = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(archive, index, 0, &system, &attributes) == 0 &&
      system == ZIP_OPSYS_UNIX) {
    entry.symbolic_link = ((attributes >> 16) & kUnixFileTypeMask) == kUnixSymbolicLink;
  }
  return entry;
}

Result<std::vector<ZipEntry>> read_entries(const std::filesystem::path& path,
                                           const ZipLimits& limits) {
  int opened = 0;
  ZipHandle archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &opened));
  if (!archive) return refused_zip("the file is not a zip archive (its directory cannot be read)");
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count < 0) return refused_zip("the file is not a zip archive (its directory cannot be read)");
  if (static_cast<std::uint64_t>(count) > limits.entries_max) {
    return refused_zip(fmt::format("the zip archive has {} entries, over the limit of {}", count,
                                   limits.entries_max));
  }
  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (zip_int64_t index = 0; index < count; ++index) {
    auto entry = read_entry(archive.get(), static_cast<zip_uint64_t>(index));
    if (!entry) return std::move(entry).error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

}  // namespace

Status check_zip_archive(std::string_view head, std::string_view tail) {
  const Error not_zip = make_error(Errc::invalid_argument, "the file is not a zip archive", "file");
  if (head != kLocalHeader && head != kEndOfDirectory) return not_zip;
  if (tail.size() < kEndRecordBytes) return not_zip;
  // The end record is the last "PK\5\6" whose comment length reaches exactly the end.
  for (std::size_t at = tail.size() - kEndRecordBytes + 1; at-- > 0;) {
    if (tail.compare(at, kEndOfDirectory.size(), kEndOfDirectory) != 0) continue;
    if (at + kEndRecordBytes + little_endian16(tail, at + 20) == tail.size()) return {};
  }
  return not_zip;
}

Status check_zip_entries(const std::vector<ZipEntry>& entries, std::uint64_t archive_bytes,
                         const ZipLimits& limits) {
  if (entries.size() > limits.entries_max) {
    return refused_zip(fmt::format("the zip archive has {} entries, over the limit of {}",
                                   entries.size(), limits.entries_max));
  }
  std::uint64_t unpacked_bytes = 0;
  for (std::size_t index = 0; index < entries.size(); ++index) {
    const ZipEntry& entry = entries[index];
    if (auto name = check_entry_name(entry, index, limits); !name) return name;
    if (auto kind = check_entry_kind(entry, index, archive_bytes); !kind) return kind;
    if (entry.size > limits.uncompressed_bytes_max - unpacked_bytes) {
      return refused_zip(fmt::format(
          "the zip archive declares more than {} bytes unpacked (the limit of an upload's "
          "unpacked files)",
          limits.uncompressed_bytes_max));
    }
    unpacked_bytes += entry.size;
  }
  return {};
}

Status check_zip_file(const std::filesystem::path& path, const ZipLimits& limits) {
  std::error_code failed;
  const std::uint64_t archive_bytes = std::filesystem::file_size(path, failed);
  if (failed) return make_error(Errc::io_error, "the uploaded file cannot be read");
  auto entries = read_entries(path, limits);
  if (!entries) return std::move(entries).error();
  return check_zip_entries(*entries, archive_bytes, limits);
}

}  // namespace ledger::domain
