// The server's code MAC key: made once per data directory (0600, 32 bytes), then read back the
// same; a damaged or exposed key file is refused rather than silently replaced.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/code_mac_key.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  return status.st_mode & 0777;
}

void write_file(const std::filesystem::path& path, const std::string& bytes, mode_t mode) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

TEST_CASE("the code MAC key is made once per data directory, owner-only, and read back the same") {
  testing::TempDirectory dir;
  auto first = load_or_create_code_mac_key(dir.path());
  REQUIRE_MESSAGE(first.ok(), first.error().message);
  const auto path = code_mac_key_path(dir.path());
  CHECK(path == dir.path() / "secrets" / "code-mac-key");
  CHECK(std::filesystem::file_size(path) == CodeMacKey::kBytes);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path.parent_path()) == 0700);
  auto again = load_or_create_code_mac_key(dir.path());
  REQUIRE(again.ok());
  CHECK(again->code_mac("p", "u1", "123456") == first->code_mac("p", "u1", "123456"));

  testing::TempDirectory other;
  auto elsewhere = load_or_create_code_mac_key(other.path());
  REQUIRE(elsewhere.ok());
  CHECK(elsewhere->code_mac("p", "u1", "123456") != first->code_mac("p", "u1", "123456"));
}

TEST_CASE("a code MAC binds purpose, user and code, and is not the code's bare hash") {
  const auto key = CodeMacKey::from_bytes(std::string(CodeMacKey::kBytes, 'k'));
  const std::string mac = key.code_mac("email-verification", "u1", "123456");
  CHECK(mac.size() == 64);
  CHECK(mac != to_hex(sha256("123456")));
  CHECK(mac != key.code_mac("password-reset", "u1", "123456"));
  CHECK(mac != key.code_mac("email-verification", "u2", "123456"));
  CHECK(mac != key.code_mac("email-verification", "u1", "123457"));
  // The separator keeps the fields apart: "u1" + "1..." is not "u11" + "...".
  CHECK(key.code_mac("p", "u1", "123") != key.code_mac("p", "u11", "23"));
}

TEST_CASE("a key file of the wrong size, readable by others, or not a file is refused") {
  testing::TempDirectory dir;
  const auto path = code_mac_key_path(dir.path());
  write_file(path, std::string(31, 'k'), 0600);
  auto short_key = load_or_create_code_mac_key(dir.path());
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.error().message.find("exactly 32 bytes") != std::string::npos);
  CHECK(std::filesystem::file_size(path) == 31);  // refused, never replaced

  write_file(path, std::string(33, 'k'), 0600);
  CHECK_FALSE(load_or_create_code_mac_key(dir.path()).ok());

  write_file(path, std::string(32, 'k'), 0644);
  auto exposed = load_or_create_code_mac_key(dir.path());
  REQUIRE_FALSE(exposed.ok());
  CHECK(exposed.error().message.find("0600") != std::string::npos);

  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  CHECK_FALSE(load_or_create_code_mac_key(dir.path()).ok());
}

TEST_CASE("a key copied into a backup is the same key, and never overwrites another one") {
  testing::TempDirectory dir;
  const auto source = dir.path() / "data";
  const auto backup = dir.path() / "backup";
  CHECK(copy_code_mac_key(source, backup).ok());  // a data directory from before keys: nothing
  CHECK_FALSE(std::filesystem::exists(code_mac_key_path(backup)));
  auto key = load_or_create_code_mac_key(source);
  REQUIRE(key.ok());
  REQUIRE(copy_code_mac_key(source, backup).ok());
  auto copied = load_or_create_code_mac_key(backup);
  REQUIRE(copied.ok());
  CHECK(copied->code_mac("verify", "u1", "123456") == key->code_mac("verify", "u1", "123456"));
  CHECK(save_code_mac_key(*key, backup).ok());  // the same key again: nothing to do
  auto refused = save_code_mac_key(CodeMacKey::generate(), backup);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("another key") != std::string::npos);
  auto still = load_or_create_code_mac_key(backup);
  REQUIRE(still.ok());
  CHECK(still->code_mac("verify", "u1", "123456") == key->code_mac("verify", "u1", "123456"));
}

}  // namespace
}  // namespace ledger
