// The ledger as finance sees it through the API (admins): the event log as JSON, the trial
// balance of every account, and an account's statement with opening, running and closing
// balances. A client may read the statement of its own wallet.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable ledger_query_routes();

}  // namespace ledger::http
