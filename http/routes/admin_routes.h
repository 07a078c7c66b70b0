// Operators' endpoints (admins): an online backup of the store, a consistent checkpoint taken
// while the server keeps serving, written under the configured backup directory.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_admin_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
