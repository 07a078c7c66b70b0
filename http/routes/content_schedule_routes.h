// The content schedule: marketing agents schedule posts for their assigned clients; clients (and
// admins) approve; agents publish approved posts; calendar, upcoming and overdue views.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_content_schedule_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
