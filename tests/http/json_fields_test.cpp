#include <doctest/doctest.h>

#include "http/json_fields.h"

namespace ledger::http {
namespace {

JsonFields parsed(std::string_view body) {
  auto fields = JsonFields::parse(body);
  REQUIRE_MESSAGE(fields.ok(), (fields.ok() ? "" : fields.error().message));
  return std::move(fields).value();
}

TEST_CASE("a field that was sent but not asked for is refused, naming it") {
  auto fields = parsed(R"({"amount": "5.00", "balance": "1000000.00"})");
  REQUIRE(fields.money("amount").ok());
  auto finished = fields.finish();
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.error().field == "balance");
  CHECK(finished.error().code == Errc::invalid_argument);
}

TEST_CASE("money is read only from decimal strings") {
  CHECK(parsed(R"({"amount": "50.00"})").money("amount").value() == Money::from_minor(5000));
  for (const char* body :
       {R"({"amount": 50})", R"({"amount": 50.5})", R"({"amount": "1e3"})",
        R"({"amount": "0.001"})", R"({"amount": "-1"})", R"({"amount": " 1"})",
        R"({"amount": "NaN"})", R"({"amount": "1,000.00"})", R"({"amount": "1000000000.01"})",
        R"({"amount": "0"})", R"({"amount": ""})", R"({})"}) {
    CAPTURE(body);
    auto amount = parsed(body).money("amount");
    REQUIRE_FALSE(amount.ok());
    CHECK(amount.error().field == "amount");
  }
}

TEST_CASE("malformed bodies, non-objects and deep nesting are refused") {
  CHECK_FALSE(JsonFields::parse("{").ok());
  CHECK_FALSE(JsonFields::parse("[1,2]").ok());
  CHECK_FALSE(JsonFields::parse("\"text\"").ok());
  std::string deep = R"({"a":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  auto refused = JsonFields::parse(deep);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("deeper") != std::string::npos);
  CHECK(JsonFields::parse("").ok());  // an empty body is an empty object
}

TEST_CASE("typed fields check their type and range") {
  auto fields = parsed(R"({"n": 5, "big": 18446744073709551615, "flag": "yes", "name": 7,
                           "method": "bitcoin", "when": "yesterday", "day": "2026-11-23"})");
  CHECK(fields.integer("n", 1, 100).value() == 5);
  CHECK(fields.integer("n", 6, 100).error().field == "n");
  CHECK(fields.integer("big", 0, INT64_MAX).error().field == "big");
  CHECK(fields.boolean("flag").error().field == "flag");
  CHECK(fields.string("name").error().field == "name");
  CHECK(fields.choice("method", {"paypal", "card"}).error().field == "method");
  CHECK(fields.optional_time("when").error().field == "when");
  CHECK(fields.date("day").value() == 1'795'392'000'000'000);
  CHECK(fields.string("missing").error().message == "missing is required");
}

TEST_CASE("null counts as absent for optional fields") {
  auto fields = parsed(R"({"reference": null})");
  auto reference = fields.optional_string("reference");
  REQUIRE(reference.ok());
  CHECK_FALSE(reference->has_value());
  CHECK(fields.finish().ok());
}

}  // namespace
}  // namespace ledger::http
