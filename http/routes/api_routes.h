// Every endpoint of the dashboards' API (API.md), added in one call.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_api_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
