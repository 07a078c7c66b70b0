// Request fields: what a route declares it reads from a JSON body or a query string, and the
// values decoded from a request by that declaration.
//
// A route lists its fields (`field::text("email", kEmail)`, `field::money("amount")`,
// `field::choice<events::CampaignStatus>("status").optional()`, ...). Before its handler runs, the
// body is read by exactly that list: every field is checked against its type and limit, a
// required one must be there, and a field sent but not declared is refused (JsonFields'
// `finish()`), each as a 400 naming the field. The handler then reads typed values that are
// already valid (`input.body.text("email")`), so it has no error path for them. The OpenAPI
// document is generated from the same list (type, `maxLength`, `enum`, `minimum`/`maximum`,
// required), so what the document says is what the server checks.
//
// Reading a field the route did not declare, or as another type, is a bug and asserts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/money.h"
#include "core/result.h"
#include "events/enum_names.h"
#include "http/http_types.h"

namespace ledger::http {

enum class FieldType {
  text,       // short text: one line, never only white space (core/text_validation.h)
  long_text,  // newlines and tabs allowed (notes, descriptions)
  money,      // a positive amount as a decimal string ("50.00")
  amount,     // zero or more, as a decimal string (a budget)
  integer,    // a whole number within [min, max]
  boolean,
  choice,     // one of `choices`
  date,       // "YYYY-MM-DD", decoded as microseconds at 00:00 UTC
  time,       // RFC 3339, decoded as microseconds since the epoch
  text_list,  // a list of short texts (at most `items_max`, each at most `bytes_max`)
  text_map,   // an object of long texts keyed by short texts
  object,     // an object of the declared `fields` (JSON bodies only), read as "name.key"
  file,       // a part of a multipart/form-data body (documentation only: uploads stream)
};

struct Field {
  std::string name;
  FieldType type = FieldType::text;
  bool required = true;
  std::size_t bytes_max = 0;  // text kinds (and each item of a list or map)
  std::int64_t min = 0;       // integers
  std::int64_t max = 0;
  std::vector<std::string> choices;
  std::size_t items_max = 0;  // lists and maps
  std::string description;
  // A regular expression the text obeys, for the document (the domain enforces the rule; see
  // kRedeemCodePattern).
  std::string pattern;
  // Another name the body may send the field under (the seed's dashboards send `client` for
  // `client_id`): either name, never both. Handlers read the field by `name` only.
  std::string alias;
  // An object's keys, each a field of its own (optional ones may be left out); a key not declared
  // is refused like an unknown field.
  std::vector<Field> fields;

  Field optional() const {
    Field copy = *this;
    copy.required = false;
    return copy;
  }
  Field described(std::string text) const {
    Field copy = *this;
    copy.description = std::move(text);
    return copy;
  }
  Field also_named(std::string other_name) const {
    Field copy = *this;
    copy.alias = std::move(other_name);
    return copy;
  }
  Field matching(std::string_view regular_expression) const {
    Field copy = *this;
    copy.pattern = std::string(regular_expression);
    return copy;
  }
};

namespace field {

inline Field text(std::string name, std::size_t bytes_max) {
  return {std::move(name), FieldType::text, true, bytes_max, 0, 0, {}, 0, {}};
}
inline Field long_text(std::string name, std::size_t bytes_max) {
  return {std::move(name), FieldType::long_text, true, bytes_max, 0, 0, {}, 0, {}};
}
inline Field money(std::string name) { return {std::move(name), FieldType::money}; }
inline Field amount(std::string name) { return {std::move(name), FieldType::amount}; }
inline Field integer(std::string name, std::int64_t min, std::int64_t max) {
  return {std::move(name), FieldType::integer, true, 0, min, max, {}, 0, {}};
}
inline Field boolean(std::string name) { return {std::move(name), FieldType::boolean}; }
inline Field choice(std::string name, std::vector<std::string> choices) {
  return {std::move(name), FieldType::choice, true, 0, 0, 0, std::move(choices), 0, {}};
}
// One of the names of E's values (events/enum_names.h).
template <class E>
Field choice(std::string name) {
  return choice(std::move(name), events::enum_names<E>());
}
inline Field date(std::string name) { return {std::move(name), FieldType::date}; }
inline Field time(std::string name) { return {std::move(name), FieldType::time}; }
// Lists and maps are optional: absent is empty.
inline Field text_list(std::string name, std::size_t items_max, std::size_t bytes_max) {
  return {std::move(name), FieldType::text_list, false, bytes_max, 0, 0, {}, items_max, {}};
}
inline Field text_map(std::string name, std::size_t items_max, std::size_t bytes_max) {
  return {std::move(name), FieldType::text_map, false, bytes_max, 0, 0, {}, items_max, {}};
}
// An object with the keys `fields`; the handler reads each as "<name>.<key>"
// (`input.body.optional_boolean("settings.weekly_report")`), and a refusal names it so.
inline Field object(std::string name, std::vector<Field> fields) {
  Field field{std::move(name), FieldType::object};
  field.fields = std::move(fields);
  return field;
}
inline Field file(std::string name) { return {std::move(name), FieldType::file}; }

}  // namespace field

// The decoded values of one request's declared fields. An optional field that was not sent
// (or sent as null) has no value.
class RequestFields {
 public:
  using Value = std::variant<std::string, Money, std::int64_t, bool, std::vector<std::string>,
                             std::map<std::string, std::string>>;

  // Reads `body` (a request's JSON body, sent as `content_type`) by `fields`; see the header.
  static Result<RequestFields> from_json_body(const std::vector<Field>& fields,
                                              std::string_view content_type, std::string_view body);
  // Reads the query string of `target` by `fields` (text, choice, integer, date and boolean
  // fields). Parameters not declared are ignored, as browsers and proxies add their own.
  static Result<RequestFields> from_query(const std::vector<Field>& fields,
                                          std::string_view target);

  // Whether the field was sent (with a value other than null). An object's keys are fields
  // "<object>.<key>".
  bool has(std::string_view name) const { return value_of(name) != nullptr; }

  // Text, long text and choice fields.
  const std::string& text(std::string_view name) const { return get<std::string>(name); }
  std::optional<std::string> optional_text(std::string_view name) const {
    return optional<std::string>(name);
  }
  Money money(std::string_view name) const { return get<Money>(name); }
  std::optional<Money> optional_money(std::string_view name) const { return optional<Money>(name); }
  // Integer, date and time fields (dates and times in microseconds since the epoch).
  std::int64_t integer(std::string_view name) const { return get<std::int64_t>(name); }
  std::optional<std::int64_t> optional_integer(std::string_view name) const {
    return optional<std::int64_t>(name);
  }
  bool boolean(std::string_view name) const { return get<bool>(name); }
  std::optional<bool> optional_boolean(std::string_view name) const { return optional<bool>(name); }
  // Lists and maps: empty when not sent (`has` tells an empty one sent from none).
  const std::vector<std::string>& list(std::string_view name) const;
  const std::map<std::string, std::string>& map(std::string_view name) const;
  // A choice field declared with `field::choice<E>`, as E's value.
  template <class E>
  E choice(std::string_view name) const {
    const auto value = events::parse_enum<E>(text(name));
    LEDGER_ASSERT(value.has_value(), "a declared choice parses as its enum");
    return *value;
  }
  template <class E>
  std::optional<E> optional_choice(std::string_view name) const {
    if (!has(name)) return std::nullopt;
    return choice<E>(name);
  }

 private:
  const Value* value_of(std::string_view name) const;
  template <class T>
  const T& get(std::string_view name) const {
    const Value* value = value_of(name);
    LEDGER_ASSERT(value != nullptr, "a required field is read only when declared required");
    LEDGER_ASSERT(std::holds_alternative<T>(*value), "a field is read as its declared type");
    return std::get<T>(*value);
  }
  template <class T>
  std::optional<T> optional(std::string_view name) const {
    const Value* value = value_of(name);
    if (value == nullptr) return std::nullopt;
    LEDGER_ASSERT(std::holds_alternative<T>(*value), "a field is read as its declared type");
    return std::get<T>(*value);
  }

  std::vector<std::string> declared_;  // names, to catch a read of an undeclared field
  std::map<std::string, Value, std::less<>> values_;
};

// The JSON schema of one field as the OpenAPI document shows it.
nlohmann::json field_schema(const Field& field);

}  // namespace ledger::http
