// Object fields of request bodies: an object of declared keys, each read as a field of its own
// ("settings.weekly_report"), with refusals naming the key.
#include <doctest/doctest.h>

#include "http/request_fields.h"

namespace ledger::http {
namespace {

const std::vector<Field>& declared() {
  static const std::vector<Field> fields = {
      field::object("settings", {field::boolean("weekly_report").optional(),
                                 field::text("posting_timezone", 64).optional(),
                                 field::choice("learning_reminders", {"off", "daily"}).optional()}),
      field::text("note", 20).optional()};
  return fields;
}

Result<RequestFields> decoded(std::string_view body) {
  return RequestFields::from_json_body(declared(), "application/json", body);
}

TEST_CASE("an object field's keys are read as typed fields of their own") {
  auto fields = decoded(R"({"settings": {"weekly_report": false, "posting_timezone": "UTC"}})");
  REQUIRE(fields.ok());
  CHECK(fields->optional_boolean("settings.weekly_report") == false);
  CHECK(fields->optional_text("settings.posting_timezone") == "UTC");
  CHECK_FALSE(fields->has("settings.learning_reminders"));
  CHECK_FALSE(fields->has("note"));

  auto nulls = decoded(R"({"settings": {"weekly_report": null}, "note": "n"})");
  REQUIRE(nulls.ok());
  CHECK_FALSE(nulls->has("settings.weekly_report"));  // null is the same as leaving it out
  CHECK(nulls->optional_text("note") == "n");
  CHECK(decoded(R"({"settings": {}})").ok());
}

TEST_CASE("an object field refuses what its keys refuse, naming the key") {
  const std::vector<std::pair<const char*, const char*>> table = {
      {R"({"settings": {"weekly_report": "yes"}})", "settings.weekly_report"},
      {R"({"settings": {"weekly_report": true, "theme": "dark"}})", "settings.theme"},
      {R"({"settings": {"learning_reminders": "hourly"}})", "settings.learning_reminders"},
      {R"({"settings": {"posting_timezone": "Europe/Paris\u0000"}})", "settings.posting_timezone"},
      {R"({"settings": {"posting_timezone": 7}})", "settings.posting_timezone"},
      {R"({"settings": ["weekly_report"]})", "settings"},
      {R"({"settings": "weekly_report=true"})", "settings"},
      {R"({"note": "n"})", "settings"},
      {R"({"settings": {}, "weekly_report": true})", "weekly_report"},
  };
  for (const auto& body_and_field : table) {
    CAPTURE(body_and_field.first);
    auto fields = decoded(body_and_field.first);
    REQUIRE_FALSE(fields.ok());
    CHECK(fields.error().code == Errc::invalid_argument);
    CHECK(fields.error().field == body_and_field.second);
  }
}

TEST_CASE("the document shows an object field with its keys, closed to others") {
  const nlohmann::json schema = field_schema(declared().front());
  CHECK(schema["type"] == "object");
  CHECK(schema["additionalProperties"] == false);
  CHECK(schema["properties"]["weekly_report"]["type"] == "boolean");
  CHECK(schema["properties"]["weekly_report"]["nullable"] == true);
  CHECK(schema["properties"]["learning_reminders"]["enum"] ==
        nlohmann::json::array({"off", "daily"}));
  CHECK(schema["properties"]["posting_timezone"]["maxLength"] == 64);
  CHECK_FALSE(schema.contains("required"));
}

}  // namespace
}  // namespace ledger::http
