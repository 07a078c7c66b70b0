#include "http/json_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "events/timestamp.h"

namespace ledger::http {
namespace {

Error field_error(std::string_view name, std::string message) {
  return make_error(Errc::invalid_argument, std::move(message), std::string(name));
}

// The document, built from the parser's SAX events rather than its DOM callbacks, because only
// SAX hands over a number's literal text. It refuses nesting deeper than the limit and a key
// repeated within one object, at any level (the last of two "amount" keys used to win), and keeps
// the text of each number that is a field of the top-level object exactly as written, so that
// money sent as a JSON number is read from its digits, never through a double.
class StrictDocument {
 public:
  using json = nlohmann::json;

  explicit StrictDocument(std::size_t depth_max) : depth_max_(depth_max) {}

  bool null() { return add(nullptr); }
  bool boolean(bool value) { return add(value); }
  // The lexer reads a number with a minus sign and no fraction as a signed integer (only those),
  // so its text is its value printed, "-0" included.
  bool number_integer(json::number_integer_t value) {
    return add(value, value == 0 ? std::string("-0") : fmt::format("{}", value));
  }
  bool number_unsigned(json::number_unsigned_t value) {
    return add(value, fmt::format("{}", value));
  }
  bool number_float(json::number_float_t value, const std::string& text) {
    return add(value, text);
  }
  bool string(std::string& value) { return add(std::move(value)); }
  bool binary(json::binary_t& /*value*/) { return false; }  // JSON text holds no binary values
  bool start_object(std::size_t /*elements*/) {
    if (!open(json::object())) return false;
    keys_.emplace_back();
    return true;
  }
  bool key(std::string& name) {
    if (!keys_.back().insert(name).second) {
      failure_ = fmt::format("the field {} appears more than once", name);
      failed_field_ = name;
      return false;
    }
    key_ = std::move(name);
    return true;
  }
  bool end_object() {
    keys_.pop_back();
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    failure_ = fmt::format("the body is not valid JSON: {}", error.what());
    return false;
  }

  json& document() { return document_; }
  std::map<std::string, std::string, std::less<>>& number_texts() { return number_texts_; }
  Error failure() const {
    return make_error(Errc::invalid_argument,
                      failure_.empty() ? "the body is not valid JSON" : failure_, failed_field_);
  }

 private:
  bool add(json value, std::optional<std::string> number_text = std::nullopt) {
    if (open_.empty()) {
      document_ = std::move(value);
      return true;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return true;
    }
    if (number_text && open_.size() == 1) number_texts_[key_] = std::move(*number_text);
    parent[key_] = std::move(value);
    return true;
  }
  // Pointers into the tree stay valid: a container is only added to while it is the innermost
  // open one, and objects are node-based maps.
  bool open(json container) {
    if (open_.size() >= depth_max_) {
      failure_ = fmt::format("the JSON body is nested deeper than {} levels", depth_max_);
      return false;
    }
    if (open_.empty()) {
      document_ = std::move(container);
      open_.push_back(&document_);
      return true;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(container));
      open_.push_back(&parent.back());
    } else {
      open_.push_back(&(parent[key_] = std::move(container)));
    }
    return true;
  }

  std::size_t depth_max_;
  json document_;
  std::vector<json*> open_;
  std::vector<std::set<std::string, std::less<>>> keys_;
  std::string key_;
  std::map<std::string, std::string, std::less<>> number_texts_;
  std::string failure_;
  std::string failed_field_;
};

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool iequals(std::string_view left, std::string_view right) {
  return std::ranges::equal(left, right, [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// A media type parameter of a JSON body: any, but a charset must be UTF-8 (RFC 8259).
bool is_json_parameter(std::string_view parameter) {
  const auto equals = parameter.find('=');
  if (!iequals(trimmed(parameter.substr(0, equals)), "charset")) return true;
  if (equals == std::string_view::npos) return false;
  auto charset = trimmed(parameter.substr(equals + 1));
  if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
    charset = charset.substr(1, charset.size() - 2);
  }
  return iequals(charset, "utf-8");
}

// True for "application/json" in any case, with parameters.
bool is_json_media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  if (!iequals(trimmed(content_type.substr(0, end)), "application/json")) return false;
  while (end != std::string_view::npos) {
    content_type.remove_prefix(end + 1);
    end = content_type.find(';');
    if (!is_json_parameter(trimmed(content_type.substr(0, end)))) return false;
  }
  return true;
}

}  // namespace

Result<JsonFields> JsonFields::parse_request_body(std::string_view content_type,
                                                  std::string_view body, const JsonLimits& limits) {
  if (body.empty() && content_type.empty()) return parse(body, limits);
  if (!is_json_media_type(content_type)) {
    return make_error(Errc::unsupported_media_type,
                      "send the body as JSON with Content-Type: application/json", "Content-Type");
  }
  return parse(body, limits);
}

Result<JsonFields> JsonFields::parse(std::string_view body, const JsonLimits& limits) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return JsonFields(nlohmann::json::object(), {}, limits);
  }
  // JSON text never holds a raw NUL (strings escape it), and the parser stops at one, so
  // `{"a":1}\0junk` would otherwise be accepted.
  if (body.find('\0') != std::string_view::npos) {
    return make_error(Errc::invalid_argument, "the body is not valid JSON: it holds a NUL byte");
  }
  StrictDocument document(limits.depth_max);
  if (!nlohmann::json::sax_parse(body, &document, nlohmann::json::input_format_t::json,
                                 /*strict=*/true, /*ignore_comments=*/false)) {
    return document.failure();
  }
  if (!document.document().is_object()) {
    return make_error(Errc::invalid_argument, "the body must be a JSON object");
  }
  return JsonFields(std::move(document.document()), std::move(document.number_texts()), limits);
}

Status JsonFields::rename(std::string_view from, std::string_view to) {
  const auto sent = object_.find(std::string(from));
  if (sent == object_.end()) return {};
  if (object_.contains(std::string(to))) {
    return field_error(from, fmt::format("send {} or {}, not both", to, from));
  }
  object_[std::string(to)] = std::move(*sent);
  object_.erase(std::string(from));
  if (const auto text = number_texts_.find(from); text != number_texts_.end()) {
    std::string literal = std::move(text->second);
    number_texts_.erase(text);
    number_texts_.emplace(std::string(to), std::move(literal));
  }
  return {};
}

const nlohmann::json* JsonFields::find(std::string_view name) {
  asked_.emplace(name);
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> JsonFields::text(std::string_view name, std::size_t bytes_max,
                                                    TextKind kind) {
  const auto* value = find(name);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return field_error(name, fmt::format("{} must be a string", name));
  const auto& text = value->get_ref<const std::string&>();
  const std::size_t limit = std::min(bytes_max, limits_.string_bytes_max);
  if (text.size() > limit) {
    return field_error(name, fmt::format("{} is longer than {} bytes", name, limit));
  }
  if (auto checked = check_text(name, text, kind); !checked) return std::move(checked).error();
  // A name of spaces is no name; an empty optional text may still clear a field.
  if (kind == TextKind::short_text && !text.empty() && is_blank_text(text)) {
    return field_error(name, fmt::format("{} must not be blank", name));
  }
  return std::optional<std::string>(text);
}

Result<std::optional<std::string>> JsonFields::optional_string(std::string_view name,
                                                               std::size_t bytes_max) {
  return text(name, bytes_max, TextKind::short_text);
}

Result<std::optional<std::string>> JsonFields::optional_long_text(std::string_view name,
                                                                  std::size_t bytes_max) {
  return text(name, bytes_max, TextKind::long_text);
}

Result<std::string> JsonFields::string(std::string_view name, std::size_t bytes_max) {
  auto value = optional_string(name, bytes_max);
  if (!value) return std::move(value).error();
  if (!value->has_value() || (*value)->empty()) {
    return field_error(name, fmt::format("{} is required", name));
  }
  return std::move(**value);
}

// A money field: a decimal string, or a JSON number whose text as written obeys the same grammar
// (the seed's dashboards send `"budget": 500.00`); `zero_allowed` for totals and budgets.
Result<std::optional<Money>> JsonFields::decimal(std::string_view name, bool zero_allowed) {
  const auto* value = find(name);
  if (value == nullptr) return std::optional<Money>();
  const std::string* text = nullptr;
  if (value->is_string()) {
    text = &value->get_ref<const std::string&>();
  } else if (value->is_number() && nested_) {
    // A nested object's numbers keep no literal text, and money never goes through a double.
    return field_error(
        name, fmt::format("{} must be an amount written as a string, such as \"50.00\"", name));
  } else if (value->is_number()) {
    const auto number = number_texts_.find(name);
    LEDGER_ASSERT(number != number_texts_.end(), "every top-level number keeps its text");
    text = &number->second;
  } else {
    return field_error(name, fmt::format("{} must be an amount such as \"50.00\"", name));
  }
  auto amount = zero_allowed ? Money::parse(*text) : Money::parse_positive(*text);
  if (!amount) return field_error(name, fmt::format("{}: {}", name, amount.error().message));
  if (amount->is_negative()) return field_error(name, fmt::format("{} must not be negative", name));
  if (amount->minor() > Money::kApiAmountMinorMax) {
    return field_error(name, fmt::format("{} is above the maximum amount", name));
  }
  return std::optional<Money>(*amount);
}

Result<std::optional<Money>> JsonFields::optional_money(std::string_view name) {
  return decimal(name, /*zero_allowed=*/false);
}

Result<std::optional<Money>> JsonFields::optional_amount(std::string_view name) {
  return decimal(name, /*zero_allowed=*/true);
}

Result<Money> JsonFields::money(std::string_view name) {
  auto amount = optional_money(name);
  if (!amount) return std::move(amount).error();
  if (!amount->has_value()) return field_error(name, fmt::format("{} is required", name));
  return **amount;
}

Result<std::optional<bool>> JsonFields::optional_boolean(std::string_view name) {
  const auto* value = find(name);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return field_error(name, fmt::format("{} must be true or false", name));
  return std::optional<bool>(value->get<bool>());
}

Result<bool> JsonFields::boolean(std::string_view name) {
  auto value = optional_boolean(name);
  if (!value) return std::move(value).error();
  if (!value->has_value()) return field_error(name, fmt::format("{} is required", name));
  return **value;
}

Result<std::optional<std::int64_t>> JsonFields::optional_integer(std::string_view name,
                                                                 std::int64_t min,
                                                                 std::int64_t max) {
  const auto* value = find(name);
  if (value == nullptr) return std::optional<std::int64_t>();
  if (!value->is_number_integer()) {
    return field_error(name, fmt::format("{} must be a whole number", name));
  }
  // Unsigned values above INT64_MAX are out of range too.
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return field_error(name, fmt::format("{} must be between {} and {}", name, min, max));
  }
  const auto number = value->get<std::int64_t>();
  if (number < min || number > max) {
    return field_error(name, fmt::format("{} must be between {} and {}", name, min, max));
  }
  return std::optional<std::int64_t>(number);
}

Result<std::int64_t> JsonFields::integer(std::string_view name, std::int64_t min,
                                         std::int64_t max) {
  auto value = optional_integer(name, min, max);
  if (!value) return std::move(value).error();
  if (!value->has_value()) return field_error(name, fmt::format("{} is required", name));
  return **value;
}

Result<std::string> JsonFields::choice(std::string_view name,
                                       const std::vector<std::string_view>& allowed) {
  auto value = string(name, 100);
  if (!value) return value;
  for (auto option : allowed) {
    if (*value == option) return value;
  }
  std::string options;
  for (auto option : allowed) options += (options.empty() ? "" : ", ") + std::string(option);
  return field_error(name, fmt::format("{} must be one of: {}", name, options));
}

Result<std::optional<std::int64_t>> JsonFields::optional_time(std::string_view name) {
  auto text = optional_string(name, 64);
  if (!text) return std::move(text).error();
  if (!text->has_value()) return std::optional<std::int64_t>();
  auto parsed = events::parse_rfc3339(**text);
  if (!parsed) {
    return field_error(name, fmt::format("{} must be an RFC 3339 time such as "
                                         "\"2026-11-23T10:00:00Z\"",
                                         name));
  }
  return std::optional<std::int64_t>(*parsed);
}

Result<std::int64_t> JsonFields::date(std::string_view name) {
  auto text = string(name, 16);
  if (!text) return std::move(text).error();
  auto parsed = events::parse_date(*text);
  if (!parsed) {
    return field_error(name, fmt::format("{} must be a date such as \"2026-11-23\"", name));
  }
  return *parsed;
}

Result<std::vector<std::string>> JsonFields::string_list(std::string_view name,
                                                         std::size_t items_max,
                                                         std::size_t bytes_max) {
  const auto* value = find(name);
  std::vector<std::string> items;
  if (value == nullptr) return items;
  if (!value->is_array()) return field_error(name, fmt::format("{} must be a list", name));
  if (value->size() > items_max) {
    return field_error(name, fmt::format("{} has more than {} items", name, items_max));
  }
  for (const auto& item : *value) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > bytes_max) {
      return field_error(name,
                         fmt::format("{} must hold strings of at most {} bytes", name, bytes_max));
    }
    const auto& text = item.get_ref<const std::string&>();
    if (auto checked = check_text(name, text, TextKind::short_text); !checked) {
      return std::move(checked).error();
    }
    items.push_back(text);
  }
  return items;
}

Result<std::map<std::string, std::string>> JsonFields::string_map(std::string_view name,
                                                                  std::size_t items_max,
                                                                  std::size_t bytes_max) {
  const auto* value = find(name);
  std::map<std::string, std::string> entries;
  if (value == nullptr) return entries;
  if (!value->is_object()) return field_error(name, fmt::format("{} must be an object", name));
  if (value->size() > items_max) {
    return field_error(name, fmt::format("{} has more than {} entries", name, items_max));
  }
  for (const auto& [key, item] : value->items()) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > bytes_max) {
      return field_error(
          name, fmt::format("each value of {} is a string of at most {} bytes", name, bytes_max));
    }
    const auto& text = item.get_ref<const std::string&>();
    if (auto checked = check_text(name, key, TextKind::short_text); !checked) {
      return std::move(checked).error();
    }
    if (auto checked = check_text(name, text, TextKind::long_text); !checked) {
      return std::move(checked).error();
    }
    entries.emplace(key, text);
  }
  return entries;
}

Result<std::optional<JsonFields>> JsonFields::optional_object(std::string_view name) {
  const auto* value = find(name);
  if (value == nullptr) return std::optional<JsonFields>();
  if (!value->is_object()) return field_error(name, fmt::format("{} must be an object", name));
  JsonFields object(*value, {}, limits_);
  object.nested_ = true;
  return std::optional<JsonFields>(std::move(object));
}

Status JsonFields::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!asked_.contains(key)) {
      return field_error(key,
                         fmt::format("unknown field {}: this endpoint does not accept it", key));
    }
  }
  return {};
}

}  // namespace ledger::http
