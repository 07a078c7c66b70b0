// Hexadecimal spelling of hashes (see events/hex.h for byte strings).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/sha256.h"
#include "events/hex.h"

namespace ledger {

inline std::string to_hex(const Hash256& hash) { return to_hex(hash_bytes(hash)); }

// The hash spelled by `hex` (64 hex digits), or nullopt.
std::optional<Hash256> hash_from_hex(std::string_view hex);

}  // namespace ledger
