// A step folds share: an event changes a row written for an earlier event and stamps its time on
// it as the row's `updated_at_us`.
#pragma once

#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

// Applies `change` to the row of type M at `key`, sets its updated_at_us to the event's time and
// saves it. A missing row is left missing (folds are total); an undecodable one is an error.
template <class M, class Change>
Status update_row(KeyspaceRows& rows, std::string_view key, const FoldedEvent& event,
                  Change change) {
  auto row = rows.load<M>(key);
  if (!row) return std::move(row).error();
  if (!row->has_value()) return {};
  M& state = **row;
  change(state);
  state.set_updated_at_us(event.recorded_at_us);
  rows.save(key, state);
  return {};
}

}  // namespace ledger::domain
