// GET /healthz (the process is up) and GET /readyz (the store is open and writable).
#pragma once

#include "core/store/event_log.h"
#include "http/router.h"

namespace ledger::http {

void add_health_routes(Router& router, const store::EventLog& log);

}  // namespace ledger::http
