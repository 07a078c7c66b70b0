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
#include "http/route_declaration.h"
#include "http/scoped_rows.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;
constexpr std::string_view kMarketing = "marketing";

nlohmann::json list_json(const google::protobuf::RepeatedPtrField<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(item);
  return list;
}

nlohmann::json content_json(const events::ContentState& post, std::int64_t now_us) {
  const nlohmann::json campaign =
      post.campaign_id().empty() ? nlohmann::json(nullptr) : nlohmann::json(post.campaign_id());
  // The seed's dashboards read `client`, `campaign`, `scheduled_for` and `media_files`; a foreign
  // key is also named with `_id` (`social_account_id`).
  return {{"id", post.content_id()},
          {"client_id", post.client_id()},
          {"client", post.client_id()},
          {"agent_id", post.agent_id()},
          {"campaign_id", campaign},
          {"campaign", campaign},
          {"title", post.title()},
          {"platform", post.platform()},
          {"social_account", post.social_account()},
          {"social_account_id", post.social_account()},
          {"scheduled_at", time_json(post.scheduled_at_us())},
          {"scheduled_for", time_json(post.scheduled_at_us())},
          {"caption", post.caption()},
          {"hashtags", list_json(post.hashtags())},
          {"mentions", list_json(post.mentions())},
          {"media_urls", list_json(post.media_urls())},
          {"media_files", list_json(post.media_urls())},
          {"status", events::enum_name(post.status())},
          {"feedback",
           post.feedback().empty() ? nlohmann::json(nullptr) : nlohmann::json(post.feedback())},
          {"rejected_at", time_json(post.rejected_at_us())},
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

// The post fields a schedule or update body may hold.
std::vector<Field> content_fields() {
  namespace limits = domain::text_limits;
  return {field::text("title", limits::kName).optional(),
          field::text("platform", limits::kServiceName).optional(),
          field::text("social_account", limits::kHandle).optional().also_named("social_account_id"),
          field::time("scheduled_at").optional().also_named("scheduled_for"),
          field::long_text("caption", limits::kCaption).optional(),
          field::text_list("hashtags", 30, limits::kTag).described("words, with or without #"),
          field::text_list("mentions", 50, limits::kTag).described("@words"),
          field::text_list("media_urls", 10, limits::kUrl)
              .described("http(s) URLs")
              .also_named("media_files")};
}

domain::ContentFields read_fields(const RequestFields& body) {
  domain::ContentFields fields;
  fields.title = body.optional_text("title");
  fields.platform = body.optional_text("platform");
  fields.social_account = body.optional_text("social_account");
  fields.caption = body.optional_text("caption");
  fields.scheduled_at_us = body.optional_integer("scheduled_at");
  for (auto [name, target] :
       {std::pair{"hashtags", &fields.hashtags}, std::pair{"mentions", &fields.mentions},
        std::pair{"media_urls", &fields.media_urls}}) {
    if (body.has(name)) *target = body.list(name);
  }
  return fields;
}

Renderer<events::ContentState> render(const ApiContext& api) {
  return [&api](const events::ContentState& post) -> Result<nlohmann::json> {
    return content_json(post, api.clock.now_us());
  };
}

void schedule(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::string& client_id = in.body.text("client_id");
  auto agent_id = service_client_agent(api.log, in.caller, client_id, kMarketing);
  if (!agent_id) return reply_error(in.request, agent_id.error(), reply);
  domain::ScheduleContent command{
      domain::ContentId{api.ids.next()},
      domain::UserId{client_id},
      domain::UserId{*agent_id},
      domain::CampaignId{in.body.optional_text("campaign_id").value_or("")},
      read_fields(in.body),
      in.body.optional_text("status") == "draft"};
  run_command<events::ContentState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::schedule_content(uow, command); }, render(api),
      beast_http::status::created, std::move(reply));
}

using PostFilter = std::function<bool(const events::ContentState&)>;

// Posts the caller may see (by scheduled time when `by_time`), through `keep`.
void answer_posts(ApiContext& api, const RouteInput& in, Reply& reply, const PostFilter& keep) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto status = in.query.optional_text("status");
    auto platform = in.query.optional_text("platform");
    auto campaign = in.query.optional_text("campaign_id");
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

void list_posts(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_posts(api, in, reply, [](const events::ContentState&) { return true; });
}

void upcoming(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::int64_t now = api.clock.now_us();
  answer_posts(api, in, reply, [now](const events::ContentState& post) {
    return domain::content_is_upcoming(post, now);
  });
}

void overdue(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::int64_t now = api.clock.now_us();
  answer_posts(api, in, reply, [now](const events::ContentState& post) {
    return domain::content_is_overdue(post, now);
  });
}

Result<std::int64_t> bound_param(const RouteInput& in, std::string_view name, bool end) {
  const std::string& text = in.query.text(name);
  if (auto time = events::parse_rfc3339(text)) return *time;
  if (auto date = events::parse_date(text)) return end ? *date + 86'400'000'000 - 1 : *date;
  return make_error(Errc::invalid_argument,
                    fmt::format("{} must be a date or an RFC 3339 time", name), std::string(name));
}

void calendar(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  auto start = bound_param(in, "start", false);
  if (!start) return reply_error(request, start.error(), reply);
  auto end = bound_param(in, "end", true);
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
  answer_posts(api, in, reply, [from, to](const events::ContentState& post) {
    return post.scheduled_at_us() >= from && post.scheduled_at_us() <= to;
  });
}

void get_post(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto post = visible_post(api, in.caller, in.path.get("id"));
    if (!post) return std::move(post).error();
    return content_json(*post, api.clock.now_us());
  });
}

void update_post(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto post = visible_post(api, in.caller, in.path.get("id")); !post) {
    return reply_error(in.request, post.error(), reply);
  }
  domain::UpdateContent command{domain::ContentId{in.path.get("id")}, read_fields(in.body),
                                in.caller.user_id, in.body.has("status")};
  run_command<events::ContentState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_content(uow, command); }, render(api),
      beast_http::status::ok, std::move(reply));
}

using Action = Result<events::ContentState> (*)(UnitOfWork&, const domain::ContentAction&);

// What a command on a post reads from its body besides the post: nothing, the failure's
// {"error"} or the rejection's {"feedback"}.
enum class ActionText { none, error, feedback };

// A command on one visible post.
RouteHandler action(Action run, ActionText text = ActionText::none) {
  return [run, text](ApiContext& api, const RouteInput& in, Reply reply) {
    if (auto post = visible_post(api, in.caller, in.path.get("id")); !post) {
      return reply_error(in.request, post.error(), reply);
    }
    domain::ContentAction command{domain::ContentId{in.path.get("id")}, in.caller.user_id.str()};
    if (text == ActionText::error) command.error = in.body.text("error");
    if (text == ActionText::feedback) command.feedback = in.body.text("feedback");
    run_command<events::ContentState>(
        api, in.request, in.caller.user_id,
        [command, run](UnitOfWork& uow) { return run(uow, command); }, render(api),
        beast_http::status::ok, std::move(reply));
  };
}

schema::Schema content_schema() {
  using namespace schema;
  return named("ScheduledPost", object({{"id", string()},
                                        {"client_id", string()},
                                        {"client", string()},
                                        {"agent_id", string()},
                                        {"campaign_id", nullable(string())},
                                        {"campaign", nullable(string())},
                                        {"title", string()},
                                        {"platform", string()},
                                        {"social_account", string()},
                                        {"social_account_id", string()},
                                        {"scheduled_at", nullable(time())},
                                        {"scheduled_for", nullable(time())},
                                        {"caption", string()},
                                        {"hashtags", array(string())},
                                        {"mentions", array(string())},
                                        {"media_urls", array(string())},
                                        {"media_files", array(string())},
                                        {"status", one_of<events::ContentStatus>()},
                                        {"feedback", nullable(string())},
                                        {"rejected_at", nullable(time())},
                                        {"approved", boolean()},
                                        {"approved_by", nullable(string())},
                                        {"approved_at", nullable(time())},
                                        {"published_at", nullable(time())},
                                        {"error", nullable(string())},
                                        {"retry_count", integer()},
                                        {"is_overdue", boolean()},
                                        {"created_at", nullable(time())},
                                        {"updated_at", nullable(time())}}));
}

std::vector<Field> post_filters() {
  namespace limits = domain::text_limits;
  return {field::text("status", limits::kServiceName).optional(),
          field::text("platform", limits::kServiceName).optional(),
          field::text("campaign_id", limits::kId).optional()};
}

}  // namespace

RouteTable content_schedule_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  const std::vector<Role> runners = {Role::agent, Role::admin};
  std::vector<Field> schedule_body = {
      field::text("client_id", limits::kId).also_named("client"),
      field::text("campaign_id", limits::kId).optional().also_named("campaign"),
      field::choice("status", {"draft", "scheduled"})
          .optional()
          .described("draft: kept by the agent, the time may wait; scheduled (the default): up "
                     "for the client's approval")};
  for (auto& declared : content_fields()) schedule_body.push_back(std::move(declared));
  std::vector<Field> update_body = content_fields();
  update_body.push_back(field::choice("status", {"scheduled"})
                            .optional()
                            .described("puts a draft up for the client's approval"));
  std::vector<Field> calendar_query = post_filters();
  calendar_query.insert(
      calendar_query.begin(),
      {field::text("start", 64).described("a date or an RFC 3339 time"),
       field::text("end", 64).described("a date (through its end) or an RFC 3339 time")});
  const std::vector<Errc> transitions = {Errc::not_found, Errc::invalid_transition};
  // Literal paths before "{id}".
  return {
      {.method = verb::get,
       .path = "/api/content-schedule/",
       .operation_id = "listScheduledPosts",
       .summary = "Scheduled posts the caller may see",
       .roles = everyone,
       .query = post_filters(),
       .paged = true,
       .answer = content_schema(),
       .handler = list_posts},
      {.method = verb::post,
       .path = "/api/content-schedule/",
       .operation_id = "schedulePost",
       .summary = "Schedule a social post for a client of the marketing service",
       .roles = runners,
       .body = schedule_body,
       .success = beast_http::status::created,
       .answer = content_schema(),
       .errors = {Errc::not_found, Errc::forbidden, Errc::service_not_active},
       .handler = schedule},
      {.method = verb::get,
       .path = "/api/content-schedule/calendar/",
       .operation_id = "getPostCalendar",
       .summary = "Posts scheduled between start and end (at most 400 days)",
       .roles = everyone,
       .query = calendar_query,
       .paged = true,
       .answer = content_schema(),
       .handler = calendar},
      {.method = verb::get,
       .path = "/api/content-schedule/upcoming/",
       .operation_id = "listUpcomingPosts",
       .summary = "Posts due in the next 7 days",
       .roles = everyone,
       .query = post_filters(),
       .paged = true,
       .answer = content_schema(),
       .handler = upcoming},
      {.method = verb::get,
       .path = "/api/content-schedule/overdue/",
       .operation_id = "listOverduePosts",
       .summary = "Posts past their time and not published",
       .roles = everyone,
       .query = post_filters(),
       .paged = true,
       .answer = content_schema(),
       .handler = overdue},
      {.method = verb::get,
       .path = "/api/content-schedule/{id}/",
       .operation_id = "getScheduledPost",
       .summary = "One scheduled post",
       .roles = everyone,
       .answer = content_schema(),
       .errors = {Errc::not_found},
       .handler = get_post},
      {.method = verb::patch,
       .path = "/api/content-schedule/{id}/",
       .operation_id = "updateScheduledPost",
       .summary = "Change a post that is not published (status scheduled submits a draft)",
       .roles = runners,
       .body = update_body,
       .answer = content_schema(),
       .errors = transitions,
       .handler = update_post},
      {.method = verb::delete_,
       .path = "/api/content-schedule/{id}/",
       .operation_id = "deleteScheduledPost",
       .summary = "Delete a post that is not published",
       .roles = runners,
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::delete_content)},
      {.method = verb::post,
       .path = "/api/content-schedule/{id}/approve/",
       .operation_id = "approveScheduledPost",
       .summary = "The client's (or an admin's) approval",
       .roles = {Role::client, Role::admin},
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::approve_content)},
      {.method = verb::post,
       .path = "/api/content-schedule/{id}/publish/",
       .operation_id = "publishScheduledPost",
       .summary = "Mark an approved post published",
       .roles = runners,
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::publish_content)},
      {.method = verb::post,
       .path = "/api/content-schedule/{id}/fail/",
       .operation_id = "failScheduledPost",
       .summary = "Record a failed publication (retried up to 3 times)",
       .roles = runners,
       .body = {field::long_text("error", limits::kNote)},
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::fail_content, ActionText::error)},
      {.method = verb::post,
       .path = "/api/content-schedule/{id}/cancel/",
       .operation_id = "cancelScheduledPost",
       .summary = "Cancel a post that is not published",
       .roles = everyone,
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::cancel_content)},
      {.method = verb::post,
       .path = "/api/content-schedule/{id}/reject/",
       .operation_id = "rejectScheduledPost",
       .summary = "Send a post back to its agent with feedback (the client or an admin)",
       .roles = {Role::client, Role::admin},
       .body = {field::long_text("feedback", limits::kNote)},
       .answer = content_schema(),
       .errors = transitions,
       .handler = action(domain::reject_content, ActionText::feedback)},
  };
}

}  // namespace ledger::http
