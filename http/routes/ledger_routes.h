// The ledger's own endpoints: GET /api/ledger/head/ -> {position, hash}.
#pragma once

#include "core/store/event_log.h"
#include "http/router.h"

namespace ledger::http {

void add_ledger_routes(Router& router, const store::EventLog& log);

}  // namespace ledger::http
