// The served OpenAPI 3 document (GET /openapi.json), generated from the route table
// (http/route_table.h): one operation per declared route, with its operationId, summary, who may
// call it (security), its path, query and header parameters, its request body's fields with their
// types and limits, its success answer's schema and headers, and the problem documents of the
// refusals it declares. Named answer schemas (schema::named) become shared components, beside
// Money and Problem. The end-to-end tests validate every answer they receive against it.
#pragma once

#include <nlohmann/json.hpp>

#include "http/route_declaration.h"

namespace ledger::http {

nlohmann::json openapi_document();

// GET /openapi.json, declared.
RouteTable openapi_routes();

}  // namespace ledger::http
