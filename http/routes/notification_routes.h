// Notification feeds (from the notification projection): list with type and unread filters and
// date groups, unread count, mark one / all read; and the operators' view of every projection
// (status, rebuild).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_notification_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
