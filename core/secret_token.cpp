#include "core/secret_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "core/assert.h"
#include "core/hex.h"
#include "core/secure_random.h"

namespace ledger {

std::string new_secret_token() { return "lct_" + to_hex(secure_random_bytes(32)); }

std::string token_digest(std::string_view token) { return to_hex(sha256(token)); }

Hash256 hmac_sha256(std::string_view key, std::string_view message) {
  Hash256 digest{};
  unsigned int length = 0;
  const auto* result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                            digest.data(), &length);
  LEDGER_ASSERT(result != nullptr && length == digest.size(), "HMAC-SHA256 failed");
  return digest;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ledger
