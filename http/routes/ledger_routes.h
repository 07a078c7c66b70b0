// The ledger's own endpoints: GET /api/ledger/head/ -> {position, hash}.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable ledger_routes();

}  // namespace ledger::http
