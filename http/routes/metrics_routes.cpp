#include "http/routes/metrics_routes.h"

#include "http/api_support.h"
#include "http/json_response.h"

namespace ledger::http {
namespace {

constexpr char kExpositionType[] = "text/plain; version=0.0.4; charset=utf-8";

void answer_metrics(const Metrics& metrics, const Request& request, const Reply& reply) {
  reply(text_response(request, beast_http::status::ok, metrics.render(), kExpositionType));
}

}  // namespace

void add_metrics_routes(Router& router, const Metrics& metrics, ApiContext& api) {
  router.add(beast_http::verb::get, "/metrics",
             authenticated(api, {Role::admin},
                           [&metrics](const Request& request, const PathParams&, const Caller&,
                                      Reply reply) { answer_metrics(metrics, request, reply); }));
}

void add_metrics_listener_routes(Router& router, const Metrics& metrics) {
  router.add(beast_http::verb::get, "/metrics",
             [&metrics](const Request& request, const PathParams&, Reply reply) {
               answer_metrics(metrics, request, reply);
             });
}

}  // namespace ledger::http
