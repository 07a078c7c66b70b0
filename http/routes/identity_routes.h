// Identity endpoints: login, logout, me, self-registration with email verification, admin user
// management, agent assignment, agents' clients and clients' services (see API.md, Identity).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable identity_routes();

}  // namespace ledger::http
