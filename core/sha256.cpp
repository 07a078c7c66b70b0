#include "core/sha256.h"

#include <openssl/evp.h>

#include "core/assert.h"

namespace ledger {
namespace {

// Fetched once: EVP_sha256() would look the implementation up on every init.
const EVP_MD* sha256_method() {
  static EVP_MD* method = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  LEDGER_ASSERT(method != nullptr, "OpenSSL has no SHA-256");
  return method;
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  LEDGER_ASSERT(context_ != nullptr, "EVP_MD_CTX_new failed");
  reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::reset() {
  LEDGER_ASSERT(EVP_DigestInit_ex2(context_, sha256_method(), nullptr) == 1, "digest init");
}

void Sha256::update(std::string_view bytes) {
  LEDGER_ASSERT(EVP_DigestUpdate(context_, bytes.data(), bytes.size()) == 1, "digest update");
}

void Sha256::update(const Hash256& bytes) { update(hash_bytes(bytes)); }

Hash256 Sha256::finish() {
  Hash256 digest;
  unsigned int length = 0;
  LEDGER_ASSERT(EVP_DigestFinal_ex(context_, digest.data(), &length) == 1, "digest final");
  LEDGER_ASSERT(length == digest.size(), "SHA-256 digest length");
  return digest;
}

Hash256 sha256(std::string_view bytes) {
  thread_local Sha256 hasher;
  hasher.reset();
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace ledger
