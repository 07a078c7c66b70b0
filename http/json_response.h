// JSON answers: the body, its content type and length, the request's version and keep-alive.
#pragma once

#include <nlohmann/json.hpp>

#include "http/http_types.h"

namespace ledger::http {

// `body` as compact JSON text; never throws: invalid UTF-8 in a string (text that came from
// outside) is replaced by U+FFFD. Every JSON the server sends is rendered here.
std::string render_json(const nlohmann::json& body);

Response json_response(const Request& request, beast_http::status status,
                       const nlohmann::json& body);

// A plain-text answer (metrics, health).
Response text_response(const Request& request, beast_http::status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace ledger::http
