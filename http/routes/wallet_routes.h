// Wallet endpoints: balance, top-ups (client request, admin confirm, payment-provider webhook),
// payments, affordability, transactions, redeeming codes, auto-recharge (see API.md, Wallet).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_wallet_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
