#include "core/domain/upcasters.h"

#include <fmt/format.h>

#include <array>

#include "core/assert.h"
#include "events/campaign_events.pb.h"
#include "events/course_events.pb.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

using Upcast = Status (*)(google::protobuf::Message& payload);

struct Upcaster {
  std::string_view event_type;
  std::uint32_t from_version;  // takes this version to the next
  Upcast apply;
};

// The status named `text` in a version 1 event; corruption for text that names none (version 1
// writers wrote only the names of events/enum_names.h).
template <class E>
Result<E> legacy_status(std::string_view text, std::string_view event_type,
                        std::string_view field) {
  auto status = events::parse_enum<E>(text);
  if (!status) {
    return make_error(
        Errc::corruption,
        fmt::format("a version 1 {} has {} \"{}\", which is no status", event_type, field, text));
  }
  return *status;
}

// Version 1 carried the statuses as text (legacy_from_status, legacy_to_status).
Status campaign_status_changed_v1(google::protobuf::Message& payload) {
  LEDGER_ASSERT(payload.GetDescriptor() == events::CampaignStatusChanged::descriptor(),
                "a CampaignStatusChanged upcaster given another type");
  auto& changed = static_cast<events::CampaignStatusChanged&>(payload);
  auto from = legacy_status<events::CampaignStatus>(changed.legacy_from_status(),
                                                    "CampaignStatusChanged", "from_status");
  if (!from) return std::move(from).error();
  auto to = legacy_status<events::CampaignStatus>(changed.legacy_to_status(),
                                                  "CampaignStatusChanged", "to_status");
  if (!to) return std::move(to).error();
  changed.set_from_status(*from);
  changed.set_to_status(*to);
  changed.clear_legacy_from_status();
  changed.clear_legacy_to_status();
  return {};
}

// Version 1 carried the status as text (legacy_status).
Status course_purchased_v1(google::protobuf::Message& payload) {
  LEDGER_ASSERT(payload.GetDescriptor() == events::CoursePurchased::descriptor(),
                "a CoursePurchased upcaster given another type");
  auto& purchased = static_cast<events::CoursePurchased&>(payload);
  auto status = legacy_status<events::CoursePurchaseStatus>(purchased.legacy_status(),
                                                            "CoursePurchased", "status");
  if (!status) return std::move(status).error();
  purchased.set_status(*status);
  purchased.clear_legacy_status();
  return {};
}

// Every upcaster, by event type and version. Each takes a payload of exactly its event type (the
// decoder checks the type before it upcasts).
constexpr std::array kUpcasters{
    Upcaster{"CampaignStatusChanged", 1, campaign_status_changed_v1},
    Upcaster{"CoursePurchased", 1, course_purchased_v1},
};

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
