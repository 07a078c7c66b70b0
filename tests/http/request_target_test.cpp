// The router refuses, before any handler runs, path parameters and query parameters that are not
// clean short text: invalid UTF-8 (which once ended the process when a refusal quoted it),
// control characters, bidirectional controls, malformed percent-encoding.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "http/json_response.h"
#include "http/router.h"

namespace ledger::http {
namespace {

using boost::beast::http::verb;

struct Dispatched {
  Response response;
  bool handler_ran = false;
};

Dispatched dispatch(const std::string& target) {
  Router router;
  Dispatched dispatched;
  router.add(verb::get, "/api/clients/{client_id}/",
             [&](const Request& request, const PathParams&, const Reply& reply) {
               dispatched.handler_ran = true;
               reply(json_response(request, beast_http::status::ok, {{"ok", true}}));
             });
  router.dispatch(Request(verb::get, target, 11),
                  Reply([&](Response response) { dispatched.response = std::move(response); }));
  return dispatched;
}

TEST_CASE(
    "a path parameter of invalid UTF-8, control or bidirectional characters is 400 naming "
    "it, before the handler runs") {
  for (const std::string_view segment : {"\xb5\xff", "a\x01", "a\x7f", "\u202eabc", "\xc0\xaf"}) {
    CAPTURE(segment);
    const auto dispatched = dispatch("/api/clients/" + std::string(segment) + "/");
    CHECK_FALSE(dispatched.handler_ran);
    CHECK(dispatched.response.result_int() == 400);
    const auto body = nlohmann::json::parse(dispatched.response.body());
    CHECK(body["errors"].contains("client_id"));
  }
  CHECK(dispatch("/api/clients/01J0ABC/").handler_ran);
  CHECK(dispatch("/api/clients/Mar\xc3\xad"
                 "a/")
            .handler_ran);
}

TEST_CASE(
    "a query parameter of invalid UTF-8, control characters or bad percent-encoding is "
    "400 naming it, before the handler runs") {
  for (const std::string_view query :
       {"status=%FF", "status=\xff", "status=a%00b", "status=%E2%80%AE", "status=%G1", "status=%4",
        "limit=1&status=%C3"}) {
    CAPTURE(query);
    const auto dispatched = dispatch("/api/clients/x/?" + std::string(query));
    CHECK_FALSE(dispatched.handler_ran);
    CHECK(dispatched.response.result_int() == 400);
    const auto body = nlohmann::json::parse(dispatched.response.body());
    CHECK(body["errors"].contains("status"));
  }
  for (const std::string_view query : {"%FF=1", "a%00=1"}) {
    CAPTURE(query);
    const auto dispatched = dispatch("/api/clients/x/?" + std::string(query));
    CHECK_FALSE(dispatched.handler_ran);
    CHECK(dispatched.response.result_int() == 400);
    CHECK(nlohmann::json::parse(dispatched.response.body())["errors"].contains("query"));
  }
  CHECK(dispatch("/api/clients/x/?status=active&name=Mar%C3%ADa+Luz&flag").handler_ran);
}

}  // namespace
}  // namespace ledger::http
