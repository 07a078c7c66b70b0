// Router: maps (method, path) to a handler, with `{name}` path parameters.
//
// Patterns are literal paths whose segments may be `{name}`, e.g.
// "/api/wallet/topups/{id}/confirm/"; the trailing slash is part of the path, as the dashboards
// send it. The query string is ignored for matching. An unknown path answers 404 and a known path
// with another method 405 (with `Allow`), both as problem documents. Routes are added before the
// server starts; dispatch is then read-only and safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_types.h"

namespace ledger::http {

class PathParams {
 public:
  void add(std::string_view name, std::string_view value) { params_.emplace_back(name, value); }
  // The value of `{name}`, empty when the route has no such parameter.
  std::string_view get(std::string_view name) const {
    for (const auto& [key, value] : params_) {
      if (key == name) return value;
    }
    return {};
  }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> params_;
};

using Handler = std::function<void(const Request&, const PathParams&, Reply)>;

struct Route {
  beast_http::verb method;
  std::string pattern;
  std::vector<std::string> segments;  // split pattern; "{x}" marks a parameter
  Handler handler;
};

class Router {
 public:
  void add(beast_http::verb method, std::string pattern, Handler handler);

  // Finds the route for the request and calls its handler, or replies 404/405.
  void dispatch(const Request& request, Reply reply) const;

  // The route the request would reach (nullptr when none), for metrics labels.
  const Route* match(beast_http::verb method, std::string_view target, PathParams* params) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// The path part of a request target (before '?').
std::string_view target_path(std::string_view target);

}  // namespace ledger::http
