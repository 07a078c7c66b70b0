// What the admin dashboard shows of one agent's support work, read from the analytics
// projection's rows (projections/analytics_projection.h).
//
// First reply time: for a support ticket whose first reply by staff was an agent's, the whole
// seconds from the ticket's opening to that reply. The agent's median is the middle one of those
// times, or the mean of the two middle ones for an even count.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"
#include "projections/projection_runner.h"

namespace ledger::projections {

// The median first reply time of `agent_id`'s tickets, in seconds; nullopt when the agent never
// gave a ticket its first staff reply. Corruption for a row key that does not read.
Result<std::optional<double>> median_first_reply_seconds(const ProjectionRunner& analytics,
                                                         std::string_view agent_id);

}  // namespace ledger::projections
