// RateLimiter: token buckets per key ("login-ip:1.2.3.4", "redeem-user:<id>"), for the attempts
// an attacker would repeat (logins, redeem codes, verification codes).
//
// Each key may spend `burst` attempts at once and earns them back at `per_minute`. A refused
// attempt answers how long to wait (Retry-After). Buckets idle long enough to be full again are
// dropped, so memory stays bounded by the keys active within that time. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace ledger::http {

struct RateLimit {
  double burst = 10;
  double per_minute = 10;
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // Ok when `key` may make an attempt now (and counts it); rate_limited otherwise, with the
  // seconds to wait in `retry_after_seconds`.
  Status attempt(const std::string& key, const RateLimit& limit,
                 std::uint64_t* retry_after_seconds);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_us = 0;
  };
  void sweep(std::int64_t now_us);

  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::int64_t last_sweep_us_ = 0;
};

}  // namespace ledger::http
