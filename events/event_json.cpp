#include "events/event_json.h"

#include <google/protobuf/util/json_util.h>

#include <memory>

#include "events/enum_names.h"
#include "events/event_types.h"
#include "events/hex.h"
#include "events/options.pb.h"
#include "events/timestamp.h"

namespace ledger::events {
namespace {

std::unique_ptr<google::protobuf::Message> new_message(std::string_view event_type,
                                                       std::string* error) {
  const auto* descriptor = find_event_descriptor(event_type);
  if (descriptor == nullptr) {
    *error = "unknown event type " + std::string(event_type);
    return nullptr;
  }
  const auto* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

template <class T>
bool read_field(const nlohmann::json& json, const char* name, T* out, std::string* error) {
  const auto it = json.find(name);
  if (it == json.end()) {
    *error = std::string("missing field ") + name;
    return false;
  }
  try {
    *out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    *error = std::string("field ") + name + " has the wrong type";
    return false;
  }
  return true;
}

// Calls `visit(field, value)` for every field of the message whose JSON is `json` (a message of
// type `descriptor`, printed with the schema's field names) and of every message nested in it (in
// lists and maps too). `visit` answers whether to look inside the value.
template <class Visit>
void visit_fields(const google::protobuf::Descriptor& descriptor, nlohmann::json& json,
                  const Visit& visit) {
  using google::protobuf::FieldDescriptor;
  if (!json.is_object()) return;  // well-known types print as strings or numbers
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const auto& field = *descriptor.field(i);
    const auto value = json.find(field.name());
    if (value == json.end() || !visit(field, *value)) continue;
    if (field.is_map()) {
      const FieldDescriptor* entry_value = field.message_type()->map_value();
      if (!value->is_object()) continue;
      for (auto& [key, item] : value->items()) {
        if (visit(*entry_value, item) &&
            entry_value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          visit_fields(*entry_value->message_type(), item, visit);
        }
      }
    } else if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!field.is_repeated()) {
        visit_fields(*field.message_type(), *value, visit);
      } else if (value->is_array()) {
        for (auto& item : *value) visit_fields(*field.message_type(), item, visit);
      }
    }
  }
}

// Replaces `value` (a field's JSON value: one value, or a list of them) by `rename(text)` where
// it is a string and `rename` has an answer.
template <class Rename>
void rename_strings(nlohmann::json& value, const Rename& rename) {
  if (value.is_array()) {
    for (auto& item : value) rename_strings(item, rename);
  } else if (value.is_string()) {
    if (auto renamed = rename(value.get<std::string>())) value = std::move(*renamed);
  }
}

// Secrets read "[redacted]"; enum values read by their names of events/enum_names.h ("active",
// not "CAMPAIGN_STATUS_ACTIVE"), as everywhere outside the store.
void prepare_for_readers(const google::protobuf::Descriptor& descriptor, nlohmann::json& json) {
  visit_fields(
      descriptor, json, [](const google::protobuf::FieldDescriptor& field, nlohmann::json& value) {
        if (is_secret_field(field)) {
          value = kRedactedValue;
          return false;
        }
        if (field.cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
          rename_strings(value, [&](const std::string& text) -> std::optional<std::string> {
            const auto* found = field.enum_type()->FindValueByName(text);
            if (found == nullptr) return std::nullopt;
            return enum_value_name(*found);
          });
        }
        return true;
      });
}

// The inverse of the enum renaming of `prepare_for_readers`, before Protobuf's parser reads the
// JSON: "active" back to "CAMPAIGN_STATUS_ACTIVE" ("" to the UNSPECIFIED value). Text that names
// no value is left for the parser to refuse.
void restore_enum_names(const google::protobuf::Descriptor& descriptor, nlohmann::json& json) {
  visit_fields(
      descriptor, json, [](const google::protobuf::FieldDescriptor& field, nlohmann::json& value) {
        if (field.cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
          const auto& type = *field.enum_type();
          rename_strings(value, [&](const std::string& text) -> std::optional<std::string> {
            if (text.empty()) return type.value(0)->name();
            const auto* found = find_enum_value(type, text);
            if (found == nullptr) return std::nullopt;
            return found->name();
          });
        }
        return true;
      });
}

}  // namespace

bool is_secret_field(const google::protobuf::FieldDescriptor& field) {
  return field.options().GetExtension(ledger::secret);
}

std::optional<nlohmann::json> payload_to_json(std::string_view event_type, std::string_view payload,
                                              std::string* error) {
  auto message = new_message(event_type, error);
  if (!message) return std::nullopt;
  if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    *error = "the payload does not decode as " + std::string(event_type);
    return std::nullopt;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  const auto status = google::protobuf::util::MessageToJsonString(*message, &text, options);
  if (!status.ok()) {
    *error = std::string(status.message());
    return std::nullopt;
  }
  auto json = nlohmann::json::parse(text);
  prepare_for_readers(*message->GetDescriptor(), json);
  return json;
}

std::optional<std::string> payload_from_json(std::string_view event_type,
                                             const nlohmann::json& data, std::string* error) {
  auto message = new_message(event_type, error);
  if (!message) return std::nullopt;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  nlohmann::json protobuf_json = data;
  restore_enum_names(*message->GetDescriptor(), protobuf_json);
  const auto status =
      google::protobuf::util::JsonStringToMessage(protobuf_json.dump(), message.get(), options);
  if (!status.ok()) {
    *error =
        "the data does not fit " + std::string(event_type) + ": " + std::string(status.message());
    return std::nullopt;
  }
  return message->SerializeAsString();
}

std::optional<nlohmann::json> envelope_to_json(const Envelope& envelope, std::string* error) {
  auto data = payload_to_json(envelope.event_type(), envelope.payload(), error);
  if (!data) return std::nullopt;
  return nlohmann::json{
      {"position", envelope.position()},
      {"stream_id", envelope.stream_id()},
      {"stream_version", envelope.stream_version()},
      {"type", envelope.event_type()},
      {"schema_version", envelope.schema_version()},
      {"recorded_at", format_rfc3339(envelope.recorded_at_us())},
      {"actor", envelope.actor()},
      {"correlation_id", envelope.correlation_id()},
      {"causation_id", envelope.causation_id()},
      {"idempotency_key", envelope.idempotency_key()},
      {"data", std::move(*data)},
      {"previous_hash", to_hex(envelope.previous_hash())},
      {"hash", to_hex(envelope.hash())},
  };
}

std::optional<Envelope> envelope_from_json(const nlohmann::json& json, std::string* error) {
  if (!json.is_object()) {
    *error = "an event must be a JSON object";
    return std::nullopt;
  }
  Envelope envelope;
  std::uint64_t position = 0, stream_version = 0;
  std::uint32_t schema_version = 0;
  std::string stream_id, type, recorded_at, actor, correlation_id, causation_id, idempotency_key,
      previous_hash, hash;
  if (!read_field(json, "position", &position, error) ||
      !read_field(json, "stream_id", &stream_id, error) ||
      !read_field(json, "stream_version", &stream_version, error) ||
      !read_field(json, "type", &type, error) ||
      !read_field(json, "schema_version", &schema_version, error) ||
      !read_field(json, "recorded_at", &recorded_at, error) ||
      !read_field(json, "actor", &actor, error) ||
      !read_field(json, "correlation_id", &correlation_id, error) ||
      !read_field(json, "causation_id", &causation_id, error) ||
      !read_field(json, "idempotency_key", &idempotency_key, error) ||
      !read_field(json, "previous_hash", &previous_hash, error) ||
      !read_field(json, "hash", &hash, error)) {
    return std::nullopt;
  }
  const auto recorded_at_us = parse_rfc3339(recorded_at);
  if (!recorded_at_us) {
    *error = "recorded_at is not an RFC 3339 time";
    return std::nullopt;
  }
  const auto previous_hash_bytes = from_hex(previous_hash);
  const auto hash_bytes = from_hex(hash);
  if (!previous_hash_bytes || !hash_bytes) {
    *error = "hashes must be hexadecimal";
    return std::nullopt;
  }
  const auto data = json.find("data");
  if (data == json.end()) {
    *error = "missing field data";
    return std::nullopt;
  }
  auto payload = payload_from_json(type, *data, error);
  if (!payload) return std::nullopt;
  envelope.set_position(position);
  envelope.set_stream_id(stream_id);
  envelope.set_stream_version(stream_version);
  envelope.set_event_type(type);
  envelope.set_schema_version(schema_version);
  envelope.set_recorded_at_us(*recorded_at_us);
  envelope.set_actor(actor);
  envelope.set_correlation_id(correlation_id);
  envelope.set_causation_id(causation_id);
  envelope.set_idempotency_key(idempotency_key);
  envelope.set_payload(std::move(*payload));
  envelope.set_previous_hash(*previous_hash_bytes);
  envelope.set_hash(*hash_bytes);
  return envelope;
}

}  // namespace ledger::events
