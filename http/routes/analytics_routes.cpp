#include "http/routes/analytics_routes.h"

#include <cmath>
#include <map>

#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/messages_fold.h"
#include "core/domain/task.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "events/analytics_state.pb.h"
#include "events/message_state.pb.h"
#include "events/task_state.pb.h"
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

// The tasks in an agent's care: assigned to them, or asked by them (created for a client).
struct TaskTally {
  std::uint64_t open = 0;     // todo or in progress
  std::uint64_t overdue = 0;  // open, and marked overdue by the clock
  std::uint64_t completed = 0;
};

// Every user's task tally, from the tasks fold's rows (as of the log's head); `only` names the
// one user to count for (empty: everyone).
Result<std::map<std::string, TaskTally>> task_tallies(const store::EventLog& log,
                                                      std::string_view only) {
  std::map<std::string, TaskTally> tallies;
  bool corrupt = false;
  auto scanned =
      log.scan_state(domain::kTasksKeyspace, domain::kTaskKeyPrefix, store::ReadDirection::forward,
                     [&](std::string_view, std::string_view value) {
                       events::TaskState task;
                       if (!task.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                         corrupt = true;
                         return false;
                       }
                       auto count = [&](const std::string& user) {
                         if (user.empty() || (!only.empty() && user != only)) return;
                         TaskTally& tally = tallies[user];
                         if (domain::task_is_open(task.status())) {
                           ++tally.open;
                           if (task.overdue()) ++tally.overdue;
                         } else if (task.status() == events::TASK_STATUS_DONE) {
                           ++tally.completed;
                         }
                       };
                       count(task.assigned_to());
                       if (task.created_by() != task.assigned_to()) count(task.created_by());
                       return true;
                     });
  if (!scanned) return std::move(scanned).error();
  if (corrupt) return make_error(Errc::corruption, "a task row does not decode");
  return tallies;
}

void add_tally(nlohmann::json& agent, const TaskTally& tally) {
  agent["open_tasks"] = tally.open;
  agent["overdue_tasks"] = tally.overdue;
  agent["completed_tasks"] = tally.completed;
}

// The agent's delivered work and first-reply time on tickets, from the analytics projection.
Status add_activity(const projections::ProjectionRunner& analytics, std::string_view agent_id,
                    nlohmann::json& agent) {
  auto row = analytics.get(projections::analytics_agent_key(agent_id));
  if (!row) return std::move(row).error();
  events::AgentActivity activity;
  if (row->has_value() && !activity.ParseFromString(**row)) {
    return make_error(Errc::corruption, "an analytics row does not decode");
  }
  agent["active_campaigns"] = activity.active_campaigns();
  agent["completed_campaigns"] = activity.completed_campaigns();
  agent["published_content"] = activity.published_content();
  agent["deployed_versions"] = activity.deployed_versions();
  auto median = projections::median_first_reply_seconds(analytics, agent_id);
  if (!median) return std::move(median).error();
  agent["median_first_reply_seconds"] =
      *median ? nlohmann::json(**median) : nlohmann::json(nullptr);
  return {};
}

void agent_performance(ApiContext& api, const RouteInput& in, Reply reply) {
  auto& analytics = projection_named(api, projections::kAnalyticsProjection);
  answer_from_projection(analytics, in.request, reply, [&]() -> Result<nlohmann::json> {
    nlohmann::json agents = nlohmann::json::array();
    auto tallies = task_tallies(api.log, "");
    if (!tallies) return std::move(tallies).error();
    Status failure;
    auto scanned = api.log.scan_state(
        domain::kIdentityKeyspace, "user/", store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          events::UserState user;
          if (!user.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            failure = make_error(Errc::corruption, "a user row does not decode");
            return false;
          }
          if (user.role() != "agent") return true;
          nlohmann::json agent = agent_json(user);
          if (auto added = add_activity(analytics, user.user_id(), agent); !added) {
            failure = std::move(added);
            return false;
          }
          const auto tally = tallies->find(user.user_id());
          add_tally(agent, tally == tallies->end() ? TaskTally{} : tally->second);
          agents.push_back(std::move(agent));
          return true;
        });
    if (!scanned) return std::move(scanned).error();
    if (!failure) return std::move(failure).error();
    return nlohmann::json{{"agents", std::move(agents)}};
  });
}

// The agent's own dashboard: their clients, workload, delivered work, tasks and unread messages.
void my_stats(ApiContext& api, const RouteInput& in, Reply reply) {
  auto& analytics = projection_named(api, projections::kAnalyticsProjection);
  answer_from_projection(analytics, in.request, reply, [&]() -> Result<nlohmann::json> {
    const std::string me = in.caller.user_id.str();
    auto user = domain::find_user(api.log, me);
    if (!user) return std::move(user).error();
    if (!user->has_value()) return make_error(Errc::not_found, "there is no such agent");
    nlohmann::json stats = agent_json(**user);
    nlohmann::json clients = nlohmann::json::array();
    Status failure;
    auto scanned = api.log.scan_state(
        domain::kIdentityKeyspace, domain::agent_clients_prefix(me), store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          events::AgentClient link;
          if (!link.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            failure = make_error(Errc::corruption, "an agent-client row does not decode");
            return false;
          }
          auto client = domain::find_user(api.log, link.client_id());
          if (!client) {
            failure = std::move(client).error();
            return false;
          }
          if (!client->has_value()) return true;
          clients.push_back({{"id", (*client)->user_id()},
                             {"name", (*client)->name()},
                             {"email", (*client)->email()},
                             {"service", link.service()},
                             {"assigned_at", time_json(link.assigned_at_us())}});
          return true;
        });
    if (!scanned) return std::move(scanned).error();
    if (!failure) return std::move(failure).error();
    stats["client_list"] = std::move(clients);
    if (auto added = add_activity(analytics, me, stats); !added) return std::move(added).error();
    auto tallies = task_tallies(api.log, me);
    if (!tallies) return std::move(tallies).error();
    const auto tally = tallies->find(me);
    add_tally(stats, tally == tallies->end() ? TaskTally{} : tally->second);
    std::uint64_t unread = 0;
    scanned = api.log.scan_state(
        domain::kMessagesKeyspace, domain::conversation_key(me, ""), store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          events::ConversationState conversation;
          if (!conversation.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            failure = make_error(Errc::corruption, "a conversation row does not decode");
            return false;
          }
          unread += conversation.unread();
          return true;
        });
    if (!scanned) return std::move(scanned).error();
    if (!failure) return std::move(failure).error();
    stats["unread_messages"] = unread;
    return stats;
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
                                        {"open_tasks", integer()},
                                        {"overdue_tasks", integer()},
                                        {"completed_tasks", integer()},
                                        {"median_first_reply_seconds", nullable(number())}}));
  const Schema my_client = object({{"id", string()},
                                   {"name", string()},
                                   {"email", string()},
                                   {"service", string()},
                                   {"assigned_at", nullable(time())}});
  const Schema my_stats_answer =
      named("AgentStats",
            extended(agent, {{"client_list", array(my_client)}, {"unread_messages", integer()}}));
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
       .summary = "Every agent's workload, delivered work, tasks in their care and median first "
                  "reply time to support tickets (seconds; null when none)",
       .roles = {Role::admin},
       .answer = object({{"agents", array(agent)}}),
       .read_model = projection_read_model(std::string(projections::kAnalyticsProjection)),
       .handler = agent_performance},
      {.method = verb::get,
       .path = "/api/agents/my-stats/",
       .operation_id = "getMyAgentStats",
       .summary = "The calling agent's clients, workload, delivered work (campaigns, posts, "
                  "deploys), tasks in their care and unread messages",
       .roles = {Role::agent},
       .answer = my_stats_answer,
       .read_model = projection_read_model(std::string(projections::kAnalyticsProjection)),
       .handler = my_stats},
  };
}

}  // namespace ledger::http
