// Invoices and subscriptions (API.md): admins issue and void invoices and activate
// subscriptions; clients pay their invoices from the wallet and cancel their subscriptions;
// lists are scoped by the authorization policy (agents see their assigned clients').
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable billing_routes();

}  // namespace ledger::http
