// GET /metrics: the Prometheus text exposition of `metrics`.
#pragma once

#include "http/metrics.h"
#include "http/router.h"

namespace ledger::http {

void add_metrics_routes(Router& router, const Metrics& metrics);

}  // namespace ledger::http
