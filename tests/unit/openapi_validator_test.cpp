// The OpenAPI answer validator of the end-to-end suite (tests/support/openapi_validator.h), on
// small hand-written documents: each keyword refuses what it should and accepts what it should,
// and whatever the validator does not understand is reported rather than passed.
#include "tests/support/openapi_validator.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace ledger {
namespace {

using nlohmann::json;
using testing::answer_problem;
using testing::schema_problem;

const json kNoComponents = json::object();

std::string problem_of(const json& schema, const json& instance,
                       const json& document = kNoComponents) {
  return schema_problem(document, schema, instance);
}

bool accepts(const json& schema, const json& instance, const json& document = kNoComponents) {
  const std::string problem = problem_of(schema, instance, document);
  INFO(problem);
  return problem.empty();
}

TEST_CASE("type: each of the six types takes its own kind only, and integer only JSON integers") {
  const json values = {{"string", "a"},   {"integer", 3},         {"number", 2.5},
                       {"boolean", true}, {"object", {{"a", 1}}}, {"array", {1, 2}}};
  for (const auto& own_type : values.items()) {
    const std::string& type = own_type.key();
    const json& own = own_type.value();
    CAPTURE(type);
    CHECK(accepts({{"type", type}}, own));
    for (const auto& [other_type, other] : values.items()) {
      const bool integer_is_number = type == "number" && other_type == "integer";
      if (other_type != type && !integer_is_number) CHECK_FALSE(accepts({{"type", type}}, other));
    }
    CHECK_FALSE(accepts({{"type", type}}, nullptr));
  }
  CHECK_FALSE(accepts({{"type", "integer"}}, json::parse("1.0")));
  CHECK(accepts({{"type", "integer"}}, json::parse("18446744073709551615")));
  CHECK(accepts({{"type", "integer"}}, -7));
  CHECK(accepts({{"type", "number"}}, json::parse("1e3")));
  CHECK(problem_of({{"type", "integer"}}, "3") ==
        "at the root: expected integer, got string \"3\" (schema #/type)");
}

TEST_CASE("a type that is not an OpenAPI 3.0 type is a fault of the document") {
  CHECK(problem_of({{"type", "null"}}, nullptr).find("not an OpenAPI 3.0 type") !=
        std::string::npos);
  CHECK(problem_of({{"type", {"string", "null"}}}, "a").find("not an OpenAPI 3.0 type") !=
        std::string::npos);
}

TEST_CASE("nullable lets null through the type, and a nullable enum must list null itself") {
  CHECK(accepts({{"type", "string"}, {"nullable", true}}, nullptr));
  CHECK(accepts({{"type", "string"}, {"nullable", true}}, "x"));
  CHECK_FALSE(accepts({{"type", "string"}, {"nullable", false}}, nullptr));
  CHECK_FALSE(accepts({{"type", "string"}}, nullptr));
  CHECK_FALSE(accepts({{"type", "string"}, {"nullable", true}}, 5));
  CHECK_FALSE(accepts({{"type", "string"}, {"nullable", true}, {"enum", {"a"}}}, nullptr));
  CHECK(accepts({{"type", "string"}, {"nullable", true}, {"enum", {"a", nullptr}}}, nullptr));
  CHECK(problem_of({{"type", "string"}, {"nullable", "yes"}}, "a").find("true or false") !=
        std::string::npos);
}

TEST_CASE("properties, required and additionalProperties") {
  const json schema = {
      {"type", "object"},
      {"properties", {{"id", {{"type", "string"}}}, {"count", {{"type", "integer"}}}}},
      {"required", {"id"}}};
  CHECK(accepts(schema, {{"id", "a"}, {"count", 2}}));
  CHECK(accepts(schema, {{"id", "a"}, {"extra", true}}));  // absent: more properties allowed
  CHECK(problem_of(schema, {{"count", 2}}) ==
        "at the root: the required property 'id' is missing (schema #/required)");
  CHECK(problem_of(schema, {{"id", "a"}, {"count", "2"}}) ==
        "at /count: expected integer, got string \"2\" (schema #/properties/count/type)");

  json closed = schema;
  closed["additionalProperties"] = false;
  CHECK(accepts(closed, {{"id", "a"}}));
  CHECK(problem_of(closed, {{"id", "a"}, {"extra", true}}) ==
        "at /extra: the property 'extra' is not documented (schema #/additionalProperties)");
  json open = schema;
  open["additionalProperties"] = true;
  CHECK(accepts(open, {{"id", "a"}, {"extra", true}}));
  json typed = schema;
  typed["additionalProperties"] = {{"type", "boolean"}};
  CHECK(accepts(typed, {{"id", "a"}, {"extra", true}}));
  CHECK_FALSE(accepts(typed, {{"id", "a"}, {"extra", 1}}));
  CHECK_FALSE(accepts(typed, {{"id", "a"}, {"count", true}}));  // a known property: its schema

  // A property name with '/' and '~' is escaped in the pointer.
  CHECK(problem_of({{"properties", {{"a/b~", {{"type", "string"}}}}}}, {{"a/b~", 1}})
            .starts_with("at /a~1b~0: "));
  CHECK(problem_of({{"required", json::array()}}, json::object()).find("required must be") !=
        std::string::npos);
}

TEST_CASE("items, minItems, maxItems and uniqueItems") {
  const json schema = {
      {"type", "array"}, {"items", {{"type", "integer"}}}, {"minItems", 1}, {"maxItems", 3}};
  CHECK(accepts(schema, {1, 2, 3}));
  CHECK(problem_of(schema, {1, "2"}) ==
        "at /1: expected integer, got string \"2\" (schema #/items/type)");
  CHECK(problem_of(schema, json::array()) ==
        "at the root: 0 items, minItems is 1 (schema "
        "#/minItems)");
  CHECK_FALSE(accepts(schema, {1, 2, 3, 4}));
  CHECK(accepts({{"uniqueItems", true}}, {1, 2, "1"}));
  CHECK_FALSE(accepts({{"uniqueItems", true}}, {{{"a", 1}}, {{"a", 1}}}));
  CHECK(accepts({{"uniqueItems", false}}, {1, 1}));
  CHECK(problem_of({{"items", json::array({{{"type", "string"}}})}}, {"a"})
            .find("items must be one schema") != std::string::npos);
  CHECK(problem_of({{"minItems", -1}}, json::array()).find("must be a count") != std::string::npos);
}

TEST_CASE("enum takes only the listed values") {
  const json schema = {{"enum", {"credit", "debit", 3}}};
  CHECK(accepts(schema, "credit"));
  CHECK(accepts(schema, 3));
  CHECK(problem_of(schema, "refund") ==
        "at the root: \"refund\" is not one of [\"credit\",\"debit\",3] (schema #/enum)");
  CHECK_FALSE(accepts(schema, "Credit"));
  CHECK(problem_of({{"enum", json::array()}}, "a").find("non-empty array") != std::string::npos);
}

TEST_CASE("minLength and maxLength count UTF-8 code points, not bytes") {
  const json schema = {{"type", "string"}, {"minLength", 2}, {"maxLength", 3}};
  CHECK(accepts(schema, "ab"));
  CHECK_FALSE(accepts(schema, "caf\xc3\xa9"));  // 4 code points in 5 bytes
  CHECK(accepts(schema, "\xc3\xa9\xc3\xa9"));   // 2 code points in 4 bytes
  CHECK_FALSE(accepts(schema, "a"));
  CHECK_FALSE(accepts(schema, "abcd"));
  CHECK(accepts(schema, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"));  // three euro signs, 9 bytes
  CHECK(problem_of(schema, "abcd") ==
        "at the root: 4 characters, maxLength is 3 (schema #/maxLength)");
  CHECK(accepts({{"maxLength", 1}}, 12));  // applies to strings only
}

TEST_CASE("pattern is searched, not anchored, and a pattern std::regex cannot read is a fault") {
  const json money = {{"type", "string"}, {"pattern", "^(0|[1-9][0-9]{0,9})\\.[0-9]{2}$"}};
  CHECK(accepts(money, "50.00"));
  CHECK_FALSE(accepts(money, "050.00"));
  CHECK_FALSE(accepts(money, "5.0"));
  CHECK(problem_of(money, "5.0").find("does not match the pattern") != std::string::npos);
  CHECK(accepts({{"pattern", "[0-9]"}}, "abc1def"));  // search semantics
  CHECK_FALSE(accepts({{"pattern", "[0-9]"}}, "abcdef"));
  CHECK(problem_of({{"pattern", "(unclosed"}}, "x").find("is not usable") != std::string::npos);
}

TEST_CASE("minimum and maximum, inclusive and exclusive, large integers are compared exactly") {
  const json schema = {{"minimum", 0}, {"maximum", 100}};
  CHECK(accepts(schema, 0));
  CHECK(accepts(schema, 100));
  CHECK(accepts(schema, 55.5));
  CHECK(problem_of(schema, -1) == "at the root: -1 is below minimum 0 (schema #/minimum)");
  CHECK_FALSE(accepts(schema, 100.01));
  const json exclusive = {
      {"minimum", 0}, {"exclusiveMinimum", true}, {"maximum", 1}, {"exclusiveMaximum", true}};
  CHECK_FALSE(accepts(exclusive, 0));
  CHECK_FALSE(accepts(exclusive, 1));
  CHECK(accepts(exclusive, 0.5));
  CHECK(accepts({{"maximum", json::parse("9007199254740993")}}, json::parse("9007199254740993")));
  CHECK_FALSE(
      accepts({{"maximum", json::parse("9007199254740992")}}, json::parse("9007199254740993")));
  CHECK(accepts({{"minimum", -5}}, json::parse("18446744073709551615")));
  CHECK(problem_of({{"exclusiveMinimum", 3}}, 4).find("true or false in OpenAPI 3.0") !=
        std::string::npos);
}

TEST_CASE("format date and date-time are checked to the calendar, other formats describe only") {
  const json date = {{"type", "string"}, {"format", "date"}};
  CHECK(accepts(date, "2026-11-23"));
  CHECK(accepts(date, "2024-02-29"));
  CHECK_FALSE(accepts(date, "2026-02-29"));
  CHECK_FALSE(accepts(date, "2026-13-01"));
  CHECK_FALSE(accepts(date, "2026-11-23T10:00:00Z"));
  CHECK_FALSE(accepts(date, "26-11-23"));
  const json time = {{"type", "string"}, {"format", "date-time"}};
  CHECK(accepts(time, "2026-11-23T10:00:00Z"));
  CHECK(accepts(time, "2026-11-23T10:00:00.123456Z"));
  CHECK(accepts(time, "2026-11-23t10:00:00+05:30"));
  CHECK(accepts(time, "2016-12-31T23:59:60Z"));
  CHECK_FALSE(accepts(time, "2026-11-23T10:00:00"));  // no offset
  CHECK_FALSE(accepts(time, "2026-11-23 10:00:00Z"));
  CHECK_FALSE(accepts(time, "2026-11-23T24:00:00Z"));
  CHECK_FALSE(accepts(time, "2026-11-31T10:00:00Z"));
  CHECK_FALSE(accepts(time, "2026-11-23T10:00:00.Z"));
  CHECK(problem_of(time, "yesterday") ==
        "at the root: \"yesterday\" is not a date-time (schema #/format)");
  CHECK(accepts({{"type", "string"}, {"format", "uuid"}}, "not a uuid"));
  CHECK(accepts({{"type", "integer"}, {"format", "int64"}}, 5));
}

TEST_CASE("allOf needs every schema, anyOf one, oneOf exactly one, not none") {
  const json string = {{"type", "string"}};
  const json short_text = {{"maxLength", 2}};
  CHECK(accepts({{"allOf", {string, short_text}}}, "ab"));
  CHECK_FALSE(accepts({{"allOf", {string, short_text}}}, "abc"));
  CHECK_FALSE(accepts({{"allOf", {string, short_text}}}, 1));
  CHECK(accepts({{"anyOf", {string, short_text}}}, "abc"));
  CHECK(accepts({{"anyOf", {string, {{"type", "integer"}}}}}, 1));
  const std::string none = problem_of({{"anyOf", {string, {{"type", "integer"}}}}}, true);
  CHECK(none.starts_with(
      "at the root: matches none of the 2 schemas of anyOf: [0] at the root: expected string"));
  CHECK(accepts({{"oneOf", {string, {{"type", "integer"}}}}}, "a"));
  CHECK(problem_of({{"oneOf", {string, short_text}}}, "ab") ==
        "at the root: matches schemas 0 and 1 of oneOf; exactly one must match (schema #/oneOf)");
  // A boolean has no length: short_text alone matches it.
  CHECK(accepts({{"oneOf", {string, short_text}}}, true));
  CHECK_FALSE(accepts({{"oneOf", {{{"type", "integer"}}, {{"type", "boolean"}}}}}, "a"));
  CHECK(accepts({{"not", string}}, 1));
  CHECK_FALSE(accepts({{"not", string}}, "a"));
  CHECK(problem_of({{"anyOf", json::array()}}, 1).find("non-empty array") != std::string::npos);
}

TEST_CASE("a schema not understood inside oneOf is reported, never left to decide the match") {
  // Were the fault only a failed alternative, "a" would match exactly one and pass.
  const json schema = {{"oneOf", {{{"type", "string"}}, {{"multipleOf", 2}}}}};
  CHECK(problem_of(schema, "a").find("keyword 'multipleOf' is not understood") !=
        std::string::npos);
}

TEST_CASE("$ref reaches components, a ref leading nowhere, a cycle, or a sibling is reported") {
  const json document = {
      {"components",
       {{"schemas",
         {{"Money", {{"type", "string"}, {"pattern", "^[0-9]+\\.[0-9]{2}$"}}},
          {"Wallet",
           {{"type", "object"},
            {"required", {"balance"}},
            {"properties", {{"balance", {{"$ref", "#/components/schemas/Money"}}}}}}},
          {"Loop", {{"$ref", "#/components/schemas/Loop"}}},
          {"Odd/Name", {{"type", "integer"}}}}}}}};
  const json wallet = {{"$ref", "#/components/schemas/Wallet"}};
  CHECK(accepts(wallet, {{"balance", "1.00"}}, document));
  CHECK(problem_of(wallet, {{"balance", "1"}}, document)
            .ends_with("(schema #/components/schemas/Money/pattern)"));
  CHECK(problem_of(wallet, {{"balance", "1"}}, document).starts_with("at /balance: "));
  CHECK(problem_of({{"$ref", "#/components/schemas/Nothing"}}, 1, document).find("leads nowhere") !=
        std::string::npos);
  CHECK(problem_of({{"$ref", "other.yaml#/Money"}}, 1, document).find("not a local reference") !=
        std::string::npos);
  CHECK(problem_of({{"$ref", "#/components/schemas/Loop"}}, 1, document).find("cycle") !=
        std::string::npos);
  CHECK(accepts({{"$ref", "#/components/schemas/Odd~1Name"}}, 1, document));
  CHECK_FALSE(accepts({{"$ref", "#/components/schemas/Odd~1Name"}}, "1", document));
  CHECK(problem_of({{"$ref", "#/components/schemas/Money"}, {"nullable", true}}, nullptr, document)
            .find("beside $ref is ignored") != std::string::npos);
  CHECK(
      accepts({{"$ref", "#/components/schemas/Money"}, {"description", "why"}}, "1.00", document));
}

TEST_CASE("a keyword that constrains and is not understood is reported, annotations are not") {
  for (const char* keyword :
       {"multipleOf", "minProperties", "maxProperties", "discriminator", "const", "if"}) {
    CAPTURE(keyword);
    CHECK(problem_of({{keyword, 1}}, 1).find(std::string("keyword '") + keyword + "'") !=
          std::string::npos);
  }
  CHECK(accepts({{"type", "string"},
                 {"description", "d"},
                 {"title", "t"},
                 {"example", "e"},
                 {"default", "x"},
                 {"readOnly", true},
                 {"writeOnly", false},
                 {"deprecated", true},
                 {"externalDocs", {{"url", "https://example.com"}}},
                 {"xml", {{"name", "x"}}},
                 {"format", "email"},
                 {"x-internal", true}},
                "anything"));
  CHECK(problem_of("not a schema", 1).find("a schema must be an object") != std::string::npos);
}

// A document with one operation per case below.
const json kDocument = json::parse(R"({
  "openapi": "3.0.3",
  "paths": {
    "/api/courses/{id}/": {"get": {"responses": {
      "200": {"description": "one", "content": {"application/json": {"schema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}}}}},
    "/api/courses/my_purchases/": {"get": {"responses": {
      "200": {"$ref": "#/components/responses/List"}}}},
    "/api/wallet/pay/": {"post": {"responses": {
      "201": {"description": "paid",
              "headers": {"X-Ledger-Position": {"$ref": "#/components/headers/Position"},
                          "Location": {"schema": {"type": "string"}},
                          "Content-Type": {"required": true, "schema": {"type": "string"}}},
              "content": {"application/json; charset=utf-8": {"schema": {"type": "object"}}}},
      "4XX": {"$ref": "#/components/responses/Problem"},
      "default": {"description": "other", "content": {"application/problem+json": {}}}}}},
    "/metrics": {"get": {"responses": {
      "200": {"description": "text", "content": {"text/plain; version=0.0.4": {"schema": {"type": "string"}}}}}}},
    "/api/logout/": {"post": {"responses": {"204": {"description": "no body"}}}},
    "/files/{name}.zip": {"get": {"responses": {
      "200": {"description": "zip", "content": {"application/*": {}}}}}}
  },
  "components": {
    "schemas": {
      "Problem": {"type": "object", "required": ["title", "status"],
                  "properties": {"title": {"type": "string"}, "status": {"type": "integer"}}}},
    "responses": {
      "List": {"description": "a list", "content": {"application/json": {"schema":
        {"type": "object", "required": ["results"], "properties": {"results": {"type": "array"}}}}}},
      "Problem": {"description": "a problem", "content": {"application/problem+json": {"schema":
        {"$ref": "#/components/schemas/Problem"}}}}},
    "headers": {
      "Position": {"required": true, "schema": {"type": "integer", "minimum": 0}}}
  }
})");

const testing::AnswerHeaders kPosition = {{"x-ledger-position", "12"}};

TEST_CASE("the operation is found by path template, query stripped, a literal path wins") {
  CHECK(answer_problem(kDocument, "GET", "/api/courses/c1/?x=1", 200, "application/json",
                       R"({"id":"c1"})") == "");
  CHECK(answer_problem(kDocument, "get", "/api/courses/my_purchases/", 200, "application/json",
                       R"({"results":[]})") == "");
  // my_purchases answered as if it were one course: the literal path's schema applies.
  CHECK(answer_problem(kDocument, "GET", "/api/courses/my_purchases/", 200, "application/json",
                       R"({"id":"c1"})")
            .starts_with("get /api/courses/my_purchases/, response 200:\nbody at the root: the "
                         "required property 'results' is missing"));
  // {id} matches one non-empty segment only.
  CHECK(answer_problem(kDocument, "GET", "/api/courses//", 200, "application/json", "{}")
            .starts_with("no path of the document matches /api/courses//"));
  CHECK(answer_problem(kDocument, "GET", "/api/courses/a/b/", 200, "application/json", "{}")
            .starts_with("no path of the document matches"));
  CHECK(answer_problem(kDocument, "GET", "/api/courses/c1", 200, "application/json", "{}")
            .starts_with("no path of the document matches"));  // the trailing slash counts
  CHECK(answer_problem(kDocument, "PATCH", "/api/courses/c1/", 200, "application/json", "{}") ==
        "the document has no patch operation on /api/courses/{id}/, yet the answer is 200 (only "
        "404 or 405 may answer it)");
  CHECK(answer_problem(kDocument, "GET", "/files/site.zip", 200, "application/zip", "PK") == "");
  CHECK_FALSE(
      answer_problem(kDocument, "GET", "/files/site.tar", 200, "application/zip", "PK").empty());
}

TEST_CASE("the response is the exact status, else its range, else default, else a problem") {
  const std::string problem = R"({"title":"Not found","status":404})";
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 404, "application/problem+json",
                       problem) == "");
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 404, "application/problem+json",
                       R"({"title":"Not found"})")
            .starts_with("post /api/wallet/pay/, response 4XX:\nbody at the root: the required "
                         "property 'status' is missing (schema #/components/schemas/Problem/"
                         "required)"));
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 503, "application/problem+json",
                       "{}") == "");  // default, no schema: media type only
  CHECK(answer_problem(kDocument, "GET", "/api/courses/c1/", 404, "application/problem+json",
                       problem) ==
        "get /api/courses/{id}/: no response documented for 404 and no default "
        "(#/paths/~1api~1courses~1{id}~1/get/responses)");
}

TEST_CASE("media types are compared without parameters, other types than JSON by type only") {
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "Application/JSON", "{}",
                       kPosition) == "");
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "text/html", "{}", kPosition)
            .find("Content-Type 'text/html' is not among the documented application/json") !=
        std::string::npos);
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "[1]",
                       kPosition)
            .find("expected object, got array") != std::string::npos);
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "{oops",
                       kPosition)
            .find("the body is not JSON") != std::string::npos);
  CHECK(answer_problem(kDocument, "GET", "/metrics", 200, "text/plain; version=0.0.4",
                       "# not json {") == "");
  CHECK_FALSE(
      answer_problem(kDocument, "GET", "/metrics", 200, "application/json", "\"x\"").empty());
  CHECK(answer_problem(kDocument, "POST", "/api/logout/", 204, "", "") == "");
  CHECK(answer_problem(kDocument, "POST", "/api/logout/", 204, "application/json", "{}")
            .find("the document gives this answer no body") != std::string::npos);
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 404, "", "", kPosition)
            .find("Content-Type '' is not among") != std::string::npos);
}

TEST_CASE("required response headers must be present and every documented one valid") {
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "{}") ==
        "post /api/wallet/pay/, response 201:\nthe required header X-Ledger-Position is absent "
        "(#/components/headers/Position)");
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "{}",
                       {{"X-Ledger-Position", "twelve"}})
            .find("header X-Ledger-Position \"twelve\": at the root: expected integer") !=
        std::string::npos);
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "{}",
                       {{"X-Ledger-Position", "-1"}})
            .find("below minimum 0") != std::string::npos);
  // Content-Type, documented as a required header and absent here, is ignored, as OpenAPI says.
  CHECK(answer_problem(kDocument, "POST", "/api/wallet/pay/", 201, "application/json", "{}",
                       {{"X-Ledger-Position", "7"}, {"Location", "/x"}}) == "");
}

TEST_CASE("an operation the document lacks may only answer a 404 or 405 problem document") {
  const std::string problem = R"({"title":"No such endpoint","status":404})";
  CHECK(answer_problem(kDocument, "GET", "/nowhere/", 404, "application/problem+json", problem) ==
        "");
  CHECK(answer_problem(kDocument, "DELETE", "/api/wallet/pay/", 405, "application/problem+json",
                       R"({"title":"Method not allowed","status":405})") == "");
  CHECK(answer_problem(kDocument, "GET", "/nowhere/", 404, "application/problem+json", "{}")
            .starts_with("no path of the document matches /nowhere/; its 404 answer:\nbody at "
                         "the root: the required property"));
  CHECK(answer_problem(kDocument, "GET", "/nowhere/", 404, "text/plain", "not found")
            .find("Content-Type 'text/plain' is not among the documented "
                  "application/problem+json") != std::string::npos);
  CHECK(answer_problem(kDocument, "GET", "/nowhere/", 200, "application/json", "{}") ==
        "no path of the document matches /nowhere/, yet the answer is 200 (only 404 or 405 may "
        "answer it)");
  const json bare = {{"paths", json::object()}};
  CHECK(answer_problem(bare, "GET", "/x", 404, "application/problem+json", "{}") == "");
}

TEST_CASE("at most eight problems are listed, then how many more") {
  json many = json::object();
  for (int i = 0; i < 10; ++i) many["p" + std::to_string(i)] = 1;
  const std::string found = problem_of({{"additionalProperties", false}}, many);
  CHECK(std::count(found.begin(), found.end(), '\n') == 8);
  CHECK(found.ends_with("... and 2 more"));
}

}  // namespace
}  // namespace ledger
