// Inline folds replayed in memory, for tests: what a keyspace's fold (core/domain/inline_folds.h)
// writes when it folds the whole log from position 0 into empty rows, to compare with the rows
// the writer stored (they must be the same bytes), and single events folded into scratch rows,
// for totality tests (events about rows a fold never saw).
//   CHECK(replayed_rows(*f.log, domain::kMarketingKeyspace) ==
//         stored_rows(*f.log, domain::kMarketingKeyspace));
//   check_folds_to_nothing(domain::kBillingKeyspace, {&paid, &voided});
// Every row is key -> bytes; tests/support/fold_checks.h checks every keyspace at once.
#pragma once

#include <doctest/doctest.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/domain/event_decoder.h"
#include "core/domain/fold.h"
#include "core/domain/inline_folds.h"
#include "core/store/event_log.h"
#include "events/event_types.h"

namespace ledger::testing {

// The rows of one keyspace: key -> bytes.
using KeyspaceRowBytes = std::map<std::string, std::string, std::less<>>;

// Rows of every keyspace in memory, for folds to write into.
class MemoryFoldRows final : public domain::FoldRows {
 public:
  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    auto space = keyspaces_.find(keyspace);
    if (space == keyspaces_.end()) return std::optional<std::string>();
    auto row = space->second.find(key);
    if (row == space->second.end()) return std::optional<std::string>();
    return std::optional<std::string>(row->second);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    auto& space = keyspaces_[std::string(keyspace)];
    if (value) {
      space.insert_or_assign(std::string(key), std::move(*value));
    } else if (auto row = space.find(key); row != space.end()) {
      space.erase(row);
    }
  }
  KeyspaceRowBytes rows_of(std::string_view keyspace) const {
    auto space = keyspaces_.find(keyspace);
    return space == keyspaces_.end() ? KeyspaceRowBytes() : space->second;
  }

 private:
  std::map<std::string, KeyspaceRowBytes, std::less<>> keyspaces_;
};

// Every row of `keyspace` as the writer stored it.
inline KeyspaceRowBytes stored_rows(const store::EventLog& log, std::string_view keyspace) {
  KeyspaceRowBytes rows;
  REQUIRE(log.scan_state(keyspace, "", store::ReadDirection::forward,
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace(std::string(key), std::string(value));
                           return true;
                         })
              .ok());
  return rows;
}

// Folds `payload` into `rows` through `keyspace`'s fold alone, as a rebuild of that keyspace does.
inline Status fold_one(MemoryFoldRows& rows, std::string_view keyspace,
                       const google::protobuf::Message& payload, std::string_view stream_id = {},
                       std::int64_t recorded_at_us = 0) {
  const domain::InlineFold* fold = domain::find_inline_fold(keyspace);
  REQUIRE(fold != nullptr);
  const domain::InlineFold* const folds[] = {fold};
  return domain::evolve_some(folds, rows, domain::FoldedEvent{payload, stream_id, recorded_at_us});
}

// Folds each of `events` (on `stream_id`) into `rows` through `keyspace`'s fold, checking that
// each is accepted: how a test shows a fold is total.
inline void fold_each(MemoryFoldRows& rows, std::string_view keyspace, std::string_view stream_id,
                      std::initializer_list<const google::protobuf::Message*> events) {
  for (const google::protobuf::Message* event : events) {
    CAPTURE(event->GetTypeName());
    CHECK(fold_one(rows, keyspace, *event, stream_id).ok());
  }
}

// Folds each event alone into empty rows: each must be accepted and write nothing (what a total
// fold does with an event about a row it never saw).
inline void check_folds_to_nothing(std::string_view keyspace,
                                   std::initializer_list<const google::protobuf::Message*> events) {
  for (const google::protobuf::Message* event : events) {
    CAPTURE(event->GetTypeName());
    MemoryFoldRows rows;
    CHECK(fold_one(rows, keyspace, *event).ok());
    CHECK(rows.rows_of(keyspace).empty());
  }
}

// Folds every event of the log, from position 0, through `folds` into `rows`.
inline void replay_log(const store::EventLog& log, std::span<const domain::InlineFold* const> folds,
                       MemoryFoldRows& rows) {
  domain::EventDecoder decoder;  // as the rebuild reads: upcast
  std::uint64_t after = 0;
  for (;;) {
    auto batch = log.read_all(after, 1000);
    REQUIRE(batch.ok());
    if (batch->empty()) break;
    for (const auto& envelope : *batch) {
      auto payload = decoder.decode(envelope);
      REQUIRE(payload.ok());
      const domain::FoldedEvent event{**payload, envelope.stream_id(), envelope.recorded_at_us()};
      REQUIRE(domain::evolve_some(folds, rows, event).ok());
      after = envelope.position();
    }
  }
}

// The rows of `keyspace` after folding every event of the log through its fold alone, from
// position 0, into empty rows.
inline KeyspaceRowBytes replayed_rows(const store::EventLog& log, std::string_view keyspace) {
  const domain::InlineFold* fold = domain::find_inline_fold(keyspace);
  REQUIRE(fold != nullptr);
  const domain::InlineFold* const folds[] = {fold};
  MemoryFoldRows rows;
  replay_log(log, folds, rows);
  return rows.rows_of(keyspace);
}

}  // namespace ledger::testing
