#include "tools/load/latency_recorder.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace ledger::load {

std::size_t LatencyRecorder::bucket_index(std::uint64_t value) {
  if (value < kSubBucketCount) return static_cast<std::size_t>(value);
  // shift >= 1 and (value >> shift) lies in [64, 128).
  const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - kSubBucketBits;
  const std::uint64_t top = value >> shift;
  assert(top >= kSubBucketHalf && top < kSubBucketCount);
  return static_cast<std::size_t>(kSubBucketCount + (shift - 1) * kSubBucketHalf +
                                  (top - kSubBucketHalf));
}

std::uint64_t LatencyRecorder::bucket_lowest(std::size_t index) {
  if (index < kSubBucketCount) return index;
  const std::size_t offset = index - kSubBucketCount;
  const unsigned shift = static_cast<unsigned>(offset / kSubBucketHalf) + 1;
  const std::uint64_t top = offset % kSubBucketHalf + kSubBucketHalf;
  return top << shift;
}

std::uint64_t LatencyRecorder::bucket_highest(std::size_t index) {
  if (index < kSubBucketCount) return index;
  const std::size_t offset = index - kSubBucketCount;
  const unsigned shift = static_cast<unsigned>(offset / kSubBucketHalf) + 1;
  // The last bucket ends at UINT64_MAX: (top + 1) << shift would overflow to 0, minus 1 wraps to
  // the right answer.
  return bucket_lowest(index) + (std::uint64_t{1} << shift) - 1;
}

void LatencyRecorder::record(std::uint64_t latency_us) {
  ++counts_[bucket_index(latency_us)];
  ++count_;
  sum_us_ += latency_us;
  min_us_ = std::min(min_us_, latency_us);
  max_us_ = std::max(max_us_, latency_us);
}

void LatencyRecorder::merge(const LatencyRecorder& other) {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
}

std::uint64_t LatencyRecorder::percentile_us(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // The rank of the sample answering `percent`, from 1 to count_.
  // Shaved by a relative 1e-12 so that 99.9% of 1000 is rank 999, not 1000 from rounding.
  const double exact_rank = percent / 100.0 * static_cast<double>(count_) * (1 - 1e-12);
  const auto rank =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::ceil(exact_rank)), 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_highest(i), min_us_, max_us_);
  }
  assert(false && "counts_ sum to count_");
  return max_us_;
}

}  // namespace ledger::load
