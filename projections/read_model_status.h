// The status of every read model, inline and asynchronous, in one shape for the admin API and
// ledgerctl.
//
// Inline read models (the folds of core/domain/inline_folds.h) are written by the writer in the
// same batch as their events: always at the head, never lagging; each can be rebuilt from the log
// offline (replay/inline_rebuild.h). Asynchronous projections report their runner's status.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/store/event_log.h"
#include "projections/projection_registry.h"

namespace ledger::projections {

std::vector<ProjectionStatus> inline_read_model_statuses(const store::EventLog& log);

// Inline first, then the registry's projections.
std::vector<ProjectionStatus> all_read_model_statuses(const store::EventLog& log,
                                                      const ProjectionRegistry& registry);

bool is_inline_read_model(std::string_view name);

nlohmann::json status_json(const ProjectionStatus& status);

}  // namespace ledger::projections
