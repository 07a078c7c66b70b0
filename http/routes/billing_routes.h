// Invoices and subscriptions (API.md): admins issue and void invoices and activate
// subscriptions; clients pay their invoices from the wallet and cancel their subscriptions;
// lists are scoped by the authorization policy (agents see their assigned clients').
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_billing_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
