// Optimistic-concurrency expectations on a stream's version.
//
// Streams are versioned from 1 (the first event); a stream that does not exist has version 0.
// An append states, per stream it writes, what version it expects the stream to have before the
// append: `any` (no check), `no_stream` (must not exist yet) or `exact(v)`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger::store {

class ExpectedVersion {
 public:
  enum class Kind : std::uint8_t { any, no_stream, exact };

  static constexpr ExpectedVersion any() { return ExpectedVersion(Kind::any, 0); }
  static constexpr ExpectedVersion no_stream() { return ExpectedVersion(Kind::no_stream, 0); }
  static constexpr ExpectedVersion exact(std::uint64_t version) {
    return ExpectedVersion(Kind::exact, version);
  }

  Kind kind() const { return kind_; }
  std::uint64_t version() const { return version_; }

 private:
  constexpr ExpectedVersion(Kind kind, std::uint64_t version) : kind_(kind), version_(version) {}
  Kind kind_;
  std::uint64_t version_;
};

// Ok when a stream at `current_version` satisfies `expected`; otherwise a version_conflict that
// names the stream and both versions.
Status check_expected_version(std::string_view stream_id, ExpectedVersion expected,
                              std::uint64_t current_version);

struct StreamExpectation {
  std::string stream_id;
  ExpectedVersion expected = ExpectedVersion::any();
};

}  // namespace ledger::store
