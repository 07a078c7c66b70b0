#include "core/store/expected_version.h"

#include <fmt/format.h>

namespace ledger::store {

Status check_expected_version(std::string_view stream_id, ExpectedVersion expected,
                              std::uint64_t current_version) {
  switch (expected.kind()) {
    case ExpectedVersion::Kind::any:
      return {};
    case ExpectedVersion::Kind::no_stream:
      if (current_version == 0) return {};
      return make_error(
          Errc::version_conflict,
          fmt::format("stream {} already exists at version {}", stream_id, current_version),
          std::string(stream_id));
    case ExpectedVersion::Kind::exact:
      if (current_version == expected.version()) return {};
      return make_error(Errc::version_conflict,
                        fmt::format("stream {} is at version {}, expected {}", stream_id,
                                    current_version, expected.version()),
                        std::string(stream_id));
  }
  return make_error(Errc::internal, "unknown expected-version kind");
}

}  // namespace ledger::store
