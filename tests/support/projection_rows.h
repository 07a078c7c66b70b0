// Every row of a projection's active generation (keys relative to the projection), for comparing
// a projection with a rebuild of itself byte for byte.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "projections/projection_registry.h"

namespace ledger::testing {

using ProjectionRows = std::map<std::string, std::string, std::less<>>;

inline ProjectionRows projection_rows(const projections::ProjectionRunner& runner) {
  ProjectionRows rows;
  REQUIRE(runner
              .scan("", store::ReadDirection::forward,
                    [&](std::string_view key, std::string_view value) {
                      rows.emplace(std::string(key), std::string(value));
                      return true;
                    })
              .ok());
  return rows;
}

// For each projection of the registry: catch up, take its rows, rebuild it from position 0,
// catch up again, and check the rows are the same.
inline void check_projections_equal_rebuild(projections::ProjectionRegistry& registry) {
  for (const auto& status : registry.statuses()) {
    auto* runner = registry.find(status.name);
    REQUIRE(runner != nullptr);
    REQUIRE(runner->catch_up().ok());
    const ProjectionRows resumed = projection_rows(*runner);
    REQUIRE(runner->rebuild().ok());
    REQUIRE(runner->catch_up().ok());
    const ProjectionRows rebuilt = projection_rows(*runner);
    CHECK_MESSAGE(resumed.size() == rebuilt.size(), status.name);
    CHECK_MESSAGE(resumed == rebuilt, status.name);
  }
}

}  // namespace ledger::testing
