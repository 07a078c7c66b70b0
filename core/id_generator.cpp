#include "core/id_generator.h"

#include "core/secure_random.h"

namespace ledger {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string IdGenerator::next() {
  const std::uint64_t millis = static_cast<std::uint64_t>(clock_.now_us() / 1000);
  std::uint64_t time_bits;
  std::uint16_t high;
  std::uint64_t low;
  {
    std::lock_guard lock(mutex_);
    if (millis > last_millis_) {
      last_millis_ = millis;
      random_high_ = static_cast<std::uint16_t>(secure_random_uint64());
      random_low_ = secure_random_uint64();
    } else {
      // Same (or earlier, if the clock stepped back) millisecond: keep order by incrementing.
      if (++random_low_ == 0) ++random_high_;
    }
    time_bits = last_millis_ & ((std::uint64_t{1} << 48) - 1);
    high = random_high_;
    low = random_low_;
  }
  // 128 bits = 48 time + 80 random, written as 26 base32 digits (the first holds 3 bits).
  unsigned __int128 value = (static_cast<unsigned __int128>(time_bits) << 80) |
                            (static_cast<unsigned __int128>(high) << 64) | low;
  std::string id(26, '0');
  for (int i = 25; i >= 0; --i) {
    id[i] = kCrockford[static_cast<unsigned>(value & 31)];
    value >>= 5;
  }
  return id;
}

bool is_well_formed_id(std::string_view text) {
  if (text.size() != 26 || text[0] > '7') return false;
  for (const char c : text) {
    bool found = false;
    for (const char digit : std::string_view(kCrockford)) found = found || c == digit;
    if (!found) return false;
  }
  return true;
}

}  // namespace ledger
