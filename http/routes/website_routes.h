// Website projects: clients start them with the questionnaire; their website agent (or an admin)
// completes the phases. Out-of-scope projects answer 404.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_website_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
