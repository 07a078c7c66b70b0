#include "http/routes/content_schedule_routes.h"

#include "core/domain/content_schedule.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/domain/validation.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
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

std::string_view target_of(const Request& request) {
  return {request.target().data(), request.target().size()};
}

nlohmann::json list_json(const google::protobuf::RepeatedPtrField<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(item);
  return list;
}

nlohmann::json content_json(const events::ContentState& post, std::int64_t now_us) {
  return {{"id", post.content_id()},
          {"client_id", post.client_id()},
          {"agent_id", post.agent_id()},
          {"campaign_id", post.campaign_id().empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(post.campaign_id())},
          {"platform", post.platform()},
          {"social_account", post.social_account()},
          {"scheduled_at", time_json(post.scheduled_at_us())},
          {"caption", post.caption()},
          {"hashtags", list_json(post.hashtags())},
          {"mentions", list_json(post.mentions())},
          {"media_urls", list_json(post.media_urls())},
          {"status", events::enum_name(post.status())},
          {"approved", post.approved()},
          {"approved_by", post.approved_by().empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json(post.approved_by())},
          {"approved_at", time_json(post.approved_at_us())},
          {"published_at", time_json(post.published_at_us())},
          {"error",
           post.last_error().empty() ? nlohmann::json(nullptr) : nlohmann::json(post.last_error())},
          {"retry_count", post.retry_count()},
          {"is_overdue", domain::content_is_overdue(post, now_us)},
          {"created_at", time_json(post.created_at_us())},
          {"updated_at", time_json(post.updated_at_us())}};
}

Result<events::ContentState> visible_post(const ApiContext& api, const Caller& caller,
                                          std::string_view id) {
  auto post = domain::read_row<events::ContentState>(api.log, domain::kMarketingKeyspace,
                                                     domain::content_key(id));
  if (!post) return std::move(post).error();
  if (!post->has_value() || (*post)->deleted()) {
    return make_error(Errc::not_found, "there is no such scheduled post");
  }
  if (auto scope =
          require_client_scope(api.log, caller, (*post)->client_id(), kMarketing, "scheduled post");
      !scope) {
    return std::move(scope).error();
  }
  return std::move(**post);
}

Result<domain::ContentFields> read_fields(JsonFields& body) {
  domain::ContentFields fields;
  for (auto [name, target, max] :
       {std::tuple{"platform", &fields.platform, domain::text_limits::kServiceName},
        std::tuple{"social_account", &fields.social_account, domain::text_limits::kHandle},
        std::tuple{"caption", &fields.caption, domain::text_limits::kCaption}}) {
    const bool prose = std::string_view(name) == "caption";
    auto value = prose ? body.optional_long_text(name, max) : body.optional_string(name, max);
    if (!value) return std::move(value).error();
    *target = std::move(*value);
  }
  auto when = body.optional_time("scheduled_at");
  if (!when) return std::move(when).error();
  fields.scheduled_at_us = *when;
  for (auto [name, target, count] :
       {std::tuple{"hashtags", &fields.hashtags, std::size_t{30}},
        std::tuple{"mentions", &fields.mentions, std::size_t{50}},
        std::tuple{"media_urls", &fields.media_urls, std::size_t{10}}}) {
    if (!body.raw().contains(name)) {
      (void)body.optional_string(name, domain::text_limits::kUrl);  // marks it asked; absent
      continue;
    }
    auto list = body.string_list(name, count, domain::text_limits::kUrl);  // the longest item kind
    if (!list) return std::move(list).error();
    *target = std::move(*list);
  }
  return fields;
}

Renderer<events::ContentState> render(const ApiContext& api) {
  return [&api](const events::ContentState& post) -> Result<nlohmann::json> {
    return content_json(post, api.clock.now_us());
  };
}

void schedule(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto client_id = body->string("client_id", domain::text_limits::kId);
  if (!client_id) return reply_error(request, client_id.error(), reply);
  auto campaign_id = body->optional_string("campaign_id", domain::text_limits::kId);
  if (!campaign_id) return reply_error(request, campaign_id.error(), reply);
  auto fields = read_fields(*body);
  if (!fields) return reply_error(request, fields.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  auto agent_id = service_client_agent(api.log, caller, *client_id, kMarketing);
  if (!agent_id) return reply_error(request, agent_id.error(), reply);
  domain::ScheduleContent command{domain::ContentId{api.ids.next()}, domain::UserId{*client_id},
                                  domain::UserId{*agent_id},
                                  domain::CampaignId{campaign_id->value_or("")}, *fields};
  run_command<events::ContentState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::schedule_content(uow, command); }, render(api),
      beast_http::status::created, std::move(reply));
}

using PostFilter = std::function<bool(const events::ContentState&)>;

// Posts the caller may see (by scheduled time when `by_time`), through `keep`.
void answer_posts(ApiContext& api, const Request& request, const Caller& caller, Reply& reply,
                  const PostFilter& keep) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto status = query_param(target_of(request), "status");
    auto platform = query_param(target_of(request), "platform");
    auto campaign = query_param(target_of(request), "campaign_id");
    const std::string prefix = caller.is_client()
                                   ? domain::client_content_prefix(caller.user_id.str())
                                   : std::string(domain::kContentKeyPrefix);
    const bool index = caller.is_client();
    const std::int64_t now = api.clock.now_us();
    ScopedRows<events::ContentState> rows{
        std::string(domain::kMarketingKeyspace),
        "content",
        std::string(kMarketing),
        {},
        [&](const events::ContentState& post) {
          return !post.deleted() && keep(post) &&
                 (!status || events::enum_name(post.status()) == *status) &&
                 (!platform || post.platform() == *platform) &&
                 (!campaign || post.campaign_id() == *campaign);
        },
        [now](const events::ContentState& post) { return content_json(post, now); }};
    if (index) {  // a client's index rows hold the post id
      rows.full_key = [](const events::ContentState& post) {
        return domain::content_key(post.content_id());
      };
    }
    ListSource source = scoped_state_rows(api.log, caller, prefix, std::move(rows));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void list_posts(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_posts(api, request, caller, reply, [](const events::ContentState&) { return true; });
}

void upcoming(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  const std::int64_t now = api.clock.now_us();
  answer_posts(api, request, caller, reply, [now](const events::ContentState& post) {
    return domain::content_is_upcoming(post, now);
  });
}

void overdue(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  const std::int64_t now = api.clock.now_us();
  answer_posts(api, request, caller, reply, [now](const events::ContentState& post) {
    return domain::content_is_overdue(post, now);
  });
}

Result<std::int64_t> bound_param(const Request& request, std::string_view name, bool end) {
  auto text = query_param(target_of(request), name);
  if (!text || text->empty()) {
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is required (a date or an RFC 3339 time)", name),
                      std::string(name));
  }
  if (auto time = events::parse_rfc3339(*text)) return *time;
  if (auto date = events::parse_date(*text)) return end ? *date + 86'400'000'000 - 1 : *date;
  return make_error(Errc::invalid_argument,
                    fmt::format("{} must be a date or an RFC 3339 time", name), std::string(name));
}

void calendar(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto start = bound_param(request, "start", false);
  if (!start) return reply_error(request, start.error(), reply);
  auto end = bound_param(request, "end", true);
  if (!end) return reply_error(request, end.error(), reply);
  if (auto ordered = domain::require_period_order(*start, *end, "start", "end"); !ordered) {
    return reply_error(request, ordered.error(), reply);
  }
  if (*end - *start > 400LL * 86'400'000'000) {
    return reply_error(
        request, make_error(Errc::invalid_argument, "a calendar spans at most 400 days", "end"),
        reply);
  }
  const std::int64_t from = *start, to = *end;
  answer_posts(api, request, caller, reply, [from, to](const events::ContentState& post) {
    return post.scheduled_at_us() >= from && post.scheduled_at_us() <= to;
  });
}

void get_post(ApiContext& api, const Request& request, const PathParams& params,
              const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto post = visible_post(api, caller, params.get("id"));
    if (!post) return std::move(post).error();
    return content_json(*post, api.clock.now_us());
  });
}

void update_post(ApiContext& api, const Request& request, const PathParams& params,
                 const Caller& caller, Reply reply) {
  if (auto post = visible_post(api, caller, params.get("id")); !post) {
    return reply_error(request, post.error(), reply);
  }
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto fields = read_fields(*body);
  if (!fields) return reply_error(request, fields.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::UpdateContent command{domain::ContentId{params.get("id")}, *fields, caller.user_id};
  run_command<events::ContentState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_content(uow, command); }, render(api),
      beast_http::status::ok, std::move(reply));
}

using Action = Result<events::ContentState> (*)(UnitOfWork&, const domain::ContentAction&);

// A command on one visible post; `with_error` reads {"error": "..."} (fail).
Handler action(ApiContext& api, std::initializer_list<Role> roles, Action run, bool with_error) {
  return for_roles_with_params(
      api, roles,
      [run, with_error](ApiContext& api, const Request& request, const PathParams& params,
                        const Caller& caller, Reply reply) {
        if (auto post = visible_post(api, caller, params.get("id")); !post) {
          return reply_error(request, post.error(), reply);
        }
        auto body = parse_body(request);
        if (!body) return reply_error(request, body.error(), reply);
        std::string error;
        if (with_error) {
          auto given = body->string("error", domain::text_limits::kNote);
          if (!given) return reply_error(request, given.error(), reply);
          error = *given;
        }
        if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
        domain::ContentAction command{domain::ContentId{params.get("id")}, caller.user_id.str(),
                                      error};
        run_command<events::ContentState>(
            api, request, caller.user_id,
            [command, run](UnitOfWork& uow) { return run(uow, command); },
            [&api](const events::ContentState& post) -> Result<nlohmann::json> {
              return content_json(post, api.clock.now_us());
            },
            beast_http::status::ok, std::move(reply));
      });
}

}  // namespace

void add_content_schedule_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  const auto everyone = {Role::admin, Role::agent, Role::client};
  router.add(verb::get, "/api/content-schedule/", for_roles(api, everyone, list_posts));
  router.add(verb::post, "/api/content-schedule/",
             for_roles(api, {Role::agent, Role::admin}, schedule));
  // Literal paths before "{id}".
  router.add(verb::get, "/api/content-schedule/calendar/", for_roles(api, everyone, calendar));
  router.add(verb::get, "/api/content-schedule/upcoming/", for_roles(api, everyone, upcoming));
  router.add(verb::get, "/api/content-schedule/overdue/", for_roles(api, everyone, overdue));
  router.add(verb::get, "/api/content-schedule/{id}/",
             for_roles_with_params(api, everyone, get_post));
  router.add(verb::patch, "/api/content-schedule/{id}/",
             for_roles_with_params(api, {Role::agent, Role::admin}, update_post));
  router.add(verb::delete_, "/api/content-schedule/{id}/",
             action(api, {Role::agent, Role::admin}, domain::delete_content, false));
  router.add(verb::post, "/api/content-schedule/{id}/approve/",
             action(api, {Role::client, Role::admin}, domain::approve_content, false));
  router.add(verb::post, "/api/content-schedule/{id}/publish/",
             action(api, {Role::agent, Role::admin}, domain::publish_content, false));
  router.add(verb::post, "/api/content-schedule/{id}/fail/",
             action(api, {Role::agent, Role::admin}, domain::fail_content, true));
  router.add(verb::post, "/api/content-schedule/{id}/cancel/",
             action(api, everyone, domain::cancel_content, false));
}

}  // namespace ledger::http
