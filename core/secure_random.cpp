#include "core/secure_random.h"

#include <openssl/rand.h>

#include <cstring>

#include "core/assert.h"

namespace ledger {

std::string secure_random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (count == 0) return bytes;
  LEDGER_ASSERT(
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) == 1,
      "RAND_bytes failed");
  return bytes;
}

std::uint64_t secure_random_uint64() {
  const std::string bytes = secure_random_bytes(sizeof(std::uint64_t));
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data(), sizeof(value));
  return value;
}

std::uint64_t secure_random_below(std::uint64_t bound) {
  LEDGER_ASSERT(bound > 0, "secure_random_below needs a positive bound");
  // Reject the top slice that would make small values more likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    const std::uint64_t value = secure_random_uint64();
    if (value < limit) return value % bound;
  }
}

}  // namespace ledger
