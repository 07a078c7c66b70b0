// Website projects: clients start them with the questionnaire; their website agent (or an admin)
// completes the phases. Out-of-scope projects answer 404.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable website_routes();

}  // namespace ledger::http
