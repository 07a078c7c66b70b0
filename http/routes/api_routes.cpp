#include "http/routes/api_routes.h"

#include "http/openapi.h"
#include "http/route_table.h"
#include "http/routes/admin_routes.h"
#include "http/routes/analytics_routes.h"
#include "http/routes/content_schedule_routes.h"
#include "http/routes/ledger_query_routes.h"
#include "http/routes/notification_routes.h"
#include "http/routes/website_routes.h"
#include "http/routes/website_version_routes.h"

namespace ledger::http {

void add_api_routes(Router& router, ApiContext& api) {
  add_content_schedule_routes(router, api);
  add_website_routes(router, api);
  add_website_version_routes(router, api);
  add_ledger_query_routes(router, api);
  add_admin_routes(router, api);
  add_analytics_routes(router, api);
  add_notification_routes(router, api);
  add_declared_routes(router, api);
  add_openapi_routes(router);
}

}  // namespace ledger::http
