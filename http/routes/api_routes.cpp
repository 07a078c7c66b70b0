#include "http/routes/api_routes.h"

#include "http/openapi.h"
#include "http/route_table.h"
#include "http/routes/billing_routes.h"
#include "http/routes/course_routes.h"
#include "http/routes/identity_routes.h"
#include "http/routes/redeem_code_routes.h"
#include "http/routes/wallet_routes.h"

namespace ledger::http {

void add_api_routes(Router& router, ApiContext& api) {
  add_identity_routes(router, api);
  add_wallet_routes(router, api);
  add_redeem_code_routes(router, api);
  add_course_routes(router, api);
  add_billing_routes(router, api);
  add_declared_routes(router, api);
}

}  // namespace ledger::http
