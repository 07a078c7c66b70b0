// Secrets are declared once, in the schemas ([(ledger.secret) = true], events/options.proto), and
// every rendering of an event reads that declaration. These tests walk every message of every
// schema under events/, so a new field named like a secret cannot be added without the mark, and
// a marked field cannot reach a rendering.
#include <doctest/doctest.h>

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>

#include <set>
#include <string>
#include <vector>

#include "events/event_json.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"

namespace ledger::events {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// The rule: a field is named like a secret when one of the words of its name (split at '_') is
// one of these.
const std::set<std::string> kSecretWords = {
    "password", "passphrase", "secret", "digest", "hash",       "salt",        "mac",
    "token",    "code",       "otp",    "pin",    "credential", "credentials", "private"};

// Fields named like secrets that are not secret, each with the reason.
const std::set<std::string> kPublicFields = {
    // The hash chain: published by design (`ledger-audit head`, GET /api/ledger/head/).
    "ledger.events.Envelope.hash",
    "ledger.events.Envelope.previous_hash",
    // The id of a token, by which it is revoked; the token itself is never stored.
    "ledger.events.TokenIssued.token_id",
    "ledger.events.TokenRevoked.token_id",
    "ledger.events.TokenState.token_id",
    // A redeem code is its own id: admins list them and hand them out.
    "ledger.events.RedeemCodeCreated.code",
    "ledger.events.RedeemCodeActivated.code",
    "ledger.events.RedeemCodeDeactivated.code",
    "ledger.events.RedeemCodeRedeemed.code",
    "ledger.events.RedeemCodeState.code",
    "ledger.events.RedemptionState.code",
};

bool named_like_a_secret(const FieldDescriptor& field) {
  std::string_view name = field.name();
  while (!name.empty()) {
    const auto end = name.find('_');
    if (kSecretWords.contains(std::string(name.substr(0, end)))) return true;
    if (end == std::string_view::npos) break;
    name.remove_prefix(end + 1);
  }
  return false;
}

// Every message of every schema under events/, nested ones included.
std::vector<const Descriptor*> every_schema_message() {
  std::vector<std::string> files;
  REQUIRE(
      google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files));
  std::vector<const Descriptor*> messages;
  for (const auto& name : files) {
    if (!name.starts_with("events/")) continue;
    const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    REQUIRE(file != nullptr);
    for (int i = 0; i < file->message_type_count(); ++i) messages.push_back(file->message_type(i));
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    for (int j = 0; j < messages[i]->nested_type_count(); ++j) {
      messages.push_back(messages[i]->nested_type(j));
    }
  }
  return messages;
}

TEST_CASE("every field named like a secret in the event schemas is marked secret") {
  const auto messages = every_schema_message();
  CHECK(messages.size() > 50);  // the walk found the schemas
  std::set<std::string> public_fields_seen;
  int secret_fields = 0;
  for (const auto* message : messages) {
    for (int i = 0; i < message->field_count(); ++i) {
      const auto& field = *message->field(i);
      if (kPublicFields.contains(field.full_name())) {
        public_fields_seen.insert(field.full_name());
        CHECK_MESSAGE(!is_secret_field(field), field.full_name());
        continue;
      }
      if (named_like_a_secret(field)) {
        CHECK_MESSAGE(is_secret_field(field), field.full_name(), " is named like a secret");
      }
      if (is_secret_field(field)) ++secret_fields;
    }
  }
  CHECK(public_fields_seen == kPublicFields);  // no stale exception
  CHECK(secret_fields >= 6);
}

// Sets every secret field of `message` (directly in it) to a recognisable value.
void fill_secrets(google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  const auto* descriptor = message.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (!is_secret_field(*field) || field->is_repeated()) continue;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      reflection->SetString(&message, field, "LEAKED-" + field->name());
    }
  }
}

TEST_CASE("a rendering of any event shows its secret fields as [redacted], never their value") {
  int events_with_secrets = 0;
  for (const auto* descriptor : every_schema_message()) {
    if (descriptor->containing_type() != nullptr) continue;  // event types are top-level
    if (find_event_descriptor(descriptor->name()) != descriptor) continue;
    const auto* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
    std::unique_ptr<google::protobuf::Message> message(prototype->New());
    fill_secrets(*message);
    std::string error;
    const auto json = payload_to_json(descriptor->name(), message->SerializeAsString(), &error);
    REQUIRE_MESSAGE(json.has_value(), error);
    const std::string text = json->dump();
    CHECK_MESSAGE(text.find("LEAKED") == std::string::npos, descriptor->name(), ": ", text);
    for (int i = 0; i < descriptor->field_count(); ++i) {
      if (!is_secret_field(*descriptor->field(i))) continue;
      CHECK((*json)[descriptor->field(i)->name()] == kRedactedValue);
      ++events_with_secrets;
    }
  }
  CHECK(events_with_secrets >= 6);
}

TEST_CASE("secrets are redacted in nested messages, lists and maps, and every field is kept") {
  SyntheticSecretsRecorded event;
  event.set_label("outer");
  event.set_api_secret("LEAKED-1");
  event.set_secret_number(424242);
  event.mutable_inner()->set_api_secret("LEAKED-2");
  event.mutable_inner()->mutable_inner()->set_api_secret("LEAKED-3");
  event.add_items()->set_api_secret("LEAKED-4");
  event.add_items()->set_label("second");
  (*event.mutable_by_name())["k"].set_api_secret("LEAKED-5");
  std::string error;
  const auto json = payload_to_json("SyntheticSecretsRecorded", event.SerializeAsString(), &error);
  REQUIRE_MESSAGE(json.has_value(), error);
  const std::string text = json->dump();
  CHECK(text.find("LEAKED") == std::string::npos);
  CHECK(text.find("424242") == std::string::npos);
  CHECK((*json)["label"] == "outer");
  CHECK((*json)["api_secret"] == kRedactedValue);
  CHECK((*json)["secret_number"] == kRedactedValue);
  CHECK((*json)["inner"]["inner"]["api_secret"] == kRedactedValue);
  CHECK((*json)["items"][0]["api_secret"] == kRedactedValue);
  CHECK((*json)["items"][1]["label"] == "second");
  CHECK((*json)["by_name"]["k"]["api_secret"] == kRedactedValue);
}

}  // namespace
}  // namespace ledger::events
