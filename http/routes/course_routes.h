// Course endpoints: catalogue (admin creates, everyone reads with is_purchased/is_accessible),
// purchases with the wallet or PayPal, PayPal confirmation, my purchases, refunds (API.md).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable course_routes();

}  // namespace ledger::http
