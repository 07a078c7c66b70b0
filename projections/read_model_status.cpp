#include "projections/read_model_status.h"

#include "core/domain/inline_folds.h"

namespace ledger::projections {

bool is_inline_read_model(std::string_view name) {
  return domain::find_inline_fold(name) != nullptr;
}

std::vector<ProjectionStatus> inline_read_model_statuses(const store::EventLog& log) {
  std::vector<ProjectionStatus> statuses;
  const std::uint64_t head = log.head().position;
  for (const auto& fold : domain::inline_folds()) {
    ProjectionStatus status;
    status.name = fold.keyspace;
    status.kind = "inline";
    auto stored_version = log.keyspace_version(fold.keyspace);
    status.version = stored_version ? *stored_version : 0;
    status.code_version = fold.version;
    auto generation = log.keyspace_generation(fold.keyspace);
    status.generation = generation ? *generation : 0;
    status.checkpoint = head;
    status.head = head;
    status.state = "live";
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<ProjectionStatus> all_read_model_statuses(const store::EventLog& log,
                                                      const ProjectionRegistry& registry) {
  auto statuses = inline_read_model_statuses(log);
  for (auto& status : registry.statuses()) statuses.push_back(std::move(status));
  return statuses;
}

nlohmann::json status_json(const ProjectionStatus& status) {
  nlohmann::json json = {{"name", status.name},
                         {"kind", status.kind},
                         {"version", status.version},
                         {"code_version", status.code_version},
                         {"generation", status.generation},
                         {"checkpoint", status.checkpoint},
                         {"head", status.head},
                         {"lag_events", status.lag_events},
                         {"lag_seconds", status.lag_seconds},
                         {"state", status.state}};
  if (status.state == "rebuilding") json["rebuild_checkpoint"] = status.rebuild_checkpoint;
  if (status.state == "failed") {
    json["failed_position"] = status.failed_position;
    json["failed_error"] = status.failed_error;
  }
  return json;
}

}  // namespace ledger::projections
