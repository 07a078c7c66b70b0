#include "core/hex.h"

#include <cstring>

namespace ledger {

std::optional<Hash256> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto bytes = from_hex(hex);
  if (!bytes) return std::nullopt;
  Hash256 hash;
  std::memcpy(hash.data(), bytes->data(), hash.size());
  return hash;
}

}  // namespace ledger
