#include "projections/agent_analytics.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "projections/analytics_projection.h"

namespace ledger::projections {

Result<std::optional<double>> median_first_reply_seconds(const ProjectionRunner& analytics,
                                                         std::string_view agent_id) {
  const std::string prefix = analytics_first_reply_prefix(agent_id);
  std::vector<std::int64_t> seconds;  // ascending: the keys sort by the zero-padded time
  bool corrupt = false;
  auto scanned = analytics.scan(
      prefix, store::ReadDirection::forward, [&](std::string_view key, std::string_view) {
        const std::string_view rest = key.substr(prefix.size());
        std::int64_t value = 0;
        const auto parsed = std::from_chars(rest.data(), rest.data() + rest.size(), value);
        if (parsed.ec != std::errc() || parsed.ptr == rest.data() + rest.size() ||
            *parsed.ptr != '/') {
          corrupt = true;
          return false;
        }
        seconds.push_back(value);
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  if (corrupt) {
    return make_error(Errc::corruption,
                      fmt::format("a first reply row of agent {} does not read", agent_id));
  }
  if (seconds.empty()) return std::optional<double>();
  const std::size_t middle = seconds.size() / 2;
  if (seconds.size() % 2 == 1) return std::optional<double>(static_cast<double>(seconds[middle]));
  return std::optional<double>(static_cast<double>(seconds[middle - 1] + seconds[middle]) / 2.0);
}

}  // namespace ledger::projections
