#include "http/error_response.h"

#include <nlohmann/json.hpp>

#include "http/json_response.h"

namespace ledger::http {

beast_http::status status_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument:
      return beast_http::status::bad_request;
    case ErrorKind::unauthenticated:
      return beast_http::status::unauthorized;
    case ErrorKind::forbidden:
      return beast_http::status::forbidden;
    case ErrorKind::not_found:
      return beast_http::status::not_found;
    case ErrorKind::conflict:
      return beast_http::status::conflict;
    case ErrorKind::too_large:
      return beast_http::status::payload_too_large;
    case ErrorKind::unsupported_media_type:
      return beast_http::status::unsupported_media_type;
    case ErrorKind::refused:
      return beast_http::status::unprocessable_entity;
    case ErrorKind::rate_limited:
      return beast_http::status::too_many_requests;
    case ErrorKind::unavailable:
      return beast_http::status::service_unavailable;
    case ErrorKind::internal:
      return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

namespace {

nlohmann::json problem_body(beast_http::status status, std::string code, std::string detail) {
  return {
      {"type", "about:blank"},
      {"title", std::string(beast_http::obsolete_reason(status))},
      {"status", static_cast<int>(status)},
      {"detail", std::move(detail)},
      {"code", std::move(code)},
  };
}

// Rendered by json_response, which replaces invalid UTF-8: a detail or a field name may quote
// what the caller sent (a path segment, a header), and rendering must never throw.
Response problem_document(const Request& request, beast_http::status status,
                          const nlohmann::json& body) {
  Response response = json_response(request, status, body);
  response.set(beast_http::field::content_type, "application/problem+json");
  return response;
}

}  // namespace

Response problem_response(const Request& request, beast_http::status status, std::string code,
                          std::string detail) {
  return problem_document(request, status,
                          problem_body(status, std::move(code), std::move(detail)));
}

Response error_response(const Request& request, const Error& error) {
  const auto status = status_of(error.kind());
  nlohmann::json body = problem_body(status, std::string(errc_name(error.code)), error.message);
  if (!error.field.empty()) body["errors"] = {{error.field, {error.message}}};
  Response response = problem_document(request, status, body);
  if (error.kind() == ErrorKind::unavailable) response.set(beast_http::field::retry_after, "1");
  return response;
}

}  // namespace ledger::http
