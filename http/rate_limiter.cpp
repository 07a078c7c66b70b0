#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ledger::http {
namespace {

constexpr std::int64_t kSweepEveryUs = 60 * kMicrosPerSecond;
constexpr std::int64_t kIdleBucketUs = 60 * kMicrosPerMinute;

}  // namespace

Status RateLimiter::attempt(const std::string& key, const RateLimit& limit,
                            std::uint64_t* retry_after_seconds) {
  const std::int64_t now = clock_.now_us();
  std::lock_guard lock(mutex_);
  sweep(now);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{limit.burst, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    const double earned = static_cast<double>(now - bucket.updated_us) /
                          static_cast<double>(kMicrosPerMinute) * limit.per_minute;
    bucket.tokens = std::min(limit.burst, bucket.tokens + std::max(0.0, earned));
    bucket.updated_us = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return {};
  }
  const double seconds = (1.0 - bucket.tokens) / limit.per_minute * 60.0;
  if (retry_after_seconds != nullptr) {
    *retry_after_seconds = static_cast<std::uint64_t>(std::max(1.0, std::ceil(seconds)));
  }
  return make_error(Errc::rate_limited, "too many attempts; wait before trying again");
}

void RateLimiter::sweep(std::int64_t now_us) {
  if (now_us - last_sweep_us_ < kSweepEveryUs) return;
  last_sweep_us_ = now_us;
  std::erase_if(buckets_, [&](const auto& entry) {
    return now_us - entry.second.updated_us > kIdleBucketUs;
  });
}

}  // namespace ledger::http
