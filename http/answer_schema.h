// Answer schemas: how a route declares the JSON it answers, for the OpenAPI document.
//
// Schemas are JSON Schema as OpenAPI 3.0 reads it, built by the functions below so that they
// read like the renderer they describe:
//   schema::object({{"id", schema::string()}, {"balance", schema::money()},
//                   {"note", schema::optional(schema::nullable(schema::string()))}})
// An object's properties are all required unless wrapped in `optional`, and it allows no other
// property: the end-to-end tests validate every answer against the document, so a renderer that
// adds, drops or retypes a field fails them until its schema says so. `named("Campaign", s)`
// makes `s` a shared component: the document lists it once under components/schemas and every
// use refers to it (the same name must always carry the same schema).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/enum_names.h"

namespace ledger::http::schema {

using Schema = nlohmann::json;

inline Schema string() { return {{"type", "string"}}; }
inline Schema integer() { return {{"type", "integer"}}; }
inline Schema number() { return {{"type", "number"}}; }
inline Schema boolean() { return {{"type", "boolean"}}; }
// An amount of money as a decimal string with two places ("50.00"; may be negative).
inline Schema money() { return {{"$ref", "#/components/schemas/Money"}}; }
// An RFC 3339 UTC time, and a date "YYYY-MM-DD".
inline Schema time() { return {{"type", "string"}, {"format", "date-time"}}; }
inline Schema date() { return {{"type", "string"}, {"format", "date"}}; }
inline Schema one_of(std::vector<std::string> names) {
  return {{"type", "string"}, {"enum", std::move(names)}};
}
// The names of E's values (events/enum_names.h), as answers spell them.
template <class E>
Schema one_of() {
  return one_of(events::enum_names<E>());
}
inline Schema array(Schema items) { return {{"type", "array"}, {"items", std::move(items)}}; }
// An object of values of one schema under any keys (a count per status, say).
inline Schema map_of(Schema values) {
  return {{"type", "object"}, {"additionalProperties", std::move(values)}};
}
// Any JSON value (an event's payload, as the log stores it).
inline Schema any() { return Schema::object(); }

Schema nullable(Schema schema);
// A property that may be left out of its object.
Schema optional(Schema schema);
Schema object(std::initializer_list<std::pair<std::string, Schema>> properties);
Schema object(const std::vector<std::pair<std::string, Schema>>& properties);
// `base`'s properties plus `more` (an answer that is a row with a few fields added).
Schema extended(const Schema& base, std::initializer_list<std::pair<std::string, Schema>> more);
// A shared component named `name` (see the header).
Schema named(std::string name, Schema schema);
// The list envelope of paged queries ({count, next, previous, results}) holding `item`s.
Schema list_of(Schema item);

}  // namespace ledger::http::schema
