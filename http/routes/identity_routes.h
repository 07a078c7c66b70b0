// Identity endpoints: login, logout, me, self-registration with email verification, admin user
// management, agent assignment, agents' clients and clients' services (see API.md, Identity).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_identity_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
