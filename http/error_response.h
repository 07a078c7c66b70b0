// Error answers as RFC 7807 problem documents (`application/problem+json`):
//   {"type": "about:blank", "title": "...", "status": 422, "detail": "...", "code": "...",
//    "errors": {"field": ["..."]}}
// The HTTP status of an error depends only on its kind (core/error.h), through one table here.
#pragma once

#include "core/error.h"
#include "http/http_types.h"

namespace ledger::http {

beast_http::status status_of(ErrorKind kind);

// A problem response for `error`, keeping the request's HTTP version and keep-alive.
Response error_response(const Request& request, const Error& error);

// A problem response with an explicit status (routing errors: 404 unknown path, 405).
Response problem_response(const Request& request, beast_http::status status, std::string code,
                          std::string detail);

}  // namespace ledger::http
