// GET /healthz (the process is up) and GET /readyz (the store is open and writable).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable health_routes();

}  // namespace ledger::http
