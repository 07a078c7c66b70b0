#include <doctest/doctest.h>

#include "core/sha256.h"
#include "events/event_json.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"

namespace ledger::events {
namespace {

Envelope sample_envelope() {
  SyntheticEventAppended event;
  event.set_sequence(42);
  event.set_note("café \"quoted\"");
  event.set_filler(std::string("\x00\x01\xff", 3));
  Envelope envelope;
  envelope.set_position(7);
  envelope.set_stream_id("wallet:01J");
  envelope.set_stream_version(3);
  envelope.set_event_type(event_type_of<SyntheticEventAppended>());
  envelope.set_schema_version(1);
  envelope.set_recorded_at_us(1'795'428'000'000'123);
  envelope.set_actor("user-1");
  envelope.set_correlation_id("req-1");
  envelope.set_causation_id("cmd-1");
  envelope.set_idempotency_key("key-1");
  envelope.set_payload(event.SerializeAsString());
  envelope.set_previous_hash(std::string(hash_bytes(sha256("previous"))));
  envelope.set_hash(std::string(hash_bytes(sha256("this"))));
  return envelope;
}

TEST_CASE("an envelope round-trips exactly through its JSON view") {
  const Envelope envelope = sample_envelope();
  std::string error;
  const auto json = envelope_to_json(envelope, &error);
  REQUIRE_MESSAGE(json.has_value(), error);
  CHECK((*json)["type"] == "SyntheticEventAppended");
  CHECK((*json)["recorded_at"] == "2026-11-23T10:00:00.000123Z");
  CHECK((*json)["data"]["sequence"] == "42");  // 64-bit integers are strings in JSON
  CHECK((*json)["data"]["note"] == "café \"quoted\"");
  const auto back = envelope_from_json(nlohmann::json::parse(json->dump()), &error);
  REQUIRE_MESSAGE(back.has_value(), error);
  CHECK(back->SerializeAsString() == envelope.SerializeAsString());
}

TEST_CASE("payload JSON is generated from the schema, defaults included") {
  SyntheticEventAppended empty;
  std::string error;
  const auto json = payload_to_json("SyntheticEventAppended", empty.SerializeAsString(), &error);
  REQUIRE(json.has_value());
  CHECK(json->contains("sequence"));
  CHECK(json->contains("note"));
}

TEST_CASE("unknown event types and foreign fields are refused with a reason") {
  std::string error;
  CHECK_FALSE(payload_to_json("NoSuchEvent", "", &error).has_value());
  CHECK(error.find("NoSuchEvent") != std::string::npos);
  CHECK_FALSE(payload_from_json("SyntheticEventAppended", {{"unknown_field", 1}}, &error));
  CHECK_FALSE(payload_from_json("SyntheticEventAppended", {{"sequence", "not a number"}}, &error));
  nlohmann::json json = *envelope_to_json(sample_envelope(), &error);
  json["hash"] = "zz";
  CHECK_FALSE(envelope_from_json(json, &error).has_value());
  json = *envelope_to_json(sample_envelope(), &error);
  json.erase("data");
  CHECK_FALSE(envelope_from_json(json, &error).has_value());
}

}  // namespace
}  // namespace ledger::events
