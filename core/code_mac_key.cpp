#include "core/code_mac_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/assert.h"
#include "core/hex.h"
#include "core/secret_token.h"
#include "core/secure_random.h"

namespace ledger {
namespace {

Error key_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(Errc::io_error, fmt::format("the code MAC key {} {}", path.string(), what));
}

Status sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return key_error(directory, fmt::format("cannot be synced: {}", std::strerror(errno)));
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return key_error(directory, "cannot be synced");
  return {};
}

// Writes `key` beside `path` and links it into place: link() never replaces a file, so when two
// processes race, both end up reading the one key that won.
Status write_key_file(const std::filesystem::path& path, std::string_view key) {
  LEDGER_ASSERT(key.size() == CodeMacKey::kBytes, "a code MAC key is 32 bytes");
  const std::filesystem::path temporary =
      path.parent_path() / fmt::format(".code-mac-key.{}.tmp", ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return key_error(path, fmt::format("cannot be created: {}", std::strerror(errno)));
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  const bool linked = written && (::link(temporary.c_str(), path.c_str()) == 0 || errno == EEXIST);
  ::unlink(temporary.c_str());
  if (!linked) return key_error(path, "cannot be written");
  return sync_directory(path.parent_path());
}

// DATA_DIR/secrets/, made owner-only when it is new.
Status make_secrets_directory(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::create_directories(path.parent_path(), error)) {
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, error);
  }
  if (error) return key_error(path, fmt::format("has no directory: {}", error.message()));
  return {};
}

Result<CodeMacKey> read_key_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return key_error(path, fmt::format("cannot be read: {}", std::strerror(errno)));
  struct stat status {};
  std::string key(CodeMacKey::kBytes + 1, '\0');
  const bool stated = ::fstat(fd, &status) == 0;
  const ssize_t bytes_read = stated ? ::read(fd, key.data(), key.size()) : -1;
  ::close(fd);
  if (!stated || bytes_read < 0) return key_error(path, "cannot be read");
  if (!S_ISREG(status.st_mode) || (status.st_mode & 077) != 0) {
    return key_error(path, "must be a regular file readable by its owner only (mode 0600)");
  }
  if (static_cast<std::size_t>(bytes_read) != CodeMacKey::kBytes) {
    return key_error(path, fmt::format("must hold exactly {} bytes", CodeMacKey::kBytes));
  }
  key.resize(CodeMacKey::kBytes);
  return CodeMacKey::from_bytes(std::move(key));
}

}  // namespace

CodeMacKey::CodeMacKey(std::string bytes) : bytes_(std::move(bytes)) {
  LEDGER_ASSERT(bytes_.size() == kBytes, "a code MAC key is 32 bytes");
}

CodeMacKey CodeMacKey::generate() { return CodeMacKey(secure_random_bytes(kBytes)); }

CodeMacKey CodeMacKey::from_bytes(std::string bytes) { return CodeMacKey(std::move(bytes)); }

std::string CodeMacKey::code_mac(std::string_view purpose, std::string_view user_id,
                                 std::string_view code) const {
  LEDGER_ASSERT(
      purpose.find('\0') == std::string_view::npos && user_id.find('\0') == std::string_view::npos,
      "purposes and user ids hold no NUL: it separates the MAC's fields");
  std::string message;
  message.reserve(purpose.size() + user_id.size() + code.size() + 2);
  message.append(purpose).push_back('\0');
  message.append(user_id).push_back('\0');
  message.append(code);
  return to_hex(hmac_sha256(bytes_, message));
}

std::filesystem::path code_mac_key_path(const std::filesystem::path& data_dir) {
  return data_dir / "secrets" / "code-mac-key";
}

Result<CodeMacKey> load_or_create_code_mac_key(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = code_mac_key_path(data_dir);
  if (auto made = make_secrets_directory(path); !made) return std::move(made).error();
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
    if (auto created = write_key_file(path, secure_random_bytes(CodeMacKey::kBytes)); !created) {
      return std::move(created).error();
    }
  }
  return read_key_file(path);
}

Status save_code_mac_key(const CodeMacKey& key, const std::filesystem::path& data_dir) {
  const std::filesystem::path path = code_mac_key_path(data_dir);
  if (auto made = make_secrets_directory(path); !made) return made;
  std::error_code error;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
    auto existing = read_key_file(path);
    if (!existing) return std::move(existing).error();
    if (!constant_time_equal(existing->bytes(), key.bytes())) {
      return key_error(path, "exists and holds another key");
    }
    return {};
  }
  return write_key_file(path, key.bytes());
}

Status copy_code_mac_key(const std::filesystem::path& from_data_dir,
                         const std::filesystem::path& to_data_dir) {
  const std::filesystem::path from = code_mac_key_path(from_data_dir);
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(from, error))) return {};
  auto key = read_key_file(from);
  if (!key) return std::move(key).error();
  return save_code_mac_key(*key, to_data_dir);
}

}  // namespace ledger
