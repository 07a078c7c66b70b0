// Wallet endpoints: balance, top-ups (client request, admin confirm, payment-provider webhook),
// payments, affordability, transactions, redeeming codes, auto-recharge (see API.md, Wallet).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable wallet_routes();

}  // namespace ledger::http
