#include "http/routes/notification_routes.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/domain/keyspaces.h"
#include "core/domain/notification_commands.h"
#include "core/domain/text_limits.h"
#include "events/notification_state.pb.h"
#include "events/outbox_state.pb.h"
#include "events/timestamp.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/projection_query.h"
#include "http/route_declaration.h"
#include "projections/notification_categories.h"
#include "projections/notification_projection.h"
#include "projections/read_model_status.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

projections::ProjectionRunner& feeds(ApiContext& api) {
  return projection_named(api, projections::kNotificationsProjection);
}

Result<events::NotificationCounters> counters_of(const projections::ProjectionRunner& runner,
                                                 std::string_view user) {
  auto row = runner.get(projections::notification_counters_key(user));
  if (!row) return std::move(row).error();
  events::NotificationCounters counters;
  if (row->has_value() && !counters.ParseFromString(**row)) {
    return make_error(Errc::corruption, "a notification counter row does not decode");
  }
  return counters;
}

nlohmann::json notification_json(const events::Notification& notification, bool is_read,
                                 std::int64_t now_us) {
  const std::string date = events::format_date(notification.created_at_us());
  const std::string group = date == events::format_date(now_us)                   ? "today"
                            : date == events::format_date(now_us - kMicrosPerDay) ? "yesterday"
                                                                                  : date;
  return {
      {"id", notification.id()},
      {"type", notification.type()},
      {"category",
       std::string(projections::notification_category(notification.type()).value_or("account"))},
      {"title", notification.title()},
      {"message", notification.message()},
      {"link", notification.link()},
      {"is_read", is_read},
      {"created_at", time_json(notification.created_at_us())},
      {"date", date},
      {"group", group},
      {"position", notification.position()}};
}

void list(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  const std::string type = in.query.optional_text("type").value_or("");
  const std::optional<bool> unread = in.query.optional_boolean("unread");
  const std::string category = in.query.optional_text("category").value_or("");
  auto& runner = feeds(api);
  answer_from_projection(runner, request, reply, [&]() -> Result<nlohmann::json> {
    auto counters = counters_of(runner, caller.user_id.str());
    if (!counters) return std::move(counters).error();
    const std::uint64_t read_up_to = counters->read_all_up_to();
    const std::int64_t now = api.clock.now_us();
    const std::string prefix = projections::notification_feed_prefix(caller.user_id.str());
    ListSource source = [&](std::string_view after, bool reverse,
                            const ItemVisitor& visit) -> Status {
      Status failure;
      auto scanned = runner.scan(
          prefix, reverse ? store::ReadDirection::forward : store::ReadDirection::backward,
          [&](std::string_view key, std::string_view value) {
            events::Notification notification;
            if (!notification.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
              failure = make_error(Errc::corruption, "a notification does not decode");
              return false;
            }
            const bool is_read = notification.is_read() || notification.position() <= read_up_to;
            if (!type.empty() && notification.type() != type) return true;
            if (!category.empty() &&
                projections::notification_category(notification.type()) != category) {
              return true;
            }
            if (unread && *unread == is_read) return true;
            return visit(std::string(key), notification_json(notification, is_read, now));
          },
          after);
      if (!scanned) return scanned;
      return failure;
    };
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    auto page = list_page(request, source, *count);
    if (!page) return std::move(page).error();
    (*page)["unread_count"] = counters->unread();
    return page;
  });
}

void unread_count(ApiContext& api, const RouteInput& in, Reply reply) {
  auto& runner = feeds(api);
  answer_from_projection(runner, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto counters = counters_of(runner, in.caller.user_id.str());
    if (!counters) return std::move(counters).error();
    return nlohmann::json{{"unread_count", counters->unread()}};
  });
}

void mark_read(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  const std::string id(in.path.get("id"));
  auto key = projections::notification_feed_key(caller.user_id.str(), id);
  auto& runner = feeds(api);
  if (!key) {
    return reply_error(request, make_error(Errc::not_found, "there is no such notification"),
                       reply);
  }
  auto row = runner.get(*key);
  if (!row) return reply_error(request, row.error(), reply);
  if (!row->has_value()) {
    return reply_error(request, make_error(Errc::not_found, "there is no such notification"),
                       reply);
  }
  domain::MarkNotificationRead command{caller.user_id, domain::NotificationId{id}};
  run_command<events::NotificationRead>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::mark_notification_read(uow, command); },
      [](const events::NotificationRead& read) -> Result<nlohmann::json> {
        return nlohmann::json{{"id", read.notification_id()}, {"is_read", true}};
      },
      beast_http::status::ok, std::move(reply));
}

void mark_all_read(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::MarkAllNotificationsRead command{in.caller.user_id};
  run_command<events::AllNotificationsRead>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::mark_all_notifications_read(uow, command); },
      [](const events::AllNotificationsRead&) -> Result<nlohmann::json> {
        return nlohmann::json{{"unread_count", 0}};
      },
      beast_http::status::ok, std::move(reply));
}

void projection_statuses(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& status : projections::all_read_model_statuses(api.log, *api.projections)) {
      results.push_back(projections::status_json(status));
    }
    return nlohmann::json{
        {"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", results}};
  });
}

void rebuild(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const PathParams& params = in.path;
  if (projections::is_inline_read_model(params.get("name"))) {
    return reply_error(request,
                       make_error(Errc::version_conflict,
                                  fmt::format("{} is an inline read model, written with its "
                                              "events: rebuild it with `ledgerctl projections "
                                              "rebuild {}` while the server is stopped",
                                              params.get("name"), params.get("name"))),
                       reply);
  }
  auto* runner = api.projections->find(params.get("name"));
  if (runner == nullptr) {
    return reply_error(request, make_error(Errc::not_found, "there is no such projection"), reply);
  }
  if (auto started = runner->rebuild(); !started)
    return reply_error(request, started.error(), reply);
  reply(json_response(request, beast_http::status::accepted,
                      projections::status_json(runner->status())));
}

// The caller's new notifications as Server-Sent Events, from just after `last_key` on.
class NotificationStream final : public StreamSource {
 public:
  NotificationStream(const projections::ProjectionRunner& runner, const Clock& clock,
                     std::string user_id, std::string last_key)
      : runner_(runner),
        clock_(clock),
        user_id_(std::move(user_id)),
        last_key_(std::move(last_key)) {}

  std::string poll() override {
    constexpr std::size_t kEventsPerPoll = 50;  // bounded per write
    std::string out;
    std::size_t events = 0;
    auto scanned = runner_.scan(
        projections::notification_feed_prefix(user_id_), store::ReadDirection::forward,
        [&](std::string_view key, std::string_view value) {
          events::Notification notification;
          if (!notification.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            return false;
          }
          last_key_ = std::string(key);
          out += fmt::format("id: {}\nevent: notification\ndata: {}\n\n", notification.id(),
                             render_json(notification_json(notification, notification.is_read(),
                                                           clock_.now_us())));
          return ++events < kEventsPerPoll;
        },
        last_key_);
    if (!scanned) failed_ = true;
    return out;
  }
  bool finished() const override { return failed_; }

 private:
  const projections::ProjectionRunner& runner_;
  const Clock& clock_;
  std::string user_id_;
  std::string last_key_;
  bool failed_ = false;
};

void stream(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  auto& runner = feeds(api);
  std::string last_key;
  // A new EventSource cannot set Last-Event-ID: a dashboard reopening the feed (with a new
  // ticket) names the last notification it saw in the query instead.
  const auto resume = request.find("Last-Event-ID");
  const auto resume_query = in.query.optional_text("last_event_id");
  if (resume != request.end() || resume_query) {
    const bool from_header = resume != request.end();
    const std::string last_event_id =
        from_header ? std::string(resume->value().data(), resume->value().size()) : *resume_query;
    auto key = projections::notification_feed_key(caller.user_id.str(), last_event_id);
    if (!key) {
      const char* name = from_header ? "Last-Event-ID" : "last_event_id";
      return reply_error(request,
                         make_error(Errc::invalid_argument,
                                    fmt::format("{} must be a notification id", name), name),
                         reply);
    }
    last_key = *key;
  } else {
    // From now on: start after the newest notification there is.
    auto scanned =
        runner.scan(projections::notification_feed_prefix(caller.user_id.str()),
                    store::ReadDirection::backward, [&](std::string_view key, std::string_view) {
                      last_key = std::string(key);
                      return false;
                    });
    if (!scanned) return reply_error(request, scanned.error(), reply);
    if (last_key.empty()) last_key = projections::notification_feed_prefix(caller.user_id.str());
  }
  Response head{beast_http::status::ok, request.version()};
  head.set(beast_http::field::content_type, "text/event-stream");
  head.set(beast_http::field::cache_control, "no-store");
  reply.stream(std::move(head), std::make_shared<NotificationStream>(
                                    runner, api.clock, caller.user_id.str(), std::move(last_key)));
}

// A stream ticket for EventSource (http/stream_tickets.h): shown once, in this answer only.
void issue_stream_ticket(ApiContext& api, const RouteInput& in, Reply reply) {
  auto issued =
      api.stream_tickets.issue(in.caller.user_id.str(), in.caller.token_digest, api.clock.now_us());
  if (!issued) {
    const auto lifetime_seconds =
        static_cast<std::uint64_t>(api.stream_tickets.options().lifetime_us / kMicrosPerSecond);
    return reply_error(in.request, issued.error(), reply,
                       std::max<std::uint64_t>(1, lifetime_seconds));
  }
  Response response =
      json_response(in.request, beast_http::status::ok,
                    {{"ticket", issued->ticket}, {"expires_at", time_json(issued->expires_at_us)}});
  response.set(beast_http::field::cache_control, "no-store");
  reply(std::move(response));
}

void email_outbox(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string status = in.query.optional_text("status").value_or("");
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source =
        state_rows(api.log, domain::kOutboxKeyspace, "email/",
                   [status](std::string_view,
                            std::string_view value) -> Result<std::optional<nlohmann::json>> {
                     events::OutboxEmail email;
                     if (!email.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                       return make_error(Errc::corruption, "an outbox row does not decode");
                     }
                     if (!status.empty() && email.status() != status)
                       return std::optional<nlohmann::json>();
                     // Bodies stay out of the listing: a verification code is a secret until sent.
                     return std::optional<nlohmann::json>(
                         nlohmann::json{{"id", email.email_id()},
                                        {"to", email.to()},
                                        {"template", email.template_name()},
                                        {"subject", email.subject()},
                                        {"status", email.status()},
                                        {"attempts", email.attempts()},
                                        {"last_error", email.last_error()},
                                        {"created_at", time_json(email.created_at_us())},
                                        {"sent_at", time_json(email.sent_at_us())}});
                   });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

std::vector<std::string> filter_categories() {
  std::vector<std::string> names;
  for (const auto name : projections::notification_filter_categories()) names.emplace_back(name);
  return names;
}

schema::Schema category_schema() {
  std::vector<std::string> names = filter_categories();
  names.emplace_back("account");
  return schema::one_of(std::move(names));
}

schema::Schema notification_schema() {
  using namespace schema;
  return named("Notification", object({{"id", string()},
                                       {"type", string()},
                                       {"category", category_schema()},
                                       {"title", string()},
                                       {"message", string()},
                                       {"link", string()},
                                       {"is_read", boolean()},
                                       {"created_at", nullable(time())},
                                       {"date", date()},
                                       {"group", string()},
                                       {"position", integer()}}));
}

schema::Schema projection_status_schema() {
  using namespace schema;
  return named("ReadModelStatus", object({{"name", string()},
                                          {"kind", string()},
                                          {"version", integer()},
                                          {"code_version", integer()},
                                          {"generation", integer()},
                                          {"checkpoint", integer()},
                                          {"head", integer()},
                                          {"lag_events", integer()},
                                          {"lag_seconds", number()},
                                          {"state", string()},
                                          {"rebuild_checkpoint", optional(integer())},
                                          {"failed_position", optional(integer())},
                                          {"failed_error", optional(string())}}));
}

}  // namespace

RouteTable notification_routes() {
  using beast_http::verb;
  using namespace schema;
  const ReadModelOf feed =
      projection_read_model(std::string(projections::kNotificationsProjection));
  Schema feed_page = list_of(notification_schema());
  feed_page.erase("title");  // the list plus the unread count: not the plain list
  feed_page["properties"]["unread_count"] = integer();
  feed_page["required"].push_back("unread_count");
  return {
      {.method = verb::get,
       .path = "/api/notifications/",
       .operation_id = "listNotifications",
       .summary = "The caller's notifications, newest first, with the unread count",
       .query = {field::text("type", domain::text_limits::kServiceName).optional(),
                 field::choice("category", filter_categories())
                     .optional()
                     .described("as the dashboards filter: payments, tasks, messages, content or "
                                "performance (registrations and assignments are in none)"),
                 field::boolean("unread").optional()},
       .answer = feed_page,
       .read_model = feed,
       .handler = list},
      {.method = verb::get,
       .path = "/api/notifications/unread_count/",
       .operation_id = "getUnreadNotificationCount",
       .summary = "How many of the caller's notifications are unread",
       .answer = object({{"unread_count", integer()}}),
       .read_model = feed,
       .handler = unread_count},
      {.method = verb::get,
       .path = "/api/notifications/stream/",
       .operation_id = "streamNotifications",
       .summary = "The caller's new notifications as Server-Sent Events (event: notification, "
                  "data: a Notification); Last-Event-ID resumes after that notification. A "
                  "browser's EventSource, which cannot send Authorization, opens it with "
                  "?ticket= from POST /api/notifications/stream-ticket/",
       .query = {field::text("last_event_id", domain::text_limits::kId)
                     .optional()
                     .described("as the Last-Event-ID header, for a new EventSource, which "
                                "cannot set it: resume after this notification")},
       .answer_type = "text/event-stream",
       .answer = string(),
       .accepts_stream_ticket = true,
       .read_model = feed,
       .handler = stream},
      {.method = verb::post,
       .path = "/api/notifications/stream-ticket/",
       .operation_id = "createNotificationStreamTicket",
       .summary = "A ticket that opens the caller's notification stream once, within 60 s, "
                  "as ?ticket= (for EventSource, which cannot send Authorization)",
       .answer = named("StreamTicket", object({{"ticket", string()}, {"expires_at", time()}})),
       .answers_position = false,
       .served_locally = true,
       .errors = {Errc::rate_limited},
       .handler = issue_stream_ticket},
      {.method = verb::post,
       .path = "/api/notifications/mark_all_read/",
       .operation_id = "markAllNotificationsRead",
       .summary = "Mark every notification of the caller read",
       .answer = object({{"unread_count", integer()}}),
       .handler = mark_all_read},
      {.method = verb::post,
       .path = "/api/notifications/{id}/mark_read/",
       .operation_id = "markNotificationRead",
       .summary = "Mark one notification read",
       .answer = object({{"id", string()}, {"is_read", boolean()}}),
       .errors = {Errc::not_found},
       .handler = mark_read},
      {.method = verb::get,
       .path = "/api/admin/email-outbox/",
       .operation_id = "listOutboxEmails",
       .summary = "The email outbox, without bodies (a verification code is secret until sent)",
       .roles = {Role::admin},
       .query = {field::choice("status", {"queued", "sent", "failed"}).optional()},
       .paged = true,
       .answer = named("OutboxEmail", object({{"id", string()},
                                              {"to", string()},
                                              {"template", string()},
                                              {"subject", string()},
                                              {"status", one_of({"queued", "sent", "failed"})},
                                              {"attempts", integer()},
                                              {"last_error", string()},
                                              {"created_at", nullable(time())},
                                              {"sent_at", nullable(time())}})),
       .handler = email_outbox},
      {.method = verb::get,
       .path = "/api/admin/projections/",
       .operation_id = "listReadModels",
       .summary = "Every read model (inline and asynchronous) with its position and lag",
       .roles = {Role::admin},
       .answer = list_of(projection_status_schema()),
       .handler = projection_statuses},
      {.method = verb::post,
       .path = "/api/admin/projections/{name}/rebuild/",
       .operation_id = "rebuildReadModel",
       .summary = "Rebuild an asynchronous projection online, into a new generation",
       .roles = {Role::admin},
       .success = beast_http::status::accepted,
       .answer = projection_status_schema(),
       .answers_position = false,
       .served_locally = true,
       .errors = {Errc::not_found, Errc::version_conflict},
       .handler = rebuild},
  };
}

}  // namespace ledger::http
