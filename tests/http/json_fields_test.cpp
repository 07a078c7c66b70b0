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

TEST_CASE("money is read from decimal strings and from a number's text as written") {
  CHECK(parsed(R"({"amount": "50.00"})").money("amount").value() == Money::from_minor(5000));
  CHECK(parsed(R"({"amount": 50})").money("amount").value() == Money::from_minor(5000));
  CHECK(parsed(R"({"amount": 500.00})").money("amount").value() == Money::from_minor(50000));
  CHECK(parsed(R"({"amount": 0.1})").money("amount").value() == Money::from_minor(10));
  // 0.29 is 0.28999999999999998 as a double: the text, not the double, is read.
  CHECK(parsed(R"({"amount": 0.29})").money("amount").value() == Money::from_minor(29));
  CHECK(parsed(R"({"budget": 0})").optional_amount("budget").value() == Money::from_minor(0));
  CHECK(parsed(R"({"amount": 1000000000.00})").money("amount").value() ==
        Money::from_minor(Money::kApiAmountMinorMax));
  for (const char* body : {R"({"amount": 5.001})",
                           R"({"amount": 1e3})",
                           R"({"amount": 1E2})",
                           R"({"amount": 1.5e1})",
                           R"({"amount": -1})",
                           R"({"amount": -0})",
                           R"({"amount": -0.5})",
                           R"({"amount": 0})",
                           R"({"amount": 0.00})",
                           R"({"amount": 1000000000.01})",
                           R"({"amount": 18446744073709551616})",
                           R"({"amount": true})",
                           R"({"amount": [1]})",
                           R"({"amount": {"value": "1.00"}})",
                           R"({"amount": "1e3"})",
                           R"({"amount": "0.001"})",
                           R"({"amount": "-1"})",
                           R"({"amount": " 1"})",
                           R"({"amount": "NaN"})",
                           R"({"amount": "1,000.00"})",
                           R"({"amount": "1000000000.01"})",
                           R"({"amount": "0"})",
                           R"({"amount": ""})",
                           R"({})"}) {
    CAPTURE(body);
    auto amount = parsed(body).money("amount");
    REQUIRE_FALSE(amount.ok());
    CHECK(amount.error().field == "amount");
  }
}

TEST_CASE("an object inside the body reads money from strings only, never from a number") {
  auto body = parsed(R"({"settings": {"price": 5.00, "fee": "5.00", "n": 3}})");
  auto object = body.optional_object("settings");
  REQUIRE(object.ok());
  REQUIRE(object->has_value());
  JsonFields& settings = **object;
  auto price = settings.money("price");
  REQUIRE_FALSE(price.ok());
  CHECK(price.error().field == "price");
  CHECK(settings.money("fee").value() == Money::from_minor(500));
  CHECK(settings.integer("n", 0, 10).value() == 3);
  CHECK(settings.finish().ok());
  CHECK(body.finish().ok());
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
  CHECK(fields.string("name", 200).error().field == "name");
  CHECK(fields.choice("method", {"paypal", "card"}).error().field == "method");
  CHECK(fields.optional_time("when").error().field == "when");
  CHECK(fields.date("day").value() == 1'795'392'000'000'000);
  CHECK(fields.string("missing", 200).error().message == "missing is required");
}

TEST_CASE("null counts as absent for optional fields") {
  auto fields = parsed(R"({"reference": null})");
  auto reference = fields.optional_string("reference", 200);
  REQUIRE(reference.ok());
  CHECK_FALSE(reference->has_value());
  CHECK(fields.finish().ok());
}

TEST_CASE("a key repeated in the body is refused at every nesting level, naming it") {
  for (const char* body : {R"({"amount":"1.00","amount":"999.00"})", R"({"a":{"b":1,"b":2}})",
                           R"({"a":[{"c":1},{"b":1,"b":2}]})", R"({"b":1, "x":{}, "b":1})"}) {
    CAPTURE(body);
    auto refused = JsonFields::parse(body);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::invalid_argument);
    CHECK(refused.error().field ==
          (std::string_view(body).find("amount") != std::string_view::npos ? "amount" : "b"));
  }
  // The same key in sibling objects is not a repeat.
  CHECK(JsonFields::parse(R"({"a":{"b":1},"c":{"b":1},"d":[{"b":1},{"b":2}]})").ok());
}

TEST_CASE("nothing but white space may follow the JSON document, not even a NUL") {
  for (const std::string& body : {std::string("{\"a\":1}\0", 8), std::string("{\"a\":1}\0junk", 12),
                                  std::string("{\"a\":1} x"), std::string("{\"a\":1}{}"),
                                  std::string("\0{\"a\":1}", 8), std::string(" \0", 2)}) {
    CAPTURE(body);
    auto refused = JsonFields::parse(body);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::invalid_argument);
  }
  CHECK(JsonFields::parse("{\"a\":1} \r\n\t").ok());
}

TEST_CASE("a JSON body is read only when sent as application/json, else 415") {
  for (const char* type :
       {"application/json", "Application/JSON", "application/json; charset=utf-8",
        "application/json;charset=\"UTF-8\"", " application/json ;foo=bar"}) {
    CAPTURE(type);
    CHECK(JsonFields::parse_request_body(type, R"({"a":1})").ok());
  }
  for (const char* type :
       {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/jsonx", "application/json; charset=latin1", "application/json; charset",
        "text/json"}) {
    CAPTURE(type);
    auto refused = JsonFields::parse_request_body(type, R"({"a":1})");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::unsupported_media_type);
    CHECK(refused.error().field == "Content-Type");
  }
  // A command without fields may come with no body and no Content-Type.
  CHECK(JsonFields::parse_request_body("", "").ok());
}

TEST_CASE("short text fields refuse control characters, bidirectional controls and blank names") {
  for (const std::string& value :
       {std::string("a\\u0000b"), std::string("a\\u0007"), std::string("line\\nbreak"),
        std::string("a\\u0085"),
        std::string("\xe2\x80\xae"
                    "gpj.exe"),
        std::string("x\\u2066y"), std::string("   "), std::string("\\u00a0\\t ")}) {
    CAPTURE(value);
    auto fields = parsed("{\"name\":\"" + value + "\"}");
    auto refused = fields.string("name", 200);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().field == "name");
    auto optional = parsed("{\"name\":\"" + value + "\"}").optional_string("name", 200);
    CHECK_FALSE(optional.ok());
  }
  CHECK(parsed(R"({"name":"Ana Mar\u00eda"})").string("name", 200).value() ==
        "Ana Mar\xc3\xad"
        "a");
  CHECK(parsed(R"({"name":""})").optional_string("name", 200).value() == std::string());
}

TEST_CASE(
    "long text fields allow newlines and tabs but no other control or bidirectional "
    "character") {
  CHECK(parsed(R"({"note":"first line\nsecond\tline\r\n"})").optional_long_text("note", 100).ok());
  for (const char* body : {R"({"note":"a\u0000"})", R"({"note":"a\u001b[31m"})",
                           R"({"note":"a\u202e"})", R"({"note":"a\u0085"})"}) {
    CAPTURE(body);
    auto refused = parsed(body).optional_long_text("note", 100);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().field == "note");
  }
}

TEST_CASE("list items and map keys and values follow the text rules too") {
  CHECK(parsed(R"({"tags":["ok","a\u202eb"]})").string_list("tags", 5, 200).error().field ==
        "tags");
  CHECK(parsed(R"({"m":{"k\u0000":"v"}})").string_map("m", 5, 100).error().field == "m");
  CHECK(parsed(R"({"m":{"k":"v\u0001"}})").string_map("m", 5, 100).error().field == "m");
  CHECK(parsed(R"({"m":{"k":"two\nlines"}})").string_map("m", 5, 100).ok());
}

}  // namespace
}  // namespace ledger::http
