// Operators' endpoints (admins): an online backup of the store, a consistent checkpoint taken
// while the server keeps serving, written under the configured backup directory.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable admin_routes();

}  // namespace ledger::http
