// Redeem-code administration: create (one or a batch), list, activate/deactivate, stats and
// usage history (see API.md, Redeem codes). Redeeming is a wallet endpoint.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable redeem_code_routes();

}  // namespace ledger::http
