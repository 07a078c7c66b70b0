#include "http/routes/metrics_routes.h"

#include "http/api_support.h"
#include "http/json_response.h"
#include "http/metrics.h"
#include "http/route_table.h"

namespace ledger::http {
namespace {

constexpr char kExpositionType[] = "text/plain; version=0.0.4; charset=utf-8";

void answer_metrics(ApiContext& api, const RouteInput& in, Reply reply) {
  if (api.metrics == nullptr) {
    return reply_error(in.request, make_error(Errc::not_found, "this server keeps no metrics"),
                       reply);
  }
  reply(text_response(in.request, beast_http::status::ok, api.metrics->render(), kExpositionType));
}

}  // namespace

RouteTable metrics_routes() {
  return {{.method = beast_http::verb::get,
           .path = "/metrics",
           .operation_id = "getMetrics",
           .summary = "Prometheus metrics (without a token only on ledgerd's --metrics-listen "
                      "listener)",
           .roles = {Role::admin},
           .answer_type = "text/plain",
           .answer = schema::string(),
           .handler = answer_metrics}};
}

void add_metrics_listener_routes(Router& router, ApiContext& api) {
  const RouteDeclaration* metrics = find_declaration(beast_http::verb::get, "/metrics");
  LEDGER_ASSERT(metrics != nullptr, "/metrics is declared");
  add_declared_route(router, api, *metrics, /*open=*/true);
}

}  // namespace ledger::http
