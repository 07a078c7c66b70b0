// Replaying an inline fold in tests: the rows a keyspace's fold (core/domain/inline_folds.h)
// writes when it folds the whole log from position 0 into empty rows, to compare with the rows
// the writer stored — they must be the same bytes.
//   CHECK(replayed_rows(*f.log, "marketing") == stored_rows(*f.log, "marketing"));
#pragma once

#include <doctest/doctest.h>
#include <google/protobuf/message.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/domain/event_decoder.h"
#include "core/domain/inline_folds.h"
#include "core/store/event_log.h"
#include "events/event_types.h"
#include "tests/support/ledger_fixture.h"

namespace ledger::testing {

// The rows of one keyspace: key -> bytes.
using KeyspaceRowBytes = std::map<std::string, std::string>;

// Every row of `keyspace` as stored.
inline KeyspaceRowBytes stored_rows(const store::EventLog& log, std::string_view keyspace) {
  KeyspaceRowBytes rows;
  REQUIRE(log.scan_state(keyspace, "", store::ReadDirection::forward,
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace(key, value);
                           return true;
                         })
              .ok());
  return rows;
}

// Rows in memory, for a fold to write into.
class MemoryFoldRows final : public domain::FoldRows {
 public:
  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    auto rows = keyspaces_.find(std::string(keyspace));
    if (rows == keyspaces_.end()) return std::optional<std::string>();
    auto row = rows->second.find(std::string(key));
    if (row == rows->second.end()) return std::optional<std::string>();
    return std::optional<std::string>(row->second);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    auto& rows = keyspaces_[std::string(keyspace)];
    if (value) {
      rows[std::string(key)] = std::move(*value);
    } else {
      rows.erase(std::string(key));
    }
  }
  KeyspaceRowBytes rows_of(std::string_view keyspace) const {
    auto rows = keyspaces_.find(std::string(keyspace));
    return rows == keyspaces_.end() ? KeyspaceRowBytes() : rows->second;
  }

 private:
  std::map<std::string, KeyspaceRowBytes> keyspaces_;
};

// Folds `event` into `rows` through `keyspace`'s fold alone, as a rebuild does.
inline Status fold_one(MemoryFoldRows& rows, std::string_view keyspace,
                       const domain::FoldedEvent& event) {
  const domain::InlineFold* fold = domain::find_inline_fold(keyspace);
  REQUIRE(fold != nullptr);
  const domain::InlineFold* folds[] = {fold};
  return domain::evolve_some(folds, rows, event);
}

// Folds each of `events` (on `stream_id`) into `rows` through `keyspace`'s fold, checking that
// each is accepted: how a test shows a fold is total.
inline void fold_each(MemoryFoldRows& rows, std::string_view keyspace, std::string_view stream_id,
                      std::initializer_list<const google::protobuf::Message*> events) {
  for (const google::protobuf::Message* event : events) {
    CAPTURE(event->GetTypeName());
    CHECK(fold_one(rows, keyspace, domain::FoldedEvent{*event, stream_id, kTestEpochUs}).ok());
  }
}

// The rows of `keyspace` after folding every event of the log, from position 0, into empty rows.
inline KeyspaceRowBytes replayed_rows(const store::EventLog& log, std::string_view keyspace) {
  MemoryFoldRows rows;
  domain::EventDecoder decoder;  // as the rebuild reads: upcast
  std::uint64_t after = 0;
  for (;;) {
    auto batch = log.read_all(after, 1000);
    REQUIRE(batch.ok());
    if (batch->empty()) break;
    for (const auto& envelope : *batch) {
      auto payload = decoder.decode(envelope);
      REQUIRE(payload.ok());
      REQUIRE(
          fold_one(rows, keyspace,
                   domain::FoldedEvent{**payload, envelope.stream_id(), envelope.recorded_at_us()})
              .ok());
      after = envelope.position();
    }
  }
  return rows.rows_of(keyspace);
}

}  // namespace ledger::testing
