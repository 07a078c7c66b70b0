// The route table: every declared route (http/route_declaration.h) and their registration.
//
// Each area's routes file answers its declarations (`campaign_routes()`); `route_table()` is all
// of them, the one list the router, the authorization matrix test and the OpenAPI document read.
#pragma once

#include "http/api_context.h"
#include "http/route_declaration.h"
#include "http/router.h"

namespace ledger::http {

// Every declared route, built once.
const RouteTable& route_table();

// The declaration of (method, path), nullptr when none.
const RouteDeclaration* find_declaration(beast_http::verb method, std::string_view path);

// Registers `declaration` (which must outlive the router): authentication by its audience and
// roles, X-Min-Position, decoding of its query and body, then its handler. `open` registers it
// without authentication (/metrics on its own loopback listener).
void add_declared_route(Router& router, ApiContext& api, const RouteDeclaration& declaration,
                        bool open = false);

// Registers every route of `route_table()`.
void add_declared_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
