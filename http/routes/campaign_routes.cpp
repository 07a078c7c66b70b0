#include "http/routes/campaign_routes.h"

#include <cmath>

#include "core/domain/campaign.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "events/enum_names.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"
#include "http/scoped_rows.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;
constexpr std::string_view kMarketing = "marketing";
constexpr std::uint64_t kCountMax = 1'000'000'000'000;

std::string_view target_of(const Request& request) {
  return {request.target().data(), request.target().size()};
}

Renderer<events::CampaignState> render_campaign() {
  return [](const events::CampaignState& campaign) -> Result<nlohmann::json> {
    return campaign_json(campaign);
  };
}

// The campaign at `id` if the caller may see it (not_found otherwise, also when deleted).
Result<events::CampaignState> visible_campaign(const ApiContext& api, const Caller& caller,
                                               std::string_view id) {
  auto campaign = domain::read_row<events::CampaignState>(api.log, domain::kMarketingKeyspace,
                                                          domain::campaign_key(id));
  if (!campaign) return std::move(campaign).error();
  if (!campaign->has_value() || (*campaign)->deleted()) {
    return make_error(Errc::not_found, "there is no such campaign");
  }
  if (auto scope =
          require_client_scope(api.log, caller, (*campaign)->client_id(), kMarketing, "campaign");
      !scope) {
    return std::move(scope).error();
  }
  return std::move(**campaign);
}

// Reads the optional fields of a create or update body that `allowed` lists.
Result<domain::CampaignFields> read_fields(JsonFields& body,
                                           const std::vector<std::string_view>& allowed) {
  auto may = [&](std::string_view name) {
    return std::find(allowed.begin(), allowed.end(), name) != allowed.end();
  };
  domain::CampaignFields fields;
  for (auto [name, target, max] :
       {std::tuple{"name", &fields.name, domain::text_limits::kName},
        std::tuple{"description", &fields.description, domain::text_limits::kDescription},
        std::tuple{"platform", &fields.platform, domain::text_limits::kServiceName},
        std::tuple{"goal", &fields.goal, domain::text_limits::kGoal},
        std::tuple{"start_date", &fields.start_date, domain::text_limits::kDate},
        std::tuple{"end_date", &fields.end_date, domain::text_limits::kDate}}) {
    if (!may(name)) continue;
    const bool prose = std::string_view(name) == "description";
    auto value = prose ? body.optional_long_text(name, max) : body.optional_string(name, max);
    if (!value) return std::move(value).error();
    *target = std::move(*value);
  }
  for (auto [name, target] : {std::pair{"target_reach", &fields.target_reach},
                              std::pair{"target_engagement", &fields.target_engagement}}) {
    if (!may(name)) continue;
    auto value = body.optional_integer(name, 0, static_cast<std::int64_t>(kCountMax));
    if (!value) return std::move(value).error();
    if (*value) *target = static_cast<std::uint64_t>(**value);
  }
  if (may("budget")) {
    auto budget = body.optional_amount("budget");
    if (!budget) return std::move(budget).error();
    fields.budget = *budget;
  }
  return fields;
}

void create_campaign(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto client_id = body->string("client_id", domain::text_limits::kId);
  if (!client_id) return reply_error(request, client_id.error(), reply);
  auto fields = read_fields(*body, {"name", "description", "platform", "goal", "target_reach",
                                    "target_engagement", "budget", "start_date", "end_date"});
  if (!fields) return reply_error(request, fields.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  auto agent_id = service_client_agent(api.log, caller, *client_id, kMarketing);
  if (!agent_id) return reply_error(request, agent_id.error(), reply);
  domain::CreateCampaign command{domain::CampaignId{api.ids.next()}, domain::UserId{*client_id},
                                 domain::UserId{*agent_id}, *fields};
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_campaign(uow, command); },
      render_campaign(), beast_http::status::created, std::move(reply));
}

// Campaigns the caller may see, newest first, with ?status= and ?client_id= filters.
ListSource visible_campaigns(ApiContext& api, const Caller& caller, const Request& request,
                             std::string prefix) {
  auto status = query_param(target_of(request), "status");
  auto client = query_param(target_of(request), "client_id");
  const bool index = !prefix.starts_with(domain::kCampaignKeyPrefix);
  ScopedRows<events::CampaignState> rows{
      std::string(domain::kMarketingKeyspace),
      "campaign",
      std::string(kMarketing),
      {},
      [status, client](const events::CampaignState& row) {
        return !row.deleted() && (!status || events::enum_name(row.status()) == *status) &&
               (!client || row.client_id() == *client);
      },
      [](const events::CampaignState& row) { return campaign_json(row); }};
  if (index) {  // index rows hold the id only
    rows.full_key = [](const events::CampaignState& row) {
      return domain::campaign_key(row.campaign_id());
    };
  }
  return scoped_state_rows(api.log, caller, std::move(prefix), std::move(rows));
}

std::string scope_prefix(const Caller& caller) {
  return caller.is_client() ? domain::client_campaign_prefix(caller.user_id.str())
                            : std::string(domain::kCampaignKeyPrefix);
}

void list_campaigns(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = visible_campaigns(api, caller, request, scope_prefix(caller));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void my_campaigns(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = visible_campaigns(api, caller, request,
                                          domain::agent_campaign_prefix(caller.user_id.str()));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void campaign_analytics(ApiContext& api, const Request& request, const Caller& caller,
                        Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = visible_campaigns(api, caller, request, scope_prefix(caller));
    std::uint64_t total = 0, active = 0, completed = 0, reach = 0, engagement = 0;
    std::int64_t budget = 0, spend = 0;
    double performance = 0;
    auto visited = source("", false, [&](std::string, nlohmann::json item) {
      ++total;
      if (item["status"] == "active") ++active;
      if (item["status"] == "completed") ++completed;
      budget += Money::parse(item["budget"].get<std::string>())->minor();
      spend += Money::parse(item["spend"].get<std::string>())->minor();
      reach += item["reach"].get<std::uint64_t>();
      engagement += item["engagement"].get<std::uint64_t>();
      performance += item["performance"].get<double>();
      return true;
    });
    if (!visited) return std::move(visited).error();
    return nlohmann::json{
        {"total_campaigns", total},
        {"active_campaigns", active},
        {"completed_campaigns", completed},
        {"total_budget", money_json(budget)},
        {"total_spend", money_json(spend)},
        {"total_reach", reach},
        {"total_engagement", engagement},
        {"avg_performance",
         total == 0 ? 0.0 : std::round(performance / static_cast<double>(total) * 100.0) / 100.0}};
  });
}

void get_campaign(ApiContext& api, const Request& request, const PathParams& params,
                  const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto campaign = visible_campaign(api, caller, params.get("id"));
    if (!campaign) return std::move(campaign).error();
    return campaign_json(*campaign);
  });
}

void update_campaign(ApiContext& api, const Request& request, const PathParams& params,
                     const Caller& caller, Reply reply) {
  auto campaign = visible_campaign(api, caller, params.get("id"));
  if (!campaign) return reply_error(request, campaign.error(), reply);
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  // The allow-list of writable fields, by role.
  std::vector<std::string_view> allowed;
  if (caller.is_client()) {
    allowed = {"budget"};
  } else {
    allowed = {"name",         "description",       "platform",   "goal",
               "target_reach", "target_engagement", "start_date", "end_date"};
    if (caller.is_admin() || campaign->status() == events::CAMPAIGN_STATUS_DRAFT)
      allowed.push_back("budget");
  }
  if (caller.is_agent() && body->raw().contains("budget") &&
      campaign->status() != events::CAMPAIGN_STATUS_DRAFT) {
    return reply_error(request,
                       make_error(Errc::forbidden,
                                  "once a campaign is scheduled, its budget is the client's or "
                                  "an admin's to change",
                                  "budget"),
                       reply);
  }
  auto fields = read_fields(*body, allowed);
  if (!fields) return reply_error(request, fields.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::UpdateCampaign command{domain::CampaignId{params.get("id")}, *fields, caller.user_id,
                                 domain::HoldId{api.ids.next()}};
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_campaign(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void delete_campaign(ApiContext& api, const Request& request, const PathParams& params,
                     const Caller& caller, Reply reply) {
  if (auto campaign = visible_campaign(api, caller, params.get("id")); !campaign) {
    return reply_error(request, campaign.error(), reply);
  }
  domain::DeleteCampaign command{domain::CampaignId{params.get("id")}, caller.user_id};
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::delete_campaign(uow, command); },
      [](const events::CampaignState& campaign) -> Result<nlohmann::json> {
        return nlohmann::json{{"id", campaign.campaign_id()}, {"deleted", true}};
      },
      beast_http::status::ok, std::move(reply));
}

void change_status(ApiContext& api, const Request& request, const PathParams& params,
                   const Caller& caller, Reply reply) {
  if (auto campaign = visible_campaign(api, caller, params.get("id")); !campaign) {
    return reply_error(request, campaign.error(), reply);
  }
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto status = body->enum_choice<events::CampaignStatus>("status");
  if (!status) return reply_error(request, status.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::ChangeCampaignStatus command{domain::CampaignId{params.get("id")}, *status,
                                       caller.user_id, domain::HoldId{api.ids.next()}};
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::change_campaign_status(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void update_metrics(ApiContext& api, const Request& request, const PathParams& params,
                    const Caller& caller, Reply reply) {
  if (auto campaign = visible_campaign(api, caller, params.get("id")); !campaign) {
    return reply_error(request, campaign.error(), reply);
  }
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto reach = body->optional_integer("reach", 0, static_cast<std::int64_t>(kCountMax));
  if (!reach) return reply_error(request, reach.error(), reply);
  auto engagement = body->optional_integer("engagement", 0, static_cast<std::int64_t>(kCountMax));
  if (!engagement) return reply_error(request, engagement.error(), reply);
  auto spend = body->optional_amount("spend");
  if (!spend) return reply_error(request, spend.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::UpdateCampaignMetrics command{domain::CampaignId{params.get("id")},
                                        {},
                                        {},
                                        *spend,
                                        domain::TransactionId{api.ids.next()},
                                        caller.user_id};
  if (*reach) command.reach = static_cast<std::uint64_t>(**reach);
  if (*engagement) command.engagement = static_cast<std::uint64_t>(**engagement);
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_campaign_metrics(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void add_content(ApiContext& api, const Request& request, const PathParams& params,
                 const Caller& caller, Reply reply) {
  if (auto campaign = visible_campaign(api, caller, params.get("id")); !campaign) {
    return reply_error(request, campaign.error(), reply);
  }
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto ids = body->string_list("content_ids", 100, domain::text_limits::kId);
  if (!ids) return reply_error(request, ids.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::AddCampaignContent command{domain::CampaignId{params.get("id")},
                                     domain::typed_ids<domain::ContentId>(*ids), caller.user_id};
  run_command<events::CampaignState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::add_campaign_content(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

}  // namespace

void add_campaign_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  const auto runners = {Role::agent, Role::admin};
  router.add(verb::get, "/api/campaigns/",
             for_roles(api, {Role::admin, Role::agent, Role::client}, list_campaigns));
  router.add(verb::post, "/api/campaigns/", for_roles(api, runners, create_campaign));
  // Literal paths before "{id}": the first matching route wins.
  router.add(verb::get, "/api/campaigns/my_campaigns/",
             for_roles(api, {Role::agent}, my_campaigns));
  router.add(verb::get, "/api/campaigns/analytics/",
             for_roles(api, {Role::admin, Role::agent, Role::client}, campaign_analytics));
  router.add(verb::get, "/api/campaigns/{id}/",
             for_roles_with_params(api, {Role::admin, Role::agent, Role::client}, get_campaign));
  router.add(verb::patch, "/api/campaigns/{id}/",
             for_roles_with_params(api, {Role::admin, Role::agent, Role::client}, update_campaign));
  router.add(verb::delete_, "/api/campaigns/{id}/",
             for_roles_with_params(api, runners, delete_campaign));
  router.add(verb::post, "/api/campaigns/{id}/change_status/",
             for_roles_with_params(api, runners, change_status));
  router.add(verb::post, "/api/campaigns/{id}/update_metrics/",
             for_roles_with_params(api, runners, update_metrics));
  router.add(verb::post, "/api/campaigns/{id}/add_content/",
             for_roles_with_params(api, runners, add_content));
}

}  // namespace ledger::http
