// The ledger as finance sees it through the API (admins): the event log as JSON, the trial
// balance of every account, and an account's statement with opening, running and closing
// balances. A client may read the statement of its own wallet.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_ledger_query_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
