#include "http/route_table.h"

#include <fmt/format.h>

#include "http/api_support.h"
#include "http/openapi.h"
#include "http/routes/account_routes.h"
#include "http/routes/admin_routes.h"
#include "http/routes/analytics_routes.h"
#include "http/routes/billing_routes.h"
#include "http/routes/campaign_routes.h"
#include "http/routes/content_schedule_routes.h"
#include "http/routes/course_routes.h"
#include "http/routes/health_routes.h"
#include "http/routes/identity_routes.h"
#include "http/routes/ledger_query_routes.h"
#include "http/routes/ledger_routes.h"
#include "http/routes/message_routes.h"
#include "http/routes/metrics_routes.h"
#include "http/routes/notification_routes.h"
#include "http/routes/redeem_code_routes.h"
#include "http/routes/support_ticket_routes.h"
#include "http/routes/task_routes.h"
#include "http/routes/wallet_routes.h"
#include "http/routes/website_routes.h"
#include "http/routes/website_version_routes.h"
#include "http/writer_routing.h"

namespace ledger::http {
namespace {

RouteTable build_route_table() {
  RouteTable table;
  // In the order the document lists them; within an area, literal paths before "{id}".
  for (auto* area :
       {&health_routes,         &openapi_routes,         &metrics_routes,  &ledger_routes,
        &identity_routes,       &account_routes,         &wallet_routes,   &redeem_code_routes,
        &course_routes,         &billing_routes,         &campaign_routes, &content_schedule_routes,
        &website_routes,        &website_version_routes, &task_routes,     &message_routes,
        &support_ticket_routes, &ledger_query_routes,    &admin_routes,    &analytics_routes,
        &notification_routes}) {
    for (auto& declaration : area()) table.push_back(std::move(declaration));
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& route = table[i];
    LEDGER_ASSERT(!route.path.empty() && !route.operation_id.empty() && !route.summary.empty(),
                  "a route declares its path, operation id and summary");
    LEDGER_ASSERT(static_cast<bool>(route.handler) != static_cast<bool>(route.streamed),
                  "a route has one handler, plain or streamed");
    LEDGER_ASSERT(route.audience == Audience::users || route.roles.empty(),
                  "only routes for users name roles");
    LEDGER_ASSERT(
        !route.accepts_stream_ticket || (route.audience == Audience::users &&
                                         route.method == beast_http::verb::get && !route.streamed),
        "a stream ticket opens only a plain GET for users");
    LEDGER_ASSERT(
        !route.served_locally || (route.method != beast_http::verb::get && !route.streamed),
        "served_locally marks a route that is neither a GET nor an upload");
    for (std::size_t j = 0; j < i; ++j) {
      LEDGER_ASSERT(table[j].operation_id != route.operation_id, "operation ids are unique");
      LEDGER_ASSERT(table[j].method != route.method || table[j].path != route.path,
                    "a route is declared once");
    }
  }
  return table;
}

// Decodes the request by the declaration and calls its handler.
void run_declared(ApiContext& api, const RouteDeclaration& route, const Request& request,
                  const PathParams& params, const Caller& caller, Reply reply) {
  const std::string_view target(request.target().data(), request.target().size());
  auto query = RequestFields::from_query(route.query, target);
  if (!query) return reply_error(request, query.error(), reply);
  RequestFields body;
  if (route.body_type == BodyType::json && route.has_body()) {
    auto decoded =
        RequestFields::from_json_body(route.body, header(request, "Content-Type"), request.body());
    if (!decoded) return reply_error(request, decoded.error(), reply);
    body = std::move(*decoded);
  }
  route.handler(api, RouteInput{route, request, params, caller, body, *query}, std::move(reply));
}

}  // namespace

const RouteTable& route_table() {
  static const RouteTable table = build_route_table();
  return table;
}

const RouteDeclaration* find_declaration(beast_http::verb method, std::string_view path) {
  for (const auto& route : route_table()) {
    if (route.method == method && route.path == path) return &route;
  }
  return nullptr;
}

void add_declared_route(Router& router, ApiContext& api, const RouteDeclaration& route, bool open) {
  if (route.streamed) {
    LEDGER_ASSERT(route.body_bytes_max != nullptr, "a streamed route names its body limit");
    router.add_streamed(
        route.method, route.path,
        [&api, &route, open](const Request& head,
                             const PathParams& params) -> Result<std::unique_ptr<BodySink>> {
          // Uploads are not forwarded: refused before their body is read.
          if (route.writes_log() && !open) {
            if (auto here = streamed_upload_here(api); !here) return std::move(here).error();
          }
          Caller caller;
          if (route.audience == Audience::users && !open) {
            auto who = authorize(api, head, route.roles);
            if (!who) return std::move(who).error();
            caller = std::move(*who);
          }
          const std::string_view target(head.target().data(), head.target().size());
          auto query = RequestFields::from_query(route.query, target);
          if (!query) return std::move(query).error();
          const RequestFields body;
          return route.streamed(api, RouteInput{route, head, params, caller, body, *query});
        },
        route.body_bytes_max(api));
  } else if (route.audience != Audience::users || open) {
    Handler handler = [&api, &route](const Request& request, const PathParams& params,
                                     Reply reply) {
      // The provider's signature is its authentication: checked before the body is
      // read, as a token is.
      if (route.audience == Audience::payment_provider) {
        if (auto signed_by_provider = verify_provider_signature(api, request);
            !signed_by_provider) {
          return reply_error(request, signed_by_provider.error(), reply);
        }
      }
      const Caller nobody;
      run_declared(api, route, request, params, nobody, std::move(reply));
    };
    router.add(route.method, route.path,
               route.writes_log() && !open ? served_by_writer(api, std::move(handler))
                                           : std::move(handler));
  } else {
    ReadModelPosition read_model;
    if (route.read_model) read_model = [&api, &route] { return route.read_model(api); };
    Handler handler = authenticated(
        api, route.roles,
        [&api, &route](const Request& request, const PathParams& params, const Caller& caller,
                       Reply reply) {
          run_declared(api, route, request, params, caller, std::move(reply));
        },
        std::move(read_model), route.accepts_stream_ticket);
    // A route that writes the log is served by the writer: authentication happens there, on
    // the state the command is decided on.
    router.add(route.method, route.path,
               route.writes_log() ? served_by_writer(api, std::move(handler)) : std::move(handler));
  }
  router.declare(route.method, route.path, &route);
}

void add_declared_routes(Router& router, ApiContext& api) {
  LEDGER_ASSERT(api.projections != nullptr, "the routes' read models include the projections");
  for (const auto& route : route_table()) add_declared_route(router, api, route);
}

}  // namespace ledger::http
