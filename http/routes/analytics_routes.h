// Admin analytics: the service report (revenue, active, new and churned clients, churn and growth
// rates per service, from the analytics projection) and agents' workload and performance.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable analytics_routes();

}  // namespace ledger::http
