#include "core/domain/upcasters.h"

#include <fmt/format.h>

#include <span>

namespace ledger::domain {
namespace {

using Upcast = Status (*)(google::protobuf::Message& payload);

struct Upcaster {
  std::string_view event_type;
  std::uint32_t from_version;  // takes this version to the next
  Upcast apply;
};

// Every upcaster, by event type and version. Empty while every event type is at version 1.
constexpr std::span<const Upcaster> kUpcasters{};

}  // namespace

std::uint32_t current_schema_version(std::string_view event_type) {
  std::uint32_t version = 1;
  for (const auto& upcaster : kUpcasters) {
    if (upcaster.event_type == event_type) version = std::max(version, upcaster.from_version + 1);
  }
  return version;
}

Status upcast(const events::Envelope& envelope, google::protobuf::Message& payload) {
  const std::uint32_t current = current_schema_version(envelope.event_type());
  std::uint32_t version = std::max<std::uint32_t>(envelope.schema_version(), 1);
  if (version > current) {
    return make_error(Errc::corruption,
                      fmt::format("event {} ({}) has schema version {}; this build reads up to {}",
                                  envelope.position(), envelope.event_type(), version, current));
  }
  for (; version < current; ++version) {
    for (const auto& upcaster : kUpcasters) {
      if (upcaster.event_type != envelope.event_type() || upcaster.from_version != version) {
        continue;
      }
      if (auto applied = upcaster.apply(payload); !applied) return applied;
    }
  }
  return {};
}

}  // namespace ledger::domain
