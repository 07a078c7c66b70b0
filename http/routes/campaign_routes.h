// Marketing campaigns: marketing agents for their assigned clients (and admins) create and run
// them; clients see their own and set the budget. Out-of-scope campaigns answer 404.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_campaign_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
