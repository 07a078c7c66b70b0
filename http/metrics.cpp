#include "http/metrics.h"

#include <fmt/format.h>

namespace ledger::http {

std::string prometheus_label(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      escaped.push_back('\\');
      escaped.push_back(c);
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

void Metrics::record_request(std::string_view route, beast_http::verb method, unsigned status,
                             std::uint64_t latency_us) {
  std::atomic<std::uint64_t>* counter;
  RouteLatency* latency;
  {
    std::lock_guard lock(mutex_);
    RequestKey key{std::string(route), std::string(beast_http::to_string(method)), status};
    auto& slot = requests_[key];
    if (!slot) slot = std::make_unique<std::atomic<std::uint64_t>>(0);
    counter = slot.get();
    auto it = latencies_.find(route);
    if (it == latencies_.end()) {
      it = latencies_.emplace(std::string(route), std::make_unique<RouteLatency>()).first;
    }
    latency = it->second.get();
  }
  counter->fetch_add(1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < kLatencyBucketsUs.size() && latency_us > kLatencyBucketsUs[bucket]) ++bucket;
  latency->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  latency->count.fetch_add(1, std::memory_order_relaxed);
  latency->sum_us.fetch_add(latency_us, std::memory_order_relaxed);
}

void Metrics::add_source(std::function<std::string()> render) {
  std::lock_guard lock(mutex_);
  sources_.push_back(std::move(render));
}

std::string Metrics::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP ledger_http_requests_total HTTP requests answered, by route, method and status.\n";
  out += "# TYPE ledger_http_requests_total counter\n";
  for (const auto& [key, counter] : requests_) {
    const auto& [route, method, status] = key;
    out +=
        fmt::format("ledger_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                    prometheus_label(route), method, status, counter->load());
  }
  out +=
      "# HELP ledger_http_request_duration_seconds Time from a request read to its answer "
      "written.\n";
  out += "# TYPE ledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, latency] : latencies_) {
    std::uint64_t cumulative = 0;
    const std::string label = prometheus_label(route);
    for (std::size_t i = 0; i <= kLatencyBucketsUs.size(); ++i) {
      cumulative += latency->buckets[i].load();
      const std::string bound =
          i < kLatencyBucketsUs.size()
              ? fmt::format("{}", static_cast<double>(kLatencyBucketsUs[i]) / 1e6)
              : "+Inf";
      out +=
          fmt::format("ledger_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                      label, bound, cumulative);
    }
    out += fmt::format("ledger_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                       static_cast<double>(latency->sum_us.load()) / 1e6);
    out += fmt::format("ledger_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                       latency->count.load());
  }
  for (const auto& source : sources_) out += source();
  return out;
}

}  // namespace ledger::http
