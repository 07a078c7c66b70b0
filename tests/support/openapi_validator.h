// Holds an HTTP answer to an OpenAPI 3.0 document, written apart from the server so that the
// document is checked against what the server really sends.
//
// answer_problem() finds the operation (the target's path, query stripped, against the path
// templates: `{name}` matches one non-empty segment, and a literal segment wins over a template
// at the first place they differ), then the response (the exact status, else `4XX`-style
// ranges, else `default`), then the media type (compared without parameters; `type/*` and
// `*/*` entries match too), then validates a JSON body (`application/json`, `*+json`) against
// the media type's schema. Other media types (text/plain, application/zip, text/event-stream)
// are checked by type only. Documented response headers marked `required: true` must be
// present, and every documented header that is present must hold a value its schema accepts
// (read as an integer, number or boolean when the schema's type says so). An answer to an
// operation the document does not have is accepted only as a 404 or 405 problem document, held
// to `#/components/schemas/Problem` when the document has one.
//
// Schemas: the OpenAPI 3.0 subset `$ref` (local, `#/...`), `type` (`integer` is a JSON integer
// only: 1.0 is not one), `nullable` (null passes `type`; `enum` still applies, so a nullable
// enum lists null, as OpenAPI 3.0.3 says), `properties`, `required`, `additionalProperties`
// (true, false or a schema), `items`, `enum`, `minLength`/`maxLength` (in UTF-8 code points),
// `pattern` (std::regex ECMAScript, searched, not anchored, as JSON Schema says; on bytes),
// `minimum`/`maximum` with the boolean `exclusiveMinimum`/`exclusiveMaximum`,
// `minItems`/`maxItems`, `uniqueItems`, `format` `date` and `date-time` (RFC 3339, checked
// to the calendar), `allOf`, `anyOf`, `oneOf` (exactly one), `not`. Annotations (description,
// title, example, default, readOnly, writeOnly, deprecated, externalDocs, xml, other formats,
// `x-` extensions) are ignored. Any other keyword, a keyword beside `$ref`, a `$ref` that
// leads nowhere or a malformed keyword value is itself reported: the validator never passes
// what it does not understand.
//
// Both functions are pure and safe to call from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledger::testing {

// An answer's headers, names in any case.
using AnswerHeaders = std::vector<std::pair<std::string, std::string>>;

// "" when the answer to `method` (any case) on `target` matches `document`; otherwise one line
// per problem (at most 8), each naming the operation, the JSON pointer into the body or the
// header, what was expected and the schema location that expected it.
std::string answer_problem(const nlohmann::json& document, std::string_view method,
                           std::string_view target, int status, std::string_view content_type,
                           std::string_view body, const AnswerHeaders& headers = {});

// "" when `instance` is valid against `schema` (whose `$ref`s resolve within `document`);
// otherwise one line per problem (at most 8).
std::string schema_problem(const nlohmann::json& document, const nlohmann::json& schema,
                           const nlohmann::json& instance);

}  // namespace ledger::testing
