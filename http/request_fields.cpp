#include "http/request_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/text_validation.h"
#include "events/timestamp.h"
#include "http/json_fields.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

// The longest text a choice, date or time field may be before it is even compared.
constexpr std::size_t kChoiceBytesMax = 100;
constexpr std::size_t kTimeBytesMax = 64;
// An amount as requests may send it ("50", "50.5", "50.00"; Money::kApiAmountMinorMax bounds it).
constexpr char kAmountPattern[] = "^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?$";

Error invalid(std::string_view name, std::string message) {
  return make_error(Errc::invalid_argument, std::move(message), std::string(name));
}

Error required(std::string_view name) { return invalid(name, fmt::format("{} is required", name)); }

std::string choices_text(const std::vector<std::string>& choices) {
  std::string text;
  for (const auto& choice : choices) text += (text.empty() ? "" : ", ") + choice;
  return text;
}

Result<std::optional<std::string>> checked_choice(const Field& field,
                                                  std::optional<std::string> value) {
  if (!value || value->empty()) return std::optional<std::string>();
  if (std::find(field.choices.begin(), field.choices.end(), *value) == field.choices.end()) {
    return invalid(field.name,
                   fmt::format("{} must be one of: {}", field.name, choices_text(field.choices)));
  }
  return value;
}

Result<std::optional<std::int64_t>> checked_date(const Field& field,
                                                 const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::optional<std::int64_t>();
  auto parsed = events::parse_date(*value);
  if (!parsed) {
    return invalid(field.name, fmt::format("{} must be a date such as \"2026-11-23\"", field.name));
  }
  return std::optional<std::int64_t>(*parsed);
}

Result<std::optional<std::int64_t>> checked_time(const Field& field,
                                                 const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::optional<std::int64_t>();
  auto parsed = events::parse_rfc3339(*value);
  if (!parsed) {
    return invalid(field.name, fmt::format("{} must be an RFC 3339 time such as "
                                           "\"2026-11-23T10:00:00Z\"",
                                           field.name));
  }
  return std::optional<std::int64_t>(*parsed);
}

// Moves `value` (a Result of an optional) into `values`, or answers why not.
template <class T>
Status keep(const Field& field, Result<std::optional<T>> value,
            std::map<std::string, RequestFields::Value, std::less<>>& values) {
  if (!value) return std::move(value).error();
  if (!value->has_value()) {
    if (field.required) return required(field.name);
    return {};
  }
  values.emplace(field.name, std::move(**value));
  return {};
}

bool sent_non_null(const JsonFields& body, const std::string& name) {
  const auto it = body.raw().find(name);
  return it != body.raw().end() && !it->is_null();
}

Status read_json_field(const Field& field, JsonFields& body,
                       std::map<std::string, RequestFields::Value, std::less<>>& values);

// The error of a key of the object `object`, naming it "<object>.<key>".
Error of_object_key(const std::string& object, Error error) {
  error.field = object + "." + error.field;
  return error;
}

// An object field: each declared key read as a field of its own, kept as "<name>.<key>".
Status read_object_field(const Field& field, JsonFields& body,
                         std::map<std::string, RequestFields::Value, std::less<>>& values) {
  auto object = body.optional_object(field.name);
  if (!object) return std::move(object).error();
  if (!object->has_value()) {
    if (field.required) return required(field.name);
    return {};
  }
  for (const auto& key : field.fields) {
    LEDGER_ASSERT(key.type != FieldType::object, "objects nest one level");
    std::map<std::string, RequestFields::Value, std::less<>> read;
    if (auto decoded = read_json_field(key, **object, read); !decoded) {
      return of_object_key(field.name, std::move(decoded).error());
    }
    for (auto& [name, value] : read) values.emplace(field.name + "." + name, std::move(value));
  }
  if (auto done = (*object)->finish(); !done) {
    return of_object_key(field.name, std::move(done).error());
  }
  return {};
}

Status read_json_field(const Field& field, JsonFields& body,
                       std::map<std::string, RequestFields::Value, std::less<>>& values) {
  switch (field.type) {
    case FieldType::text: {
      auto value = body.optional_string(field.name, field.bytes_max);
      // A required text is never empty; an optional one sent empty clears what it names.
      if (value && field.required && value->has_value() && (*value)->empty()) {
        return required(field.name);
      }
      return keep(field, std::move(value), values);
    }
    case FieldType::long_text: {
      auto value = body.optional_long_text(field.name, field.bytes_max);
      if (value && field.required && value->has_value() && (*value)->empty()) {
        return required(field.name);
      }
      return keep(field, std::move(value), values);
    }
    case FieldType::money:
      return keep(field, body.optional_money(field.name), values);
    case FieldType::amount:
      return keep(field, body.optional_amount(field.name), values);
    case FieldType::integer:
      return keep(field, body.optional_integer(field.name, field.min, field.max), values);
    case FieldType::boolean:
      return keep(field, body.optional_boolean(field.name), values);
    case FieldType::choice: {
      auto text = body.optional_string(field.name, kChoiceBytesMax);
      if (!text) return std::move(text).error();
      return keep(field, checked_choice(field, std::move(*text)), values);
    }
    case FieldType::date: {
      auto text = body.optional_string(field.name, kChoiceBytesMax);
      if (!text) return std::move(text).error();
      return keep(field, checked_date(field, *text), values);
    }
    case FieldType::time: {
      auto text = body.optional_string(field.name, kTimeBytesMax);
      if (!text) return std::move(text).error();
      return keep(field, checked_time(field, *text), values);
    }
    // Kept only when sent (`has` tells an empty list sent from none sent).
    case FieldType::text_list: {
      const bool sent = sent_non_null(body, field.name);
      auto list = body.string_list(field.name, field.items_max, field.bytes_max);
      if (!list) return std::move(list).error();
      if (field.required && list->empty()) return required(field.name);
      if (sent) values.emplace(field.name, std::move(*list));
      return {};
    }
    case FieldType::text_map: {
      const bool sent = sent_non_null(body, field.name);
      auto map = body.string_map(field.name, field.items_max, field.bytes_max);
      if (!map) return std::move(map).error();
      if (field.required && map->empty()) return required(field.name);
      if (sent) values.emplace(field.name, std::move(*map));
      return {};
    }
    case FieldType::object:
      return read_object_field(field, body, values);
    case FieldType::file:
      break;
  }
  LEDGER_ASSERT(false, "a JSON body declares no file field");
  return {};
}

Status read_query_field(const Field& field, std::string_view target,
                        std::map<std::string, RequestFields::Value, std::less<>>& values) {
  // "?status=" is the same as no ?status: it filters nothing.
  const std::string text = query_param(target, field.name).value_or("");
  if (text.empty()) {
    if (field.required) return required(field.name);
    return {};
  }
  switch (field.type) {
    case FieldType::text:
      if (text.size() > field.bytes_max) {
        return invalid(field.name,
                       fmt::format("{} is longer than {} bytes", field.name, field.bytes_max));
      }
      values.emplace(field.name, text);
      return {};
    case FieldType::choice:
      return keep(field, checked_choice(field, text), values);
    case FieldType::date:
      return keep(field, checked_date(field, text), values);
    case FieldType::time:
      return keep(field, checked_time(field, text), values);
    case FieldType::integer: {
      std::int64_t number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc() || end != text.data() + text.size() || number < field.min ||
          number > field.max) {
        return invalid(field.name, fmt::format("{} must be a whole number between {} and {}",
                                               field.name, field.min, field.max));
      }
      values.emplace(field.name, number);
      return {};
    }
    case FieldType::boolean:
      if (text != "true" && text != "false") {
        return invalid(field.name, fmt::format("{} must be true or false", field.name));
      }
      values.emplace(field.name, text == "true");
      return {};
    default:
      break;
  }
  LEDGER_ASSERT(false,
                "a query declares text, choice, date, time, integer and boolean fields only");
  return {};
}

}  // namespace

Result<RequestFields> RequestFields::from_json_body(const std::vector<Field>& fields,
                                                    std::string_view content_type,
                                                    std::string_view body) {
  auto json = JsonFields::parse_request_body(content_type, body);
  if (!json) return std::move(json).error();
  RequestFields decoded;
  for (const auto& field : fields) {
    decoded.declared_.push_back(field.name);
    for (const auto& key : field.fields) decoded.declared_.push_back(field.name + "." + key.name);
    if (!field.alias.empty()) {
      if (auto renamed = json->rename(field.alias, field.name); !renamed) {
        return std::move(renamed).error();
      }
    }
    if (auto read = read_json_field(field, *json, decoded.values_); !read) {
      return std::move(read).error();
    }
  }
  if (auto done = json->finish(); !done) return std::move(done).error();
  return decoded;
}

Result<RequestFields> RequestFields::from_query(const std::vector<Field>& fields,
                                                std::string_view target) {
  RequestFields decoded;
  for (const auto& field : fields) {
    decoded.declared_.push_back(field.name);
    if (auto read = read_query_field(field, target, decoded.values_); !read) {
      return std::move(read).error();
    }
  }
  return decoded;
}

const RequestFields::Value* RequestFields::value_of(std::string_view name) const {
  LEDGER_ASSERT(std::find(declared_.begin(), declared_.end(), name) != declared_.end(),
                "a handler reads only the fields its route declares");
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const std::vector<std::string>& RequestFields::list(std::string_view name) const {
  static const std::vector<std::string> kNone;
  return has(name) ? get<std::vector<std::string>>(name) : kNone;
}

const std::map<std::string, std::string>& RequestFields::map(std::string_view name) const {
  static const std::map<std::string, std::string> kNone;
  return has(name) ? get<std::map<std::string, std::string>>(name) : kNone;
}

nlohmann::json field_schema(const Field& field) {
  nlohmann::json schema;
  switch (field.type) {
    case FieldType::text:
    case FieldType::long_text:
      schema = {{"type", "string"}, {"maxLength", field.bytes_max}};
      if (field.required) schema["minLength"] = 1;
      break;
    // Inline, not the answers' Money: a request's amount may be nullable, and may omit cents.
    // A decimal string, or a JSON number whose text obeys the same grammar (json_fields.h).
    case FieldType::money:
    case FieldType::amount: {
      const bool positive = field.type == FieldType::money;
      schema = {{"anyOf",
                 {{{"type", "string"}, {"pattern", kAmountPattern}},
                  {{"type", "number"},
                   {"minimum", 0},
                   {"maximum", Money::kApiAmountMinorMax / 100},
                   {"description", "at most two decimals, as written (never an exponent)"}}}},
                {"description", positive ? "a positive amount as a decimal string (or number)"
                                         : "an amount of zero or more as a decimal string (or "
                                           "number)"},
                {"example", "50.00"}};
      break;
    }
    case FieldType::integer:
      schema = {{"type", "integer"}, {"minimum", field.min}, {"maximum", field.max}};
      break;
    case FieldType::boolean:
      schema = {{"type", "boolean"}};
      break;
    case FieldType::choice:
      schema = {{"type", "string"}, {"enum", field.choices}};
      break;
    case FieldType::date:
      schema = {{"type", "string"}, {"format", "date"}};
      break;
    case FieldType::time:
      schema = {{"type", "string"}, {"format", "date-time"}};
      break;
    case FieldType::text_list:
      schema = {{"type", "array"},
                {"maxItems", field.items_max},
                {"items", {{"type", "string"}, {"maxLength", field.bytes_max}}}};
      break;
    case FieldType::text_map:
      schema = {{"type", "object"},
                {"maxProperties", field.items_max},
                {"additionalProperties", {{"type", "string"}, {"maxLength", field.bytes_max}}}};
      break;
    case FieldType::object: {
      nlohmann::json properties = nlohmann::json::object();
      nlohmann::json required_keys = nlohmann::json::array();
      for (const auto& key : field.fields) {
        nlohmann::json property = field_schema(key);
        if (key.required) {
          required_keys.push_back(key.name);
        } else {
          property["nullable"] = true;  // null is the same as leaving the key out
        }
        properties[key.name] = std::move(property);
      }
      schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
      if (!required_keys.empty()) schema["required"] = required_keys;
      break;
    }
    case FieldType::file:
      schema = {{"type", "string"}, {"format", "binary"}};
      break;
  }
  if (!field.description.empty()) schema["description"] = field.description;
  if (!field.pattern.empty()) schema["pattern"] = field.pattern;
  return schema;
}

}  // namespace ledger::http
