#include "http/routes/ledger_routes.h"

#include "core/hex.h"
#include "http/api_context.h"
#include "http/json_response.h"

namespace ledger::http {
namespace {

void head(ApiContext& api, const RouteInput& in, const Reply& reply) {
  const store::LogHead head = api.log.head();
  Response response = json_response(in.request, beast_http::status::ok,
                                    {{"position", head.position}, {"hash", to_hex(head.hash)}});
  response.set("X-Ledger-Position", std::to_string(head.position));
  reply(std::move(response));
}

}  // namespace

RouteTable ledger_routes() {
  using namespace schema;
  return {{.method = beast_http::verb::get,
           .path = "/api/ledger/head/",
           .operation_id = "getLogHead",
           .summary = "The log's head: its last position and that event's hash (hex)",
           .audience = Audience::everyone,
           .answer = object({{"position", integer()}, {"hash", string()}}),
           .handler = head}};
}

}  // namespace ledger::http
