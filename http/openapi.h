// The served OpenAPI 3 document (GET /openapi.json), built from one table of every endpoint:
// method, path, summary, who may call it, its request fields and its success status. A test
// checks the table against the router, so no route goes undocumented and no documented route
// is missing.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/route_declaration.h"
#include "http/router.h"

namespace ledger::http {

struct ApiField {
  std::string name;
  std::string type;  // "string", "money", "integer", "boolean", "date", "time", "array", "file"
  bool required = false;
  std::string description;
};

struct ApiOperation {
  std::string method;  // "get", "post", "patch"
  std::string path;    // as routed, e.g. "/api/wallet/topups/{id}/confirm/"
  std::string summary;
  std::string who;  // "public", "any user", "admin", "client", "agent", "admin, client", ...
  std::vector<ApiField> body;
  std::vector<ApiField> query;
  int success = 200;
  bool list = false;                             // answers the list envelope
  std::string body_type = "application/json";    // or "multipart/form-data" (uploads)
  std::string answer_type = "application/json";  // or "application/zip" (downloads)
};

const std::vector<ApiOperation>& api_operations();

nlohmann::json openapi_document();

// GET /openapi.json, declared.
RouteTable openapi_routes();

}  // namespace ledger::http
