// The JSON view of events, generated from the Protobuf schemas (never written by hand per type).
//
// A payload maps to JSON with Protobuf's canonical JSON mapping, keeping the schema's snake_case
// field names and printing fields at their default values: 64-bit integers are JSON strings (so
// `amount_minor` reads "5000"), bytes are base64. An envelope maps to
//   {"position", "stream_id", "stream_version", "type", "schema_version", "recorded_at"
//    (RFC 3339), "actor", "correlation_id", "causation_id", "idempotency_key", "data" (the
//    payload's JSON), "previous_hash", "hash" (hex)}
// and back; the round trip envelope -> JSON -> envelope is exact for events without secrets.
// Enum values read by their names of events/enum_names.h ("active", not "CAMPAIGN_STATUS_ACTIVE";
// "" when unset), as everywhere outside the store, and are read back from them.
//
// The JSON shows a payload as stored, under its envelope's schema_version: it is not upcast
// (that is core/domain/event_decoder.h, above this layer), so that the round trip stays exact and
// the hash chain of an exported log still verifies.
//
// Secrets are declared in the schemas, field by field, with [(ledger.secret) = true]
// (events/options.proto). Every rendering (payload_to_json, hence envelope_to_json: the HTTP
// events list, `ledger-audit export`) shows such a field as the string "[redacted]", in nested
// messages, lists and maps too, so that no password hash, token digest or code MAC leaves the
// store. The field is kept, not omitted, so readers see that the event carried one.
//
// Failures (an unknown type, bytes that do not decode, JSON that does not fit the schema) return
// nullopt and set *error to a sentence saying why.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <nlohmann/json.hpp>

#include "events/envelope.pb.h"

namespace ledger::events {

inline constexpr std::string_view kRedactedValue = "[redacted]";

// True when `field` is declared [(ledger.secret) = true].
bool is_secret_field(const google::protobuf::FieldDescriptor& field);

std::optional<nlohmann::json> payload_to_json(std::string_view event_type, std::string_view payload,
                                              std::string* error);

std::optional<std::string> payload_from_json(std::string_view event_type,
                                             const nlohmann::json& data, std::string* error);

std::optional<nlohmann::json> envelope_to_json(const Envelope& envelope, std::string* error);

std::optional<Envelope> envelope_from_json(const nlohmann::json& json, std::string* error);

}  // namespace ledger::events
