// SHA-256 over byte strings, backed by OpenSSL's EVP interface (SHA-NI when the CPU has it).
//
// `Sha256` is an incremental hasher meant to be reused: one object per thread, `reset()` between
// messages, no allocation per message. Not thread-safe; cheap to construct.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace ledger {

using Hash256 = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void reset();
  void update(std::string_view bytes);
  void update(const Hash256& bytes);
  Hash256 finish();  // the digest; the hasher must be reset() before reuse

 private:
  evp_md_ctx_st* context_;
};

// One-shot digest of `bytes`.
Hash256 sha256(std::string_view bytes);

// The all-zero hash: the "previous hash" of the first record of a log.
inline constexpr Hash256 kZeroHash{};

inline std::string_view hash_bytes(const Hash256& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

}  // namespace ledger
