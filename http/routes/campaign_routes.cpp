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
#include "http/route_declaration.h"
#include "http/scoped_rows.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;
constexpr std::string_view kMarketing = "marketing";
constexpr std::uint64_t kCountMax = 1'000'000'000'000;

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

// The campaign fields a create or update body may hold (a new campaign needs a name).
std::vector<Field> campaign_fields(bool creating) {
  namespace limits = domain::text_limits;
  const auto count_max = static_cast<std::int64_t>(kCountMax);
  const Field name = field::text("name", limits::kName).also_named("title");
  return {creating ? name : name.optional(),
          field::long_text("description", limits::kDescription).optional(),
          field::text("platform", limits::kServiceName).optional(),
          field::text("goal", limits::kGoal).optional(),
          field::integer("target_reach", 0, count_max).optional(),
          field::integer("target_engagement", 0, count_max).optional(),
          field::amount("budget").optional(),
          field::text("start_date", limits::kDate).optional().described("YYYY-MM-DD"),
          field::text("end_date", limits::kDate).optional().described("YYYY-MM-DD")};
}

// Refuses (400, naming it) a sent field of the route's body that `allowed` does not list.
Status only_allowed_fields(const RouteInput& in, const std::vector<std::string_view>& allowed) {
  for (const auto& declared : in.route.body) {
    if (in.body.has(declared.name) &&
        std::find(allowed.begin(), allowed.end(), declared.name) == allowed.end()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("{}: your role may not set it", declared.name), declared.name);
    }
  }
  return {};
}

// The campaign fields of a create or update body that were sent.
domain::CampaignFields read_fields(const RequestFields& body) {
  domain::CampaignFields fields;
  for (auto [name, target] :
       {std::pair{"name", &fields.name}, std::pair{"description", &fields.description},
        std::pair{"platform", &fields.platform}, std::pair{"goal", &fields.goal},
        std::pair{"start_date", &fields.start_date}, std::pair{"end_date", &fields.end_date}}) {
    *target = body.optional_text(name);
  }
  for (auto [name, target] : {std::pair{"target_reach", &fields.target_reach},
                              std::pair{"target_engagement", &fields.target_engagement}}) {
    if (auto value = body.optional_integer(name)) *target = static_cast<std::uint64_t>(*value);
  }
  fields.budget = body.optional_money("budget");
  return fields;
}

void create_campaign(ApiContext& api, const RouteInput& in, Reply reply) {
  const auto fields = read_fields(in.body);
  const std::string& client_id = in.body.text("client_id");
  auto agent_id = service_client_agent(api.log, in.caller, client_id, kMarketing);
  if (!agent_id) return reply_error(in.request, agent_id.error(), reply);
  domain::CreateCampaign command{domain::CampaignId{api.ids.next()}, domain::UserId{client_id},
                                 domain::UserId{*agent_id}, fields};
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_campaign(uow, command); },
      render_campaign(), beast_http::status::created, std::move(reply));
}

// Campaigns the caller may see, newest first, with ?status= and ?client_id= filters.
ListSource visible_campaigns(ApiContext& api, const RouteInput& in, std::string prefix) {
  auto status = in.query.optional_text("status");
  auto client = in.query.optional_text("client_id");
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
  return scoped_state_rows(api.log, in.caller, std::move(prefix), std::move(rows));
}

std::vector<Field> campaign_filters() {
  return {field::choice<events::CampaignStatus>("status").optional(),
          field::text("client_id", domain::text_limits::kId).optional()};
}

std::string scope_prefix(const Caller& caller) {
  return caller.is_client() ? domain::client_campaign_prefix(caller.user_id.str())
                            : std::string(domain::kCampaignKeyPrefix);
}

void list_campaigns(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = visible_campaigns(api, in, scope_prefix(in.caller));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void my_campaigns(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source =
        visible_campaigns(api, in, domain::agent_campaign_prefix(in.caller.user_id.str()));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void campaign_analytics(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = visible_campaigns(api, in, scope_prefix(in.caller));
    std::uint64_t total = 0, active = 0, completed = 0, reach = 0, engagement = 0;
    std::int64_t budget = 0, spend = 0;
    double performance = 0;
    auto visited = source("", false, [&](const std::string&, nlohmann::json item) {
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

schema::Schema campaign_analytics_schema() {
  using namespace schema;
  return object({{"total_campaigns", integer()},
                 {"active_campaigns", integer()},
                 {"completed_campaigns", integer()},
                 {"total_budget", money()},
                 {"total_spend", money()},
                 {"total_reach", integer()},
                 {"total_engagement", integer()},
                 {"avg_performance", number()}});
}

void get_campaign(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto campaign = visible_campaign(api, in.caller, in.path.get("id"));
    if (!campaign) return std::move(campaign).error();
    return campaign_json(*campaign);
  });
}

void update_campaign(ApiContext& api, const RouteInput& in, Reply reply) {
  auto campaign = visible_campaign(api, in.caller, in.path.get("id"));
  if (!campaign) return reply_error(in.request, campaign.error(), reply);
  // The writable fields, by role.
  std::vector<std::string_view> allowed;
  if (in.caller.is_client()) {
    allowed = {"budget"};
  } else {
    allowed = {"name",         "description",       "platform",   "goal",
               "target_reach", "target_engagement", "start_date", "end_date"};
    if (in.caller.is_admin() || campaign->status() == events::CAMPAIGN_STATUS_DRAFT)
      allowed.push_back("budget");
  }
  if (in.caller.is_agent() && in.body.has("budget") &&
      campaign->status() != events::CAMPAIGN_STATUS_DRAFT) {
    return reply_error(in.request,
                       make_error(Errc::forbidden,
                                  "once a campaign is scheduled, its budget is the client's or "
                                  "an admin's to change",
                                  "budget"),
                       reply);
  }
  if (auto sent = only_allowed_fields(in, allowed); !sent) {
    return reply_error(in.request, sent.error(), reply);
  }
  const auto fields = read_fields(in.body);
  domain::UpdateCampaign command{domain::CampaignId{in.path.get("id")}, fields, in.caller.user_id,
                                 domain::HoldId{api.ids.next()}};
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_campaign(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void delete_campaign(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto campaign = visible_campaign(api, in.caller, in.path.get("id")); !campaign) {
    return reply_error(in.request, campaign.error(), reply);
  }
  domain::DeleteCampaign command{domain::CampaignId{in.path.get("id")}, in.caller.user_id};
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::delete_campaign(uow, command); },
      [](const events::CampaignState& campaign) -> Result<nlohmann::json> {
        return nlohmann::json{{"id", campaign.campaign_id()}, {"deleted", true}};
      },
      beast_http::status::ok, std::move(reply));
}

void change_status(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto campaign = visible_campaign(api, in.caller, in.path.get("id")); !campaign) {
    return reply_error(in.request, campaign.error(), reply);
  }
  domain::ChangeCampaignStatus command{domain::CampaignId{in.path.get("id")},
                                       in.body.choice<events::CampaignStatus>("status"),
                                       in.caller.user_id, domain::HoldId{api.ids.next()}};
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::change_campaign_status(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void update_metrics(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto campaign = visible_campaign(api, in.caller, in.path.get("id")); !campaign) {
    return reply_error(in.request, campaign.error(), reply);
  }
  domain::UpdateCampaignMetrics command{domain::CampaignId{in.path.get("id")},
                                        {},
                                        {},
                                        in.body.optional_money("spend"),
                                        domain::TransactionId{api.ids.next()},
                                        in.caller.user_id};
  if (auto reach = in.body.optional_integer("reach")) {
    command.reach = static_cast<std::uint64_t>(*reach);
  }
  if (auto engagement = in.body.optional_integer("engagement")) {
    command.engagement = static_cast<std::uint64_t>(*engagement);
  }
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_campaign_metrics(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

void add_content(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto campaign = visible_campaign(api, in.caller, in.path.get("id")); !campaign) {
    return reply_error(in.request, campaign.error(), reply);
  }
  domain::AddCampaignContent command{
      domain::CampaignId{in.path.get("id")},
      domain::typed_ids<domain::ContentId>(in.body.list("content_ids")), in.caller.user_id};
  run_command<events::CampaignState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::add_campaign_content(uow, command); },
      render_campaign(), beast_http::status::ok, std::move(reply));
}

}  // namespace

RouteTable campaign_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  const std::vector<Role> runners = {Role::agent, Role::admin};
  const auto count_max = static_cast<std::int64_t>(kCountMax);
  std::vector<Field> create_body = {field::text("client_id", limits::kId).also_named("client")};
  for (auto& declared : campaign_fields(true)) create_body.push_back(std::move(declared));
  const std::vector<Errc> command_refusals = {Errc::not_found, Errc::invalid_transition,
                                              Errc::insufficient_funds, Errc::budget_exceeded};
  // Literal paths before "{id}": the first matching route wins.
  return {
      {.method = verb::get,
       .path = "/api/campaigns/",
       .operation_id = "listCampaigns",
       .summary = "Campaigns the caller may see, newest first",
       .roles = everyone,
       .query = campaign_filters(),
       .paged = true,
       .answer = campaign_schema(),
       .handler = list_campaigns},
      {.method = verb::post,
       .path = "/api/campaigns/",
       .operation_id = "createCampaign",
       .summary = "Create a draft campaign for a client of the marketing service",
       .roles = runners,
       .body = create_body,
       .success = beast_http::status::created,
       .answer = campaign_schema(),
       .errors = {Errc::not_found, Errc::forbidden, Errc::service_not_active},
       .handler = create_campaign},
      {.method = verb::get,
       .path = "/api/campaigns/my_campaigns/",
       .operation_id = "listMyCampaigns",
       .summary = "The calling agent's campaigns, newest first",
       .roles = {Role::agent},
       .query = campaign_filters(),
       .paged = true,
       .answer = campaign_schema(),
       .handler = my_campaigns},
      {.method = verb::get,
       .path = "/api/campaigns/analytics/",
       .operation_id = "getCampaignAnalytics",
       .summary = "Totals over the campaigns the caller may see",
       .roles = everyone,
       .query = campaign_filters(),
       .answer = campaign_analytics_schema(),
       .handler = campaign_analytics},
      {.method = verb::get,
       .path = "/api/campaigns/{id}/",
       .operation_id = "getCampaign",
       .summary = "One campaign",
       .roles = everyone,
       .answer = campaign_schema(),
       .errors = {Errc::not_found},
       .handler = get_campaign},
      {.method = verb::patch,
       .path = "/api/campaigns/{id}/",
       .operation_id = "updateCampaign",
       .summary = "Change a campaign: clients its budget only; agents the budget of a draft",
       .roles = everyone,
       .body = campaign_fields(false),
       .answer = campaign_schema(),
       .errors = command_refusals,
       .handler = update_campaign},
      {.method = verb::delete_,
       .path = "/api/campaigns/{id}/",
       .operation_id = "deleteCampaign",
       .summary = "Delete a campaign (its budget hold is released)",
       .roles = runners,
       .answer = schema::object({{"id", schema::string()}, {"deleted", schema::boolean()}}),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = delete_campaign},
      {.method = verb::post,
       .path = "/api/campaigns/{id}/change_status/",
       .operation_id = "changeCampaignStatus",
       .summary = "Move a campaign along its lifecycle (scheduling holds its budget)",
       .roles = runners,
       .body = {field::choice<events::CampaignStatus>("status")},
       .answer = campaign_schema(),
       .errors = command_refusals,
       .handler = change_status},
      {.method = verb::post,
       .path = "/api/campaigns/{id}/update_metrics/",
       .operation_id = "updateCampaignMetrics",
       .summary = "Record reach, engagement and spend (spend is debited from the budget hold)",
       .roles = runners,
       .body = {field::integer("reach", 0, count_max).optional(),
                field::integer("engagement", 0, count_max).optional(),
                field::amount("spend").optional().described("the running total spent")},
       .answer = campaign_schema(),
       .errors = command_refusals,
       .handler = update_metrics},
      {.method = verb::post,
       .path = "/api/campaigns/{id}/add_content/",
       .operation_id = "addCampaignContent",
       .summary = "Attach scheduled posts to a campaign",
       .roles = runners,
       .body = {field::text_list("content_ids", 100, limits::kId)},
       .answer = campaign_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = add_content},
  };
}

}  // namespace ledger::http
