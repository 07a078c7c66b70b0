// Marketing campaigns: marketing agents for their assigned clients (and admins) create and run
// them; clients see their own and set the budget. Out-of-scope campaigns answer 404.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable campaign_routes();

}  // namespace ledger::http
