// The content schedule: marketing agents schedule posts for their assigned clients; clients (and
// admins) approve; agents publish approved posts; calendar, upcoming and overdue views.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable content_schedule_routes();

}  // namespace ledger::http
