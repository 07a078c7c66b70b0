// Cryptographically secure random bytes (OpenSSL's RAND_bytes), for tokens, codes and ids.
// Aborts if the generator cannot be seeded: nothing secret may be made from weak randomness.
#pragma once

#include <cstdint>
#include <string>

namespace ledger {

std::string secure_random_bytes(std::size_t count);
std::uint64_t secure_random_uint64();

// A uniformly random integer in [0, bound), without modulo bias. `bound` must be > 0.
std::uint64_t secure_random_below(std::uint64_t bound);

}  // namespace ledger
