// Admin analytics: the service report (revenue, active, new and churned clients, churn and growth
// rates per service, from the analytics projection) and agents' workload and performance.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_analytics_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
