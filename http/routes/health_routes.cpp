#include "http/routes/health_routes.h"

#include "http/api_context.h"
#include "http/error_response.h"
#include "http/json_response.h"

namespace ledger::http {
namespace {

void healthz(ApiContext&, const RouteInput& in, const Reply& reply) {
  reply(json_response(in.request, beast_http::status::ok, {{"status", "ok"}}));
}

void readyz(ApiContext& api, const RouteInput& in, const Reply& reply) {
  if (auto writable = api.log.writable(); !writable) {
    return reply(error_response(in.request, writable.error()));
  }
  reply(json_response(in.request, beast_http::status::ok,
                      {{"status", "ready"}, {"position", api.log.head().position}}));
}

}  // namespace

RouteTable health_routes() {
  using namespace schema;
  return {
      {.method = beast_http::verb::get,
       .path = "/healthz",
       .operation_id = "getHealth",
       .summary = "The process is up",
       .audience = Audience::everyone,
       .answer = object({{"status", one_of({"ok"})}}),
       .handler = healthz},
      {.method = beast_http::verb::get,
       .path = "/readyz",
       .operation_id = "getReadiness",
       .summary = "The store is open and writable (503 when it is not)",
       .audience = Audience::everyone,
       .answer = object({{"status", one_of({"ready"})}, {"position", integer()}}),
       .errors = {Errc::store_read_only},
       .handler = readyz},
  };
}

}  // namespace ledger::http
