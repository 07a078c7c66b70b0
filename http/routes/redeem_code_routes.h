// Redeem-code administration: create (one or a batch), list, activate/deactivate, stats and
// usage history (see API.md, Redeem codes). Redeeming is a wallet endpoint.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_redeem_code_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
