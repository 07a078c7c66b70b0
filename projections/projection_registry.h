// ProjectionRegistry: every asynchronous projection of the server, with its runner: started and
// stopped together, found by name for queries and for the operators' status and rebuild.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/store/event_log.h"
#include "projections/projection.h"
#include "projections/projection_runner.h"

namespace ledger::projections {

class ProjectionRegistry {
 public:
  ProjectionRegistry(store::EventLog& log, const Clock& clock) : log_(log), clock_(clock) {}
  ~ProjectionRegistry() { stop(); }

  void add(std::unique_ptr<Projection> projection);
  Status start();
  // Loads every projection's stored state without starting anything (read-only inspection).
  Status load();
  void stop();

  // nullptr when there is no projection of that name.
  ProjectionRunner* find(std::string_view name) const;
  std::vector<ProjectionStatus> statuses() const;

 private:
  store::EventLog& log_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<std::unique_ptr<ProjectionRunner>> runners_;
};

// The server's projections (notification feeds, ...), registered in one place.
void add_server_projections(ProjectionRegistry& registry);

}  // namespace ledger::projections
