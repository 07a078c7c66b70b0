// Answers a query from an asynchronous projection's rows.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/api_context.h"
#include "http/api_support.h"
#include "http/http_types.h"
#include "http/route_declaration.h"
#include "projections/projection_runner.h"

namespace ledger::http {

// Like answer_query, but the answer's `X-Ledger-Position` is the projection's checkpoint. Declare
// the route's `read_model` as `projection_read_model(name)` so that X-Min-Position waits for the
// projection.
void answer_from_projection(projections::ProjectionRunner& runner, const Request& request,
                            Reply& reply, const std::function<Result<nlohmann::json>()>& read);

// The checkpoint of the projection named `name` (0 once it failed), for X-Min-Position, as a
// route declares its read model (RouteDeclaration::read_model).
ReadModelOf projection_read_model(std::string name);

// The registered projection named `name` (it must be registered).
projections::ProjectionRunner& projection_named(ApiContext& api, std::string_view name);

}  // namespace ledger::http
