#include "http/routes/health_routes.h"

#include "http/error_response.h"
#include "http/json_response.h"

namespace ledger::http {

void add_health_routes(Router& router, const store::EventLog& log) {
  router.add(beast_http::verb::get, "/healthz",
             [](const Request& request, const PathParams&, Reply reply) {
               reply(json_response(request, beast_http::status::ok, {{"status", "ok"}}));
             });
  router.add(beast_http::verb::get, "/readyz",
             [&log](const Request& request, const PathParams&, Reply reply) {
               if (auto writable = log.writable(); !writable) {
                 reply(error_response(request, writable.error()));
                 return;
               }
               reply(json_response(request, beast_http::status::ok,
                                   {{"status", "ready"}, {"position", log.head().position}}));
             });
}

}  // namespace ledger::http
