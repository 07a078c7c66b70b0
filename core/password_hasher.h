// Password hashing with scrypt (OpenSSL), salted, slow on purpose.
//
// A stored hash is self-describing: "scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>", so the work
// factor can be raised later without invalidating old hashes (they verify with their own
// parameters). Verification compares in constant time. The default (N = 2^15, r = 8, p = 1) uses
// 32 MiB and tens of milliseconds per hash on the project's machine; tests pass a cheaper one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger {

struct PasswordHashOptions {
  std::uint32_t log2_cost = 15;   // N = 2^log2_cost
  std::uint32_t block_size = 8;   // r
  std::uint32_t parallelism = 1;  // p
};

// A new salted hash of `password`.
std::string hash_password(std::string_view password, const PasswordHashOptions& options = {});

// True when `password` matches `stored` (false for a malformed stored hash).
bool verify_password(std::string_view password, std::string_view stored);

// Ok for an acceptable new password (8 to 200 bytes); invalid_argument otherwise.
Status validate_new_password(std::string_view password);

}  // namespace ledger
