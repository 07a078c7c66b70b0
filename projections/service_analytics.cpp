#include "projections/service_analytics.h"

#include <fmt/format.h>

#include <set>

#include "core/domain/accounts.h"
#include "core/domain/validation.h"
#include "events/analytics_state.pb.h"
#include "events/timestamp.h"
#include "projections/analytics_projection.h"

namespace ledger::projections {
namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

std::string shift_days(std::int64_t day_us, std::int64_t days) {
  return events::format_date(day_us + days * kMicrosPerDay);
}

// The days of [first_us, last_us], as "YYYY-MM-DD".
std::vector<std::string> days_between(std::int64_t first_us, std::int64_t last_us) {
  std::vector<std::string> days;
  for (std::int64_t day = first_us; day <= last_us; day += kMicrosPerDay) {
    days.push_back(events::format_date(day));
  }
  return days;
}

struct PeriodFigures {
  std::int64_t revenue_minor = 0;
  std::uint64_t payments = 0;
  std::set<std::string> clients;
  std::vector<DailyRevenue> daily;
};

Result<PeriodFigures> figures(const ProjectionRunner& analytics, std::string_view service,
                              const std::vector<std::string>& days) {
  PeriodFigures figures;
  for (const auto& date : days) {
    const std::string key = analytics_day_key(service, date);
    auto row = analytics.get(key);
    if (!row) return std::move(row).error();
    events::ServiceDay day;
    if (row->has_value() && !day.ParseFromString(**row)) {
      return make_error(Errc::corruption, fmt::format("analytics row {} does not decode", key));
    }
    figures.revenue_minor += day.revenue_minor();
    figures.payments += day.payments();
    figures.daily.push_back({date, day.revenue_minor()});
    const std::string prefix = analytics_active_prefix(service, date);
    auto scanned = analytics.scan(prefix, store::ReadDirection::forward,
                                  [&](std::string_view key, std::string_view) {
                                    figures.clients.emplace(key.substr(prefix.size()));
                                    return true;
                                  });
    if (!scanned) return std::move(scanned).error();
  }
  return figures;
}

Result<std::set<std::string>> services_of(const ProjectionRunner& analytics) {
  std::set<std::string> services;
  for (auto service : domain::known_services()) services.emplace(service);
  auto scanned = analytics.scan(
      kAnalyticsServicePrefix, store::ReadDirection::forward,
      [&](std::string_view key, std::string_view) {
        services.emplace(key.substr(std::string_view(kAnalyticsServicePrefix).size()));
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  return services;
}

}  // namespace

Result<AnalyticsPeriod> analytics_period(const std::optional<std::string>& from,
                                         const std::optional<std::string>& to,
                                         std::string_view today) {
  const std::string to_date = to.value_or(std::string(today));
  const auto to_us = events::parse_date(to_date);
  if (!to_us) return make_error(Errc::invalid_argument, "to must be a date YYYY-MM-DD", "to");
  const std::string from_date = from.value_or(shift_days(*to_us, -29));
  const auto from_us = events::parse_date(from_date);
  if (!from_us) {
    return make_error(Errc::invalid_argument, "from must be a date YYYY-MM-DD", "from");
  }
  if (auto ordered = domain::require_period_order(*from_us, *to_us, "from", "to"); !ordered) {
    return std::move(ordered).error();
  }
  if ((*to_us - *from_us) / kMicrosPerDay + 1 > kMaxAnalyticsPeriodDays) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a period spans at most {} days", kMaxAnalyticsPeriodDays),
                      "from");
  }
  return AnalyticsPeriod{events::format_date(*from_us), events::format_date(*to_us)};
}

Result<std::vector<ServiceReport>> service_reports(const ProjectionRunner& analytics,
                                                   const AnalyticsPeriod& period) {
  const auto from_us = events::parse_date(period.from);
  const auto to_us = events::parse_date(period.to);
  if (!from_us || !to_us || *from_us > *to_us) {
    return make_error(Errc::invalid_argument, "the period is not a valid range of dates");
  }
  const std::int64_t length = *to_us - *from_us + kMicrosPerDay;
  const auto days = days_between(*from_us, *to_us);
  const auto previous_days = days_between(*from_us - length, *from_us - kMicrosPerDay);

  auto services = services_of(analytics);
  if (!services) return std::move(services).error();
  std::vector<ServiceReport> reports;
  for (const auto& service : *services) {
    auto current = figures(analytics, service, days);
    if (!current) return std::move(current).error();
    auto previous = figures(analytics, service, previous_days);
    if (!previous) return std::move(previous).error();

    ServiceReport report;
    report.service = service;
    report.revenue_minor = current->revenue_minor;
    report.previous_revenue_minor = previous->revenue_minor;
    report.payments = current->payments;
    report.active_clients = current->clients.size();
    report.previous_active_clients = previous->clients.size();
    for (const auto& client : current->clients) {
      auto first = analytics.get(analytics_first_key(service, client));
      if (!first) return std::move(first).error();
      // Dates compare as text: the first payment day is inside the period when >= from.
      if (first->has_value() && **first >= period.from) ++report.new_clients;
    }
    for (const auto& client : previous->clients) {
      if (!current->clients.contains(client)) ++report.churned_clients;
    }
    if (report.previous_active_clients > 0) {
      report.churn_rate = static_cast<double>(report.churned_clients) /
                          static_cast<double>(report.previous_active_clients);
    }
    if (report.previous_revenue_minor != 0) {
      report.growth_rate =
          static_cast<double>(report.revenue_minor - report.previous_revenue_minor) /
          static_cast<double>(report.previous_revenue_minor);
    }
    report.daily = std::move(current->daily);
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace ledger::projections
