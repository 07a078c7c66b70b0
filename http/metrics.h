// Metrics: counters and histograms for GET /metrics, in the Prometheus text format.
//
// Requests are counted by route pattern, method and status, with a latency histogram per route;
// sequencer figures (batches, batch sizes, commands, fsync/write time) and the log head are read
// at scrape time from their sources. Recording is lock-free on the hot path for known routes
// (atomics); a new (route, method, status) combination takes a short lock once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "http/http_types.h"

namespace ledger::http {

class Metrics {
 public:
  // Latency bucket bounds in microseconds (the last bucket is +Inf).
  static constexpr std::array<std::uint64_t, 12> kLatencyBucketsUs = {
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000};

  void record_request(std::string_view route, beast_http::verb method, unsigned status,
                      std::uint64_t latency_us);

  // Adds a source of extra exposition text, called at every scrape (sequencer, store, ...).
  void add_source(std::function<std::string()> render);

  std::string render() const;

 private:
  struct RouteLatency {
    std::array<std::atomic<std::uint64_t>, kLatencyBucketsUs.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
  };
  using RequestKey = std::tuple<std::string, std::string, unsigned>;  // route, method, status

  mutable std::mutex mutex_;
  std::map<RequestKey, std::unique_ptr<std::atomic<std::uint64_t>>> requests_;
  std::map<std::string, std::unique_ptr<RouteLatency>, std::less<>> latencies_;
  std::vector<std::function<std::string()>> sources_;
};

// Escapes a label value for the Prometheus text format.
std::string prometheus_label(std::string_view value);

}  // namespace ledger::http
