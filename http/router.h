// Router: maps (method, path) to a handler, with `{name}` path parameters.
//
// Patterns are literal paths whose segments may be `{name}`, e.g.
// "/api/wallet/topups/{id}/confirm/"; the trailing slash is part of the path, as the dashboards
// send it. The query string is ignored for matching. An unknown path answers 404 and a known path
// with another method 405 (with `Allow`), both as problem documents. Routes are added before the
// server starts; dispatch is then read-only and safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "http/http_types.h"

namespace ledger::http {

class PathParams {
 public:
  using Entries = std::vector<std::pair<std::string_view, std::string_view>>;
  void add(std::string_view name, std::string_view value) { params_.emplace_back(name, value); }
  // The value of `{name}`, empty when the route has no such parameter.
  std::string_view get(std::string_view name) const {
    for (const auto& [key, value] : params_) {
      if (key == name) return value;
    }
    return {};
  }
  const Entries& entries() const { return params_; }
  // The same parameters as views into `to`, a copy of `from` (the target these views point
  // into): for a request kept beyond its handler's call.
  PathParams rebased(std::string_view from, std::string_view to) const {
    PathParams rebased;
    for (const auto& [key, value] : params_) {
      LEDGER_ASSERT(value.data() >= from.data() &&
                        value.data() + value.size() <= from.data() + from.size() &&
                        from.size() == to.size(),
                    "path parameters are views into the request target");
      rebased.add(key,
                  to.substr(static_cast<std::size_t>(value.data() - from.data()), value.size()));
    }
    return rebased;
  }

 private:
  Entries params_;
};

struct RouteDeclaration;  // http/route_declaration.h

using Handler = std::function<void(const Request&, const PathParams&, Reply)>;

// For a route whose body is streamed: called with the request's head as soon as it arrived
// (the body is empty), it answers with the sink that takes the body, or with an error that is
// answered at once without reading the body (authentication, scope, a bad field in the query).
using StreamedHandler =
    std::function<Result<std::unique_ptr<BodySink>>(const Request& head, const PathParams&)>;

struct Route {
  beast_http::verb method;
  std::string pattern;
  std::vector<std::string> segments;  // split pattern; "{x}" marks a parameter
  Handler handler;
  StreamedHandler streamed;          // set instead of `handler` for streamed-body routes
  std::uint64_t body_bytes_max = 0;  // streamed routes: the body limit (beside the sink's own)
  const RouteDeclaration* declaration = nullptr;  // where the route was declared, if it was
};

class Router {
 public:
  void add(beast_http::verb method, std::string pattern, Handler handler);
  // A route whose body is handed to a BodySink piece by piece as it arrives (the server's
  // body limit does not apply; `body_bytes_max` does), e.g. a 50 MiB upload.
  void add_streamed(beast_http::verb method, std::string pattern, StreamedHandler handler,
                    std::uint64_t body_bytes_max);

  // Notes the declaration of the route added as (method, pattern).
  void declare(beast_http::verb method, std::string_view pattern,
               const RouteDeclaration* declaration);

  // Finds the route for the request and calls its handler, or replies 404/405. A streamed
  // route gets the request's whole body as one piece.
  void dispatch(const Request& request, Reply reply) const;

  // The same for a request already matched (the server matches each request once, when its
  // head arrives): `route` and `params` are what `match` gave for this request's method and
  // target (nullptr: no route; then 404/405).
  void dispatch(const Request& request, const Route* route, const PathParams& params,
                Reply reply) const;

  // The route the request would reach (nullptr when none); `params`, when given, receives its
  // path parameters as views into `target`.
  const Route* match(beast_http::verb method, std::string_view target, PathParams* params) const;

  // The methods of every route whose pattern matches the target's path, in the order they were
  // added (empty: no such path). The 405 answer's Allow and CORS preflights read it.
  std::vector<beast_http::verb> methods_of(std::string_view target) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Methods as an Allow header lists them: "GET, POST".
std::string methods_text(const std::vector<beast_http::verb>& methods);

// The path part of a request target (before '?').
std::string_view target_path(std::string_view target);

// Refuses (invalid_argument, 400, naming it) a path parameter or query parameter that is not
// short text (core/text_validation.h: invalid UTF-8, control or bidirectional characters) and a
// query that is not well-formed percent-encoding. Dispatch checks it before any handler runs.
Status check_request_target(const Request& request, const PathParams& params);

}  // namespace ledger::http
