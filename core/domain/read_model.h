// Reading one inline read-model row outside the writer (HTTP queries, tools): the row decoded,
// nullopt when absent, corruption when it does not decode.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/store/event_log.h"

namespace ledger::domain {

template <class M>
Result<std::optional<M>> read_row(const store::EventLog& log, std::string_view keyspace,
                                  std::string_view key) {
  auto bytes = log.read_state(keyspace, key);
  if (!bytes) return std::move(bytes).error();
  if (!bytes->has_value()) return std::optional<M>();
  M message;
  if (!message.ParseFromString(**bytes)) {
    return make_error(Errc::corruption, fmt::format("row {}/{} does not decode", keyspace, key));
  }
  return std::optional<M>(std::move(message));
}

// The rows of a log read as a decider reads them through its UnitOfWork (`load<M>(keyspace,
// key)`), for rules that deciders and queries share (e.g. course.h's load_learner).
class LogRows {
 public:
  explicit LogRows(const store::EventLog& log) : log_(log) {}
  template <class M>
  Result<std::optional<M>> load(std::string_view keyspace, std::string_view key) const {
    return read_row<M>(log_, keyspace, key);
  }

 private:
  const store::EventLog& log_;
};

// Decodes a row's bytes visited by a scan.
template <class M>
Result<M> decode_row(std::string_view value, std::string_view what) {
  M message;
  if (!message.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return make_error(Errc::corruption, fmt::format("a {} row does not decode", what));
  }
  return message;
}

}  // namespace ledger::domain
