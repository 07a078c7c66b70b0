// LatencyRecorder: a histogram of latencies in microseconds with bounded relative error, in the
// manner of HdrHistogram, for load generators that record millions of samples.
//
// Values below 128 us are kept exactly; above, each power of two is split into 64 equal
// sub-buckets, so a value is known to within 1/64 (1.6%) of itself. Memory is fixed (about 30 KiB)
// whatever the number or size of samples; recording is a few shifts and one increment, with no
// allocation. The exact minimum, maximum, count and sum are kept beside the buckets.
//
// Percentiles answer the highest value equivalent to the bucket holding the rank (never less
// than the true value, never more than the recorded maximum), as HdrHistogram does. Not
// thread-safe: give each thread its own recorder and merge them at the end.
#pragma once

#include <array>
#include <cstdint>

namespace ledger::load {

class LatencyRecorder {
 public:
  void record(std::uint64_t latency_us);
  // Adds every sample of `other` to this recorder.
  void merge(const LatencyRecorder& other);

  // The smallest recorded value v such that at least `percent`% of the samples are <= v (up to
  // the bucket's precision); 0 when nothing was recorded. `percent` is clamped to [0, 100].
  std::uint64_t percentile_us(double percent) const;

  std::uint64_t count() const { return count_; }
  std::uint64_t min_us() const { return count_ ? min_us_ : 0; }
  std::uint64_t max_us() const { return max_us_; }
  double mean_us() const {
    return count_ ? static_cast<double>(sum_us_) / static_cast<double>(count_) : 0.0;
  }

  // Bucket arithmetic, public for tests.
  static std::size_t bucket_index(std::uint64_t value);
  static std::uint64_t bucket_lowest(std::size_t index);
  static std::uint64_t bucket_highest(std::size_t index);

  static constexpr unsigned kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBucketCount = std::uint64_t{1} << kSubBucketBits;  // 128
  static constexpr std::uint64_t kSubBucketHalf = kSubBucketCount / 2;                  // 64
  // Shifts 1..57 cover every 64-bit value.
  static constexpr std::size_t kBucketCount =
      kSubBucketCount + (64 - kSubBucketBits) * kSubBucketHalf;

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_us_ = 0;
  std::uint64_t min_us_ = UINT64_MAX;
  std::uint64_t max_us_ = 0;
};

}  // namespace ledger::load
