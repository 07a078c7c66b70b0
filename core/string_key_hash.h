// StringKeyHash: lets an unordered container keyed by std::string be searched with a
// std::string_view (or a const char*) without building a std::string for the lookup. Use with
// std::equal_to<> as the key equality.
//
// Deliberately not noexcept: libstdc++ then keeps each node's hash code beside it, so a lookup
// compares codes before keys and never hashes a stored key again (with a noexcept hash it
// rehashes the key of every node it passes in a bucket, to find where the bucket ends).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ledger {

struct StringKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace ledger
