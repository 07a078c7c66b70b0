// Answers a query from an asynchronous projection's rows.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/api_context.h"
#include "http/http_types.h"
#include "projections/projection_runner.h"

namespace ledger::http {

// Like answer_query, but `X-Min-Position` waits (up to the configured time) for the projection to
// fold that position, and the answer's `X-Ledger-Position` is the projection's checkpoint.
void answer_from_projection(ApiContext& api, projections::ProjectionRunner& runner,
                            const Request& request, Reply& reply,
                            const std::function<Result<nlohmann::json>()>& read);

// The registered projection named `name` (it must be registered).
projections::ProjectionRunner& projection_named(ApiContext& api, std::string_view name);

}  // namespace ledger::http
