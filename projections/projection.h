// A projection: a named, versioned, pure fold of the log into rows of its own, built
// asynchronously (see projection_runner.h). Changing what a projection writes means bumping its
// version: it is then rebuilt from position 0 on start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::projections {

// What a fold sees and changes: its own rows (keys relative to the projection) and, for side
// effects such as queued emails, rows of other keyspaces written only once per dedup key.
class ProjectionState {
 public:
  virtual ~ProjectionState() = default;
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  virtual void put(std::string_view key, std::string value) = 0;
  virtual void erase(std::string_view key) = 0;
  // False while a rebuild replays events that were already projected once: no side effects.
  virtual bool side_effects_allowed() const = 0;
  // Writes `value` at keyspace/key unless a row is there already (idempotent side effects).
  // Answers whether it was written now (false: the key existed, or was put once already).
  virtual Result<bool> put_once(std::string_view keyspace, std::string_view key,
                                std::string value) = 0;
};

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  virtual std::uint32_t version() const = 0;
  // Folds one event. An error stops this projection at this event (it is "poison") and is shown
  // in its status; the server and other projections go on.
  virtual Status apply(const events::Envelope& event, ProjectionState& state) = 0;
};

}  // namespace ledger::projections
