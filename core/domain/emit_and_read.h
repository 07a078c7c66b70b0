// A step deciders share: emit an event, then answer the row it folded into (as the keyspace's
// fold left it), for the deciders that answer the state they changed.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/assert.h"
#include "core/domain/unit_of_work.h"

namespace ledger::domain {

// Emits `event` on `stream_id`, then loads the row of type M at keyspace/key. The row must be
// there: the event's fold writes it (asserted). Fails only as emit or load fail.
template <class M, class E>
Result<M> emit_and_read(UnitOfWork& uow, std::string stream_id, const E& event,
                        std::string_view keyspace, std::string_view key) {
  if (auto emitted = uow.emit(std::move(stream_id), event); !emitted) {
    return std::move(emitted).error();
  }
  auto row = uow.load<M>(keyspace, key);
  if (!row) return std::move(row).error();
  LEDGER_ASSERT(row->has_value(), "the fold of an event writes the row its decider answers");
  return std::move(**row);
}

}  // namespace ledger::domain
