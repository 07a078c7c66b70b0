// Course endpoints: catalogue (admin creates, everyone reads with is_purchased/is_accessible),
// purchases with the wallet or PayPal, PayPal confirmation, my purchases, refunds (API.md).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_course_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
