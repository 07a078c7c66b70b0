// The registry of inline folds: every keyspace the writer keeps beside the log, each a fold of
// it (core/domain/fold.h). Adding an aggregate means adding its fold here; a keyspace with no
// fold cannot be written.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/domain/fold.h"

namespace ledger::domain {

// Every inline fold, in the order they are applied to an event.
std::span<const InlineFold> inline_folds();

// Every inline fold, as pointers (what rebuilds and the audit take).
std::vector<const InlineFold*> all_inline_folds();

// The fold of `keyspace`, or nullptr.
const InlineFold* find_inline_fold(std::string_view keyspace);

// Applies to `event` every fold that folds its type.
Status evolve_inline(FoldRows& rows, const FoldedEvent& event);

// Applies only the folds in `folds` (a rebuild of some keyspaces).
Status evolve_some(std::span<const InlineFold* const> folds, FoldRows& rows,
                   const FoldedEvent& event);

}  // namespace ledger::domain
