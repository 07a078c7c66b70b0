// The router matches a request once: `match` gives the route with its path parameters, noting
// only the parameters of the route that matched, and `dispatch` with that match calls the route
// without searching again (the session matches when the head arrives and dispatches the match).
#include <doctest/doctest.h>

#include "http/json_response.h"
#include "http/router.h"

namespace ledger::http {
namespace {

using boost::beast::http::verb;

TEST_CASE("a match notes the parameters of the route that matched, none of a route that failed") {
  Router router;
  router.add(verb::get, "/api/a/{first}/b/", {});
  router.add(verb::get, "/api/a/{second}/c/", {});
  PathParams params;
  const Route* route = router.match(verb::get, "/api/a/7/c/?limit=1", &params);
  REQUIRE(route != nullptr);
  CHECK(route->pattern == "/api/a/{second}/c/");
  REQUIRE(params.entries().size() == 1);
  CHECK(params.get("second") == "7");
  CHECK(params.get("first").empty());
  CHECK(router.match(verb::post, "/api/a/7/c/", nullptr) == nullptr);
}

TEST_CASE("dispatching a match calls its route with its parameters, no route answers 404 or 405") {
  Router router;
  std::string seen;
  router.add(verb::get, "/api/items/{id}/",
             [&](const Request& request, const PathParams& params, const Reply& reply) {
               seen = std::string(params.get("id"));
               reply(json_response(request, beast_http::status::ok, {{"ok", true}}));
             });
  const Request request(verb::get, "/api/items/42/", 11);
  const std::string_view target(request.target().data(), request.target().size());
  PathParams params;
  const Route* route = router.match(request.method(), target, &params);
  REQUIRE(route != nullptr);
  Response answered;
  router.dispatch(request, route, params, Reply([&](Response r) { answered = std::move(r); }));
  CHECK(seen == "42");
  CHECK(answered.result_int() == 200);

  const Request other_method(verb::post, "/api/items/42/", 11);
  router.dispatch(other_method, nullptr, PathParams(),
                  Reply([&](Response r) { answered = std::move(r); }));
  CHECK(answered.result_int() == 405);
  CHECK(answered[beast_http::field::allow] == "GET");
  const Request unknown(verb::get, "/api/nothing/", 11);
  router.dispatch(unknown, nullptr, PathParams(),
                  Reply([&](Response r) { answered = std::move(r); }));
  CHECK(answered.result_int() == 404);
}

}  // namespace
}  // namespace ledger::http
