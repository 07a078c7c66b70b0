// Cross-origin calls from the dashboards' pages (API.md, "Browsers"; docs/SECURITY.md).
//
// `ServerOptions::cors_origins` lists the exact origins ("https://app.example.com",
// "http://127.0.0.1:3000") allowed to call; none by default. An answer to a request whose Origin
// is one of them, byte for byte, carries Access-Control-Allow-Origin (that origin, never "*") and
// Access-Control-Expose-Headers; errors, streams and files included, or the browser would hide
// them from the page. Any other origin gets no CORS headers. With origins configured, every answer
// carries `Vary: Origin`, since it depends on the header.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered from the router,
// whose routes are the route table's: 204 with the path's declared methods, the allowed request
// headers and Access-Control-Max-Age when the origin is allowed and the requested method is among
// the path's; otherwise a problem answer without allowances (404 no such path, 403 origin not
// allowed, 405 method not declared there, with Allow). No Access-Control-Allow-Credentials: the
// API authenticates with bearer tokens in a header, never with cookies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/http_types.h"
#include "http/router.h"
#include "http/server_options.h"

namespace ledger::http {

inline constexpr char kCorsAllowedHeaders[] =
    "Authorization, Content-Type, Idempotency-Key, X-Min-Position";
inline constexpr char kCorsExposedHeaders[] = "X-Ledger-Position, Retry-After, Location";

// Whether `origin` may be configured: "http://" or "https://", then a host (letters, digits, '.',
// '-', or a bracketed IPv6 address) in lower case, then an optional ":port"; no path, no
// trailing slash, no wildcard, no "null". invalid_argument saying why otherwise.
Status check_cors_origin(std::string_view origin);

// The request's Origin when it is exactly one of `allowed`; empty otherwise (also when the
// request has no Origin or several).
std::string allowed_origin(const ServerOptions& options, const beast_http::fields& request);

// Marks an answer to a request whose allowed origin is `origin` (empty: none): see above.
void add_cors_headers(const ServerOptions& options, std::string_view origin,
                      beast_http::fields& answer);

// Whether the request is a CORS preflight.
bool is_preflight(const Request& request);

// The answer to the preflight `request` (see above).
Response preflight_response(const ServerOptions& options, const Router& router,
                            const Request& request);

}  // namespace ledger::http
