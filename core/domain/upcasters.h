// Upcasters: how an event written under an older schema version reads as the current one.
//
// An event type's schema version (Envelope.schema_version) goes up when the meaning of its
// fields changes in a way that a plain Protobuf decode does not cover (a field whose absence
// must be filled from others, a unit that changed). Each upcaster takes a decoded payload of
// version N to version N + 1, in place; the decoder applies them in order up to the current
// version. Adding a field that old events lack and whose default (zero, empty) is right needs no
// new version.
//
// The versions so far:
// - CampaignStatusChanged 2, CoursePurchased 2: statuses are enums (events/enum_names.h); version
//   1 carried them as text in the fields now named legacy_*, which the upcaster turns into the
//   enums and clears (text that names no status is corruption).
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::domain {

// The schema version this build writes for `event_type` (1 unless upcasters exist for it).
std::uint32_t current_schema_version(std::string_view event_type);

// Brings `payload` (decoded from an event of `envelope.schema_version()`) up to the current
// version. corruption for a version newer than this build knows.
Status upcast(const events::Envelope& envelope, google::protobuf::Message& payload);

}  // namespace ledger::domain
