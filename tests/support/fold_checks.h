// Checks that every inline read-model row is the fold of the log, for domain and property tests:
//   check_rows_are_the_fold(*f.log);          stored rows == the log folded again, in memory
//   check_verify_finds_no_difference(*f.log); `ledger-audit verify`'s comparison agrees
//   check_rebuild_reproduces_rows(*f.log);    `rebuild --all` rewrites every row byte for byte
// All need the writer idle (no command in flight). One keyspace at a time: fold_replay.h.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/domain/inline_folds.h"
#include "core/store/event_log.h"
#include "replay/inline_comparison.h"
#include "replay/inline_rebuild.h"
#include "tests/support/fold_replay.h"
#include "tests/support/temp_directory.h"

namespace ledger::testing {

// Every row of every inline keyspace equals, byte for byte, what every inline fold writes when
// the whole log is folded again from position 0 into empty rows.
inline void check_rows_are_the_fold(const store::EventLog& log) {
  const auto folds = domain::all_inline_folds();
  MemoryFoldRows replayed;
  replay_log(log, folds, replayed);
  for (const auto* fold : folds) {
    const auto stored = stored_rows(log, fold->keyspace);
    const auto folded = replayed.rows_of(fold->keyspace);
    for (const auto& [key, value] : stored) {
      auto it = folded.find(key);
      if (it == folded.end()) {
        FAIL_CHECK("stored, never folded: " << fold->keyspace << "/" << key);
      } else if (it->second != value) {
        FAIL_CHECK("stored differs from the fold: " << fold->keyspace << "/" << key);
      }
    }
    for (const auto& [key, value] : folded) {
      if (!stored.contains(key)) FAIL_CHECK("folded, not stored: " << fold->keyspace << "/" << key);
    }
  }
}

// The audit's own comparison (a scratch store, replay/inline_comparison.h) finds no difference.
inline void check_verify_finds_no_difference(const store::EventLog& log) {
  TempDirectory scratch;
  auto compared =
      replay::compare_inline(log, domain::all_inline_folds(), scratch.string() + "/fold");
  REQUIRE(compared.ok());
  for (const auto& difference : compared->first) {
    FAIL_CHECK(difference.keyspace << "/" << difference.key << ": " << difference.kind);
  }
  CHECK(compared->differences == 0);
}

// Every row of every inline keyspace: "keyspace NUL key" -> bytes.
inline std::map<std::string, std::string> inline_rows(const store::EventLog& log) {
  std::map<std::string, std::string> rows;
  for (const auto* fold : domain::all_inline_folds()) {
    REQUIRE(log.scan_state(fold->keyspace, "", store::ReadDirection::forward,
                           [&](std::string_view key, std::string_view value) {
                             std::string combined(fold->keyspace);
                             combined.push_back('\0');
                             combined.append(key);
                             rows.emplace(std::move(combined), std::string(value));
                             return true;
                           })
                .ok());
  }
  return rows;
}

inline void check_rebuild_reproduces_rows(store::EventLog& log) {
  const auto before = inline_rows(log);
  auto rebuilt = replay::rebuild_inline(log, domain::all_inline_folds());
  REQUIRE(rebuilt.ok());
  const auto after = inline_rows(log);
  CHECK(after.size() == before.size());
  for (const auto& [key, value] : before) {
    auto it = after.find(key);
    if (it == after.end()) {
      FAIL_CHECK("lost by the rebuild: " << key);
    } else if (it->second != value) {
      FAIL_CHECK("changed by the rebuild: " << key);
    }
  }
  for (const auto& [key, value] : after) {
    if (!before.contains(key)) FAIL_CHECK("made by the rebuild: " << key);
  }
}

}  // namespace ledger::testing
