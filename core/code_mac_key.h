// The server's key for the short codes it sends to users (email verification codes).
//
// A 6-digit code has a million values: stored as a bare SHA-256 it is found by trying them all in
// well under a second. It is stored instead as the keyed MAC
//   HMAC-SHA256(key, purpose || 0x00 || user id || 0x00 || code), in lower-case hex,
// which cannot be checked, and so cannot be brute-forced, without the key. The purpose and the
// user id bind a MAC to one use and one user. The key is 256 random bits kept outside the store,
// in DATA_DIR/secrets/code-mac-key (mode 0600, made atomically on first start), so a copy of the
// event log alone reveals no code.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger {

class CodeMacKey {
 public:
  static constexpr std::size_t kBytes = 32;

  // A fresh random key.
  static CodeMacKey generate();

  // The key made of `bytes`, which must be exactly kBytes long (asserted).
  static CodeMacKey from_bytes(std::string bytes);

  // The hex MAC under which `code`, sent to `user_id` for `purpose`, is stored.
  std::string code_mac(std::string_view purpose, std::string_view user_id,
                       std::string_view code) const;

  // The key itself, for writing it into a backup (save_code_mac_key); never logged or shown.
  const std::string& bytes() const { return bytes_; }

 private:
  explicit CodeMacKey(std::string bytes);
  std::string bytes_;
};

// Where a data directory keeps its code MAC key.
std::filesystem::path code_mac_key_path(const std::filesystem::path& data_dir);

// Reads the data directory's key, first creating it when absent (DATA_DIR/secrets/, mode 0700;
// the key file 0600, written to a temporary file, synced and linked into place, so a crash or a
// second process never leaves a partial key). io_error naming the file when it cannot be made or
// read, when it does not hold exactly 32 bytes, or when its mode lets others than its owner read
// or write it.
Result<CodeMacKey> load_or_create_code_mac_key(const std::filesystem::path& data_dir);

// Writes `key` as `data_dir`'s key, made as above: backups carry the key, or codes sent before a
// restore could no longer be checked after it. Ok when `data_dir` already holds this very key;
// io_error when it holds another or the key cannot be written.
Status save_code_mac_key(const CodeMacKey& key, const std::filesystem::path& data_dir);

// The same from one data directory (or backup) to another: ok without copying anything when
// `from_data_dir` has no key (made before keys existed); io_error when its key is damaged.
Status copy_code_mac_key(const std::filesystem::path& from_data_dir,
                         const std::filesystem::path& to_data_dir);

}  // namespace ledger
