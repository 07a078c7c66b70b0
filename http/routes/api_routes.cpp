#include "http/routes/api_routes.h"

#include "http/routes/identity_routes.h"
#include "http/routes/wallet_routes.h"

namespace ledger::http {

void add_api_routes(Router& router, ApiContext& api) {
  add_identity_routes(router, api);
  add_wallet_routes(router, api);
}

}  // namespace ledger::http
