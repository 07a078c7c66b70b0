// GET /metrics: the Prometheus text exposition of the server's metrics (ApiContext::metrics).
//
// Metrics tell an outsider the traffic of every route, the log's head and the store's state, so
// they are not public: on the API listener only admin tokens get them (401 without a token, 403
// for other roles); scrapers without a token use a listener of their own (`ledgerd
// --metrics-listen`, loopback unless the operator says otherwise) that serves nothing else.
#pragma once

#include "http/api_context.h"
#include "http/route_declaration.h"
#include "http/router.h"

namespace ledger::http {

// /metrics on the API listener, for admin tokens only.
RouteTable metrics_routes();

// /metrics without a token: only for the router of the metrics listener.
void add_metrics_listener_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
