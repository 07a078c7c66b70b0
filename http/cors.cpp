#include "http/cors.h"

#include <fmt/format.h>

#include <algorithm>

#include "http/error_response.h"

namespace ledger::http {
namespace {

bool is_host_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_ipv6_character(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

// "host" or "[v6]": non-empty, of the characters above.
bool is_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const auto inside = host.substr(1, host.size() - 2);
    return !inside.empty() && std::all_of(inside.begin(), inside.end(), is_ipv6_character);
  }
  return !host.empty() && host.front() != '.' && host.front() != '-' &&
         std::all_of(host.begin(), host.end(), is_host_character);
}

// "1" to "65535", no leading zero.
bool is_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || port.front() == '0') return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

}  // namespace

Status check_cors_origin(std::string_view origin) {
  auto refuse = [origin](std::string_view why) -> Status {
    return make_error(Errc::invalid_argument,
                      fmt::format("--cors-origin '{}' is not an origin: {} (an origin is "
                                  "http:// or https://, a lower-case host and an optional port, "
                                  "e.g. https://app.example.com)",
                                  origin, why));
  };
  std::string_view rest = origin;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return refuse("it starts with neither http:// nor https://");
  }
  if (rest.find('/') != std::string_view::npos) return refuse("it has a path or a trailing slash");
  std::string_view host = rest;
  const auto bracket_end = rest.rfind(']');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (bracket_end == std::string_view::npos || colon > bracket_end)) {
    if (!is_port(rest.substr(colon + 1))) return refuse("its port is not 1-65535");
    host = rest.substr(0, colon);
  }
  if (!is_host(host)) {
    return refuse("its host is not lower-case letters, digits, dots and dashes (no wildcard)");
  }
  return {};
}

std::string allowed_origin(const ServerOptions& options, const beast_http::fields& request) {
  if (options.cors_origins.empty()) return {};
  const auto [first, last] = request.equal_range(beast_http::field::origin);
  if (first == last || std::next(first) != last) return {};
  const std::string_view origin(first->value().data(), first->value().size());
  for (const auto& allowed : options.cors_origins) {
    if (origin == allowed) return allowed;
  }
  return {};
}

void add_cors_headers(const ServerOptions& options, std::string_view origin,
                      beast_http::fields& answer) {
  if (options.cors_origins.empty()) return;
  answer.set(beast_http::field::vary, "Origin");
  if (origin.empty()) return;
  answer.set(beast_http::field::access_control_allow_origin,
             boost::beast::string_view(origin.data(), origin.size()));
  answer.set(beast_http::field::access_control_expose_headers, kCorsExposedHeaders);
}

bool is_preflight(const Request& request) {
  return request.method() == beast_http::verb::options &&
         request.find(beast_http::field::origin) != request.end() &&
         request.find(beast_http::field::access_control_request_method) != request.end();
}

Response preflight_response(const ServerOptions& options, const Router& router,
                            const Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto methods = router.methods_of(target);
  const std::string origin = allowed_origin(options, request);
  auto refused = [&](beast_http::status status, std::string code, std::string detail) {
    Response response = problem_response(request, status, std::move(code), std::move(detail));
    if (status == beast_http::status::method_not_allowed) {
      response.set(beast_http::field::allow, methods_text(methods));
    }
    add_cors_headers(options, "", response);
    return response;
  };
  if (methods.empty()) {
    return refused(beast_http::status::not_found, "not_found", "no such endpoint");
  }
  if (origin.empty()) {
    return refused(beast_http::status::forbidden, "forbidden",
                   "this origin may not call the API from a browser");
  }
  const auto requested = request[beast_http::field::access_control_request_method];
  const auto method = beast_http::string_to_verb(requested);
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return refused(beast_http::status::method_not_allowed, "method_not_allowed",
                   "this endpoint does not accept that method");
  }
  Response response{beast_http::status::no_content, request.version()};
  response.keep_alive(request.keep_alive());
  add_cors_headers(options, origin, response);
  response.erase(beast_http::field::access_control_expose_headers);  // for actual answers only
  response.set(beast_http::field::access_control_allow_methods, methods_text(methods));
  response.set(beast_http::field::access_control_allow_headers, kCorsAllowedHeaders);
  response.set(beast_http::field::access_control_max_age,
               std::to_string(options.cors_max_age_seconds));
  response.prepare_payload();
  return response;
}

}  // namespace ledger::http
