// An inline fold replayed from the log alone, for checking that a keyspace is exactly a fold of
// the log: `replay_fold(log, fold)` folds every stored event through `fold` into fresh rows, and
// `stored_rows(log, keyspace)` reads what the writer stored, both as key -> bytes.
//   CHECK(testing::replay_fold(*f.log, domain::billing_fold()) ==
//         testing::stored_rows(*f.log, domain::kBillingKeyspace));
// `MemoryFoldRows`, `evolve_one` and `check_folds_to_nothing` are for totality tests (events about
// rows a fold never saw).
#pragma once

#include <doctest/doctest.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/domain/event_decoder.h"
#include "core/domain/fold.h"
#include "core/domain/inline_folds.h"
#include "core/store/event_log.h"
#include "events/envelope.pb.h"
#include "events/event_types.h"

namespace ledger::testing::single_fold {

using KeyspaceRowMap = std::map<std::string, std::string, std::less<>>;

// Rows of every keyspace in memory (keyspace -> key -> bytes).
class MemoryFoldRows : public domain::FoldRows {
 public:
  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    auto space = rows_.find(keyspace);
    if (space == rows_.end()) return std::optional<std::string>();
    auto row = space->second.find(key);
    if (row == space->second.end()) return std::optional<std::string>();
    return std::optional<std::string>(row->second);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    auto& space = rows_[std::string(keyspace)];
    if (value) {
      space.insert_or_assign(std::string(key), std::move(*value));
    } else if (auto row = space.find(key); row != space.end()) {
      space.erase(row);
    }
  }
  KeyspaceRowMap rows_of(std::string_view keyspace) const {
    auto space = rows_.find(keyspace);
    return space == rows_.end() ? KeyspaceRowMap{} : space->second;
  }

 private:
  std::map<std::string, KeyspaceRowMap, std::less<>> rows_;
};

// Every row of `fold`'s keyspace after folding the whole log through `fold` alone, from nothing.
inline KeyspaceRowMap replay_fold(const store::EventLog& log, const domain::InlineFold& fold) {
  MemoryFoldRows rows;
  const domain::InlineFold* const folds[] = {&fold};
  domain::EventDecoder decoder;  // as the rebuild reads: upcast
  events::Envelope envelope;
  auto fold_record = [&](std::uint64_t, std::string_view record) {
    REQUIRE(envelope.ParseFromArray(record.data(), static_cast<int>(record.size())));
    const auto* type = events::find_event_descriptor(envelope.event_type());
    REQUIRE(type != nullptr);
    const bool folded = fold.every_event || std::find(fold.events.begin(), fold.events.end(),
                                                      type) != fold.events.end();
    if (!folded) return true;
    auto payload = decoder.decode(envelope);
    REQUIRE(payload.ok());
    const domain::FoldedEvent event{**payload, envelope.stream_id(), envelope.recorded_at_us()};
    REQUIRE(domain::evolve_some(folds, rows, event).ok());
    return true;
  };
  REQUIRE(log.scan_records(0, fold_record).ok());
  return rows.rows_of(fold.keyspace);
}

// Every row of `keyspace` as the writer stored it.
inline KeyspaceRowMap stored_rows(const store::EventLog& log, std::string_view keyspace) {
  KeyspaceRowMap rows;
  REQUIRE(log.scan_state(keyspace, "", store::ReadDirection::forward,
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace(std::string(key), std::string(value));
                           return true;
                         })
              .ok());
  return rows;
}

// Folds one event through `fold` into `rows` (a totality test's scratch rows).
inline Status evolve_one(const domain::InlineFold& fold, domain::FoldRows& rows,
                         const google::protobuf::Message& payload, std::string_view stream_id = "",
                         std::int64_t recorded_at_us = 0) {
  domain::KeyspaceRows own(rows, fold.keyspace);
  return fold.evolve(own, domain::FoldedEvent{payload, stream_id, recorded_at_us});
}

// Folds each event alone into empty rows: each must succeed and write nothing (what a total fold
// does with an event about a row it never saw).
inline void check_folds_to_nothing(const domain::InlineFold& fold,
                                   std::initializer_list<const google::protobuf::Message*> events) {
  for (const google::protobuf::Message* event : events) {
    CAPTURE(event->GetTypeName());
    MemoryFoldRows rows;
    CHECK(evolve_one(fold, rows, *event).ok());
    CHECK(rows.rows_of(fold.keyspace).empty());
  }
}

}  // namespace ledger::testing::single_fold
