// An aggregate's state at any point in history, for finance (`ledger-audit state STREAM
// --as-of POSITION|TIME`).
//
// The log is folded through every inline fold up to the position into a scratch store (memory
// stays bounded), watching which rows the stream's own events write. The answer is those rows as
// they stood at that position: e.g. for "topup:T1" the top-up's row and the auto-recharge rule of
// its wallet; for "wallet:U" the accounts its credits and debits posted to. A row a later event
// of another stream changed shows that change too: it is the row at that position.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/store/event_log.h"

namespace ledger::replay {

struct AggregateRow {
  std::string keyspace;
  std::string key;
  const google::protobuf::Descriptor* type = nullptr;  // nullptr when erased
  std::optional<std::string> value;                    // nullopt: erased by then
};

struct AggregateState {
  std::uint64_t position = 0;        // the state is as of this position
  std::uint64_t stream_events = 0;   // events of the stream up to it
  std::uint64_t stream_version = 0;  // the last of them
  std::vector<AggregateRow> rows;    // in keyspace, key order
};

Result<AggregateState> aggregate_state(const store::EventLog& log, std::string_view stream_id,
                                       std::uint64_t up_to, const std::string& scratch_directory,
                                       const std::function<void(std::uint64_t)>& on_position = {});

}  // namespace ledger::replay
