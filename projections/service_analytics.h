// The service report of the admin dashboard, read from the analytics projection's rows.
//
// For a period [from, to] of whole UTC days and the period of the same length just before it:
// - revenue: what the service earned in the period (and in the previous one);
// - active clients: clients who paid for the service at least once in the period;
// - new clients: active clients whose first payment for the service falls in the period;
// - churned clients: clients active in the previous period and not in this one;
//   churn rate = churned / active in the previous period (0 when nobody was);
// - growth rate = (revenue - previous revenue) / previous revenue (none when that was 0);
// - daily revenue for every day of the period.
// Every figure is a count or sum of rows the projection folded from events, so each can be traced
// to the postings that made it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "projections/projection_runner.h"

namespace ledger::projections {

inline constexpr int kMaxAnalyticsPeriodDays = 366;

struct AnalyticsPeriod {
  std::string from;  // "YYYY-MM-DD", inclusive
  std::string to;    // inclusive
};

// Checks and completes a period: both dates valid, from <= to, at most kMaxAnalyticsPeriodDays.
// Missing `to` is `today`; missing `from` is 29 days before `to`.
Result<AnalyticsPeriod> analytics_period(const std::optional<std::string>& from,
                                         const std::optional<std::string>& to,
                                         std::string_view today);

struct DailyRevenue {
  std::string date;
  std::int64_t revenue_minor = 0;
};

struct ServiceReport {
  std::string service;
  std::int64_t revenue_minor = 0;
  std::int64_t previous_revenue_minor = 0;
  std::uint64_t payments = 0;
  std::uint64_t active_clients = 0;
  std::uint64_t previous_active_clients = 0;
  std::uint64_t new_clients = 0;
  std::uint64_t churned_clients = 0;
  double churn_rate = 0;              // 0..1
  std::optional<double> growth_rate;  // relative change; nullopt when previous revenue is 0
  std::vector<DailyRevenue> daily;
};

// One report per service: every service of domain::known_services() and any other that ever
// earned revenue (from older events), in name order.
Result<std::vector<ServiceReport>> service_reports(const ProjectionRunner& analytics,
                                                   const AnalyticsPeriod& period);

}  // namespace ledger::projections
