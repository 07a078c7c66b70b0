// Lower-case hexadecimal encoding of byte strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ledger {

std::string to_hex(std::string_view bytes);

// The bytes of `hex` (either case), or nullopt when it is not an even-length hex string.
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace ledger
