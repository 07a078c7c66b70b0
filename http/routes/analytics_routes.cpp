#include "http/routes/analytics_routes.h"

#include <cmath>

#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "events/analytics_state.pb.h"
#include "events/timestamp.h"
#include "events/user_state.pb.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/projection_query.h"
#include "projections/agent_analytics.h"
#include "projections/analytics_projection.h"
#include "projections/service_analytics.h"

namespace ledger::http {
namespace {

// Rates as percentages with two decimals (12.5 means 12.5 %).
double percent(double rate) { return std::round(rate * 10'000.0) / 100.0; }

nlohmann::json report_json(const projections::ServiceReport& report) {
  nlohmann::json daily = nlohmann::json::array();
  for (const auto& day : report.daily) {
    daily.push_back({{"date", day.date}, {"revenue", money_json(day.revenue_minor)}});
  }
  return {{"service", report.service},
          {"revenue", money_json(report.revenue_minor)},
          {"previous_revenue", money_json(report.previous_revenue_minor)},
          {"payments", report.payments},
          {"active_clients", report.active_clients},
          {"previous_active_clients", report.previous_active_clients},
          {"new_clients", report.new_clients},
          {"churned_clients", report.churned_clients},
          {"churn_rate", percent(report.churn_rate)},
          {"growth_rate", report.growth_rate ? nlohmann::json(percent(*report.growth_rate))
                                             : nlohmann::json(nullptr)},
          {"daily", std::move(daily)}};
}

// A parameter given with an empty value counts as absent ("?from=&to=").
void service_analytics(ApiContext& api, const RouteInput& in, Reply reply) {
  auto period =
      projections::analytics_period(in.query.optional_text("from"), in.query.optional_text("to"),
                                    events::format_date(api.clock.now_us()));
  if (!period) return reply_error(in.request, period.error(), reply);
  auto& analytics = projection_named(api, projections::kAnalyticsProjection);
  answer_from_projection(analytics, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto reports = projections::service_reports(analytics, *period);
    if (!reports) return std::move(reports).error();
    nlohmann::json services = nlohmann::json::array();
    for (const auto& report : *reports) services.push_back(report_json(report));
    return nlohmann::json{
        {"from", period->from}, {"to", period->to}, {"services", std::move(services)}};
  });
}

nlohmann::json agent_json(const events::UserState& agent) {
  const std::uint32_t capacity =
      agent.max_clients() == 0 ? domain::kDefaultAgentCapacity : agent.max_clients();
  const std::uint32_t clients = agent.assigned_clients();
  return {{"agent_id", agent.user_id()},
          {"name", agent.name()},
          {"email", agent.email()},
          {"department", agent.department()},
          {"clients", clients},
          {"max_clients", capacity},
          {"available_slots", clients >= capacity ? 0 : capacity - clients},
          {"workload_pct", percent(static_cast<double>(clients) / capacity)}};
}

void agent_performance(ApiContext& api, const RouteInput& in, Reply reply) {
  auto& analytics = projection_named(api, projections::kAnalyticsProjection);
  answer_from_projection(analytics, in.request, reply, [&]() -> Result<nlohmann::json> {
    nlohmann::json agents = nlohmann::json::array();
    bool corrupt = false;
    std::optional<Error> failure;
    auto scanned = api.log.scan_state(
        domain::kIdentityKeyspace, "user/", store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          events::UserState user;
          if (!user.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            corrupt = true;
            return false;
          }
          if (user.role() != "agent") return true;
          nlohmann::json agent = agent_json(user);
          auto row = analytics.get(projections::analytics_agent_key(user.user_id()));
          events::AgentActivity activity;
          if (!row || (row->has_value() && !activity.ParseFromString(**row))) {
            corrupt = true;
            return false;
          }
          agent["active_campaigns"] = activity.active_campaigns();
          agent["completed_campaigns"] = activity.completed_campaigns();
          agent["published_content"] = activity.published_content();
          agent["deployed_versions"] = activity.deployed_versions();
          auto median = projections::median_first_reply_seconds(analytics, user.user_id());
          if (!median) {
            failure = std::move(median).error();
            return false;
          }
          agent["median_first_reply_seconds"] =
              *median ? nlohmann::json(**median) : nlohmann::json(nullptr);
          agents.push_back(std::move(agent));
          return true;
        });
    if (!scanned) return std::move(scanned).error();
    if (failure) return std::move(*failure);
    if (corrupt) return make_error(Errc::corruption, "a user or analytics row does not decode");
    return nlohmann::json{{"agents", std::move(agents)}};
  });
}

}  // namespace

RouteTable analytics_routes() {
  using beast_http::verb;
  using namespace schema;
  const Schema report =
      named("ServiceReport",
            object({{"service", string()},
                    {"revenue", money()},
                    {"previous_revenue", money()},
                    {"payments", integer()},
                    {"active_clients", integer()},
                    {"previous_active_clients", integer()},
                    {"new_clients", integer()},
                    {"churned_clients", integer()},
                    {"churn_rate", number()},
                    {"growth_rate", nullable(number())},
                    {"daily", array(object({{"date", date()}, {"revenue", money()}}))}}));
  const Schema agent =
      named("AgentPerformance", object({{"agent_id", string()},
                                        {"name", string()},
                                        {"email", string()},
                                        {"department", string()},
                                        {"clients", integer()},
                                        {"max_clients", integer()},
                                        {"available_slots", integer()},
                                        {"workload_pct", number()},
                                        {"active_campaigns", integer()},
                                        {"completed_campaigns", integer()},
                                        {"published_content", integer()},
                                        {"deployed_versions", integer()},
                                        {"median_first_reply_seconds", nullable(number())}}));
  return {
      {.method = verb::get,
       .path = "/api/admin/analytics/services/",
       .operation_id = "getServiceAnalytics",
       .summary = "Revenue, payments and active, new and churned clients per service over a "
                  "period (default: the last 30 days), with the period before for comparison",
       .roles = {Role::admin},
       .query = {field::text("from", domain::text_limits::kDate).optional().described("YYYY-MM-DD"),
                 field::text("to", domain::text_limits::kDate).optional().described("YYYY-MM-DD")},
       .answer = object({{"from", date()}, {"to", date()}, {"services", array(report)}}),
       .read_model = projection_read_model(std::string(projections::kAnalyticsProjection)),
       .handler = service_analytics},
      {.method = verb::get,
       .path = "/api/admin/agents/performance/",
       .operation_id = "getAgentPerformance",
       .summary = "Every agent's workload, delivered work and median first reply time to "
                  "support tickets (seconds; null when none)",
       .roles = {Role::admin},
       .answer = object({{"agents", array(agent)}}),
       .read_model = projection_read_model(std::string(projections::kAnalyticsProjection)),
       .handler = agent_performance},
  };
}

}  // namespace ledger::http
