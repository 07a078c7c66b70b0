#include "http/routes/metrics_routes.h"

#include "http/json_response.h"

namespace ledger::http {

void add_metrics_routes(Router& router, const Metrics& metrics) {
  router.add(beast_http::verb::get, "/metrics",
             [&metrics](const Request& request, const PathParams&, Reply reply) {
               reply(text_response(request, beast_http::status::ok, metrics.render(),
                                   "text/plain; version=0.0.4; charset=utf-8"));
             });
}

}  // namespace ledger::http
