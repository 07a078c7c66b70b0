#include "projections/projection_registry.h"

#include "projections/analytics_projection.h"
#include "projections/email_projection.h"
#include "projections/notification_projection.h"

namespace ledger::projections {

void ProjectionRegistry::add(std::unique_ptr<Projection> projection) {
  runners_.push_back(std::make_unique<ProjectionRunner>(log_, *projection, clock_));
  projections_.push_back(std::move(projection));
}

Status ProjectionRegistry::start() {
  for (auto& runner : runners_) {
    if (auto started = runner->start(); !started) return started;
  }
  return {};
}

Status ProjectionRegistry::load() {
  for (auto& runner : runners_) {
    if (auto loaded = runner->load(); !loaded) return loaded;
  }
  return {};
}

void ProjectionRegistry::stop() {
  for (auto& runner : runners_) runner->stop();
}

ProjectionRunner* ProjectionRegistry::find(std::string_view name) const {
  for (const auto& runner : runners_) {
    if (runner->name() == name) return runner.get();
  }
  return nullptr;
}

std::vector<ProjectionStatus> ProjectionRegistry::statuses() const {
  std::vector<ProjectionStatus> statuses;
  for (const auto& runner : runners_) statuses.push_back(runner->status());
  return statuses;
}

void add_server_projections(ProjectionRegistry& registry) {
  registry.add(std::make_unique<NotificationProjection>());
  registry.add(std::make_unique<EmailProjection>());
  registry.add(std::make_unique<AnalyticsProjection>());
}

}  // namespace ledger::projections
