// LatencyRecorder: exact small values, bounded relative error above, percentiles by rank, merge.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "tools/load/latency_recorder.h"

namespace ledger::load {
namespace {

TEST_CASE("an empty recorder answers zero for every percentile") {
  LatencyRecorder recorder;
  CHECK(recorder.count() == 0);
  CHECK(recorder.percentile_us(50) == 0);
  CHECK(recorder.percentile_us(100) == 0);
  CHECK(recorder.max_us() == 0);
  CHECK(recorder.min_us() == 0);
}

TEST_CASE("values below 128 microseconds are kept exactly") {
  for (std::uint64_t value = 0; value < 128; ++value) {
    CAPTURE(value);
    LatencyRecorder recorder;
    recorder.record(value);
    CHECK(recorder.percentile_us(50) == value);
    CHECK(recorder.percentile_us(99.9) == value);
  }
}

TEST_CASE("every value falls in a bucket whose bounds hold it within 1/64 of itself") {
  std::mt19937_64 random(42);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t value = random() >> (random() % 64);
    const std::size_t index = LatencyRecorder::bucket_index(value);
    CAPTURE(value);
    REQUIRE(index < LatencyRecorder::kBucketCount);
    const std::uint64_t lowest = LatencyRecorder::bucket_lowest(index);
    const std::uint64_t highest = LatencyRecorder::bucket_highest(index);
    CHECK(lowest <= value);
    CHECK(value <= highest);
    CHECK((highest - lowest) <= lowest / 64);
  }
}

TEST_CASE("buckets are contiguous and ordered up to the largest 64-bit value") {
  for (std::size_t index = 1; index < LatencyRecorder::kBucketCount; ++index) {
    CAPTURE(index);
    CHECK(LatencyRecorder::bucket_lowest(index) == LatencyRecorder::bucket_highest(index - 1) + 1);
  }
  CHECK(LatencyRecorder::bucket_highest(LatencyRecorder::kBucketCount - 1) == UINT64_MAX);
  CHECK(LatencyRecorder::bucket_index(UINT64_MAX) == LatencyRecorder::kBucketCount - 1);
}

TEST_CASE("percentiles of 1..10000 answer the value of that rank within the precision") {
  LatencyRecorder recorder;
  for (std::uint64_t value = 1; value <= 10000; ++value) recorder.record(value);
  CHECK(recorder.count() == 10000);
  CHECK(recorder.min_us() == 1);
  CHECK(recorder.max_us() == 10000);
  CHECK(recorder.mean_us() == doctest::Approx(5000.5));
  for (double percent : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) {
    CAPTURE(percent);
    const auto exact = static_cast<double>(percent * 100);
    const auto answered = static_cast<double>(recorder.percentile_us(percent));
    CHECK(answered >= exact);
    CHECK(answered <= exact * (1 + 1.0 / 64));
  }
  CHECK(recorder.percentile_us(100) == 10000);
  CHECK(recorder.percentile_us(0) == 1);
}

TEST_CASE("a percentile never answers more than the largest recorded value") {
  LatencyRecorder recorder;
  recorder.record(1'000'001);  // in a bucket that reaches past it
  CHECK(recorder.percentile_us(99.9) == 1'000'001);
}

TEST_CASE("one slow sample in a thousand shows at p99.9 and not at p99") {
  LatencyRecorder recorder;
  for (int i = 0; i < 999; ++i) recorder.record(100);
  recorder.record(50'000);
  CHECK(recorder.percentile_us(99) == 100);
  CHECK(recorder.percentile_us(99.9) == 100);
  CHECK(recorder.percentile_us(99.95) >= 50'000);
  CHECK(recorder.max_us() == 50'000);
}

TEST_CASE("merging two recorders is the same as recording everything in one") {
  LatencyRecorder first, second, both;
  for (std::uint64_t value = 0; value < 5000; ++value) {
    (value % 3 ? first : second).record(value * 37);
    both.record(value * 37);
  }
  first.merge(second);
  CHECK(first.count() == both.count());
  CHECK(first.min_us() == both.min_us());
  CHECK(first.max_us() == both.max_us());
  CHECK(first.mean_us() == doctest::Approx(both.mean_us()));
  for (double percent : {0.0, 25.0, 50.0, 99.0, 99.9, 100.0}) {
    CHECK(first.percentile_us(percent) == both.percentile_us(percent));
  }
}

}  // namespace
}  // namespace ledger::load
