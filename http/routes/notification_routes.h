// Notification feeds (from the notification projection): list with type and unread filters and
// date groups, unread count, mark one / all read; and the operators' view of every projection
// (status, rebuild).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable notification_routes();

}  // namespace ledger::http
