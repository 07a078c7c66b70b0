// Server-made identifiers: ULIDs (26 characters of Crockford base32), sortable by creation time.
//
// The first 48 bits are the millisecond timestamp from the injected clock, the last 80 bits come
// from a secure random source; ids made within one millisecond are strictly increasing (the
// random part is incremented). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace ledger {

class IdGenerator {
 public:
  explicit IdGenerator(const Clock& clock) : clock_(clock) {}

  std::string next();

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::uint64_t last_millis_ = 0;
  std::uint16_t random_high_ = 0;  // top 16 of the 80 random bits
  std::uint64_t random_low_ = 0;   // bottom 64 of the 80 random bits
};

// True when `text` has the shape of an id this generator makes.
bool is_well_formed_id(std::string_view text);

}  // namespace ledger
