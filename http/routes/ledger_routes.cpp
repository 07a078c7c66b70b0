#include "http/routes/ledger_routes.h"

#include "core/hex.h"
#include "http/json_response.h"

namespace ledger::http {

void add_ledger_routes(Router& router, const store::EventLog& log) {
  router.add(beast_http::verb::get, "/api/ledger/head/",
             [&log](const Request& request, const PathParams&, Reply reply) {
               const store::LogHead head = log.head();
               Response response =
                   json_response(request, beast_http::status::ok,
                                 {{"position", head.position}, {"hash", to_hex(head.hash)}});
               response.set("X-Ledger-Position", std::to_string(head.position));
               reply(std::move(response));
             });
}

}  // namespace ledger::http
