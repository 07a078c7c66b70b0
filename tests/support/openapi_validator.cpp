#include "tests/support/openapi_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <regex>
#include <set>

namespace ledger::testing {
namespace {

using nlohmann::json;

constexpr int kDepthMax = 64;  // deeper $ref chains or nesting are taken for a cycle
constexpr std::size_t kProblemsShownMax = 8;

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string where(const std::string& instance_at) {
  return instance_at.empty() ? "the root" : instance_at;
}

std::string escaped_token(std::string_view token) {
  std::string result;
  for (const char c : token) {
    if (c == '~') {
      result += "~0";
    } else if (c == '/') {
      result += "~1";
    } else {
      result += c;
    }
  }
  return result;
}

// A reference's fragment is a URI fragment: %7B is '{'.
std::string percent_decoded(std::string_view text) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      result += static_cast<char>(value);
      i += 2;
    } else {
      result += text[i];
    }
  }
  return result;
}

std::string shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string kind_of(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

bool has_type(std::string_view type, const json& value) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return false;
}

bool is_count(const json& value) {
  return value.is_number_unsigned() ||
         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

// -1, 0 or 1 as a is below, equal to or above b; integers compared exactly.
int compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool a_negative = a.is_number_unsigned() ? false : a.get<std::int64_t>() < 0;
    const bool b_negative = b.is_number_unsigned() ? false : b.get<std::int64_t>() < 0;
    if (a_negative != b_negative) return a_negative ? -1 : 1;
    if (a_negative) {
      const auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

std::size_t code_points(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

int number_at(std::string_view text, std::size_t at, std::size_t digits) {
  int value = -1;
  const char* begin = text.data() + at;
  if (at + digits > text.size() ||
      !std::all_of(begin, begin + digits, [](char c) { return c >= '0' && c <= '9'; })) {
    return -1;
  }
  std::from_chars(begin, begin + digits, value);
  return value;
}

// YYYY-MM-DD, a real day of the proleptic Gregorian calendar.
bool is_full_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const int year = number_at(text, 0, 4), month = number_at(text, 5, 2),
            day = number_at(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// RFC 3339 date-time: full-date "T" HH:MM:SS[.fraction] ("Z" / +HH:MM / -HH:MM), T and Z in
// either case, second 60 allowed (leap seconds).
bool is_date_time(std::string_view text) {
  if (text.size() < 20 || !is_full_date(text.substr(0, 10))) return false;
  if (text[10] != 'T' && text[10] != 't') return false;
  if (text[13] != ':' || text[16] != ':') return false;
  const int hour = number_at(text, 11, 2), minute = number_at(text, 14, 2),
            second = number_at(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return false;
  }
  std::size_t at = 19;
  if (text[at] == '.') {
    const std::size_t digits_from = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digits_from) return false;
  }
  const std::string_view offset = text.substr(at);
  if (offset == "Z" || offset == "z") return true;
  if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':') {
    return false;
  }
  const int offset_hour = number_at(offset, 1, 2), offset_minute = number_at(offset, 4, 2);
  return offset_hour >= 0 && offset_hour <= 23 && offset_minute >= 0 && offset_minute <= 59;
}

// Keywords that only describe: they constrain nothing an answer could break.
const std::set<std::string, std::less<>> kAnnotations = {"description",  "title",    "example",
                                                         "default",      "readOnly", "writeOnly",
                                                         "externalDocs", "xml",      "deprecated"};

// Keywords this validator checks.
const std::set<std::string, std::less<>> kChecked = {"$ref",
                                                     "type",
                                                     "nullable",
                                                     "properties",
                                                     "required",
                                                     "additionalProperties",
                                                     "items",
                                                     "enum",
                                                     "minLength",
                                                     "maxLength",
                                                     "pattern",
                                                     "minimum",
                                                     "maximum",
                                                     "exclusiveMinimum",
                                                     "exclusiveMaximum",
                                                     "minItems",
                                                     "maxItems",
                                                     "uniqueItems",
                                                     "format",
                                                     "allOf",
                                                     "anyOf",
                                                     "oneOf",
                                                     "not"};

const std::set<std::string, std::less<>> kTypes = {"string",  "integer", "number",
                                                   "boolean", "object",  "array"};

// Validates instances against schemas of one document. Two kinds of findings: problems of the
// instance, which an alternative of anyOf/oneOf may excuse, and faults of the schema (a keyword
// not understood, a $ref leading nowhere), which always surface: the validator never lets an
// alternative it cannot read decide the answer.
class SchemaValidator {
 public:
  explicit SchemaValidator(const json& document) : document_(document) {}

  void check(const json& schema, const std::string& schema_at, const json& instance,
             const std::string& instance_at, int depth, std::vector<std::string>& problems) {
    if (depth > kDepthMax) return fault(schema_at, "schemas nest deeper than 64: a $ref cycle?");
    if (!schema.is_object()) return fault(schema_at, "a schema must be an object");
    if (schema.contains("$ref"))
      return check_reference(schema, schema_at, instance, instance_at, depth, problems);
    for (const auto& [keyword, value] : schema.items()) {
      if (!kChecked.contains(keyword) && !kAnnotations.contains(keyword) &&
          !keyword.starts_with("x-")) {
        fault(schema_at, "keyword '" + keyword + "' is not understood by this validator");
      }
    }
    check_type(schema, schema_at, instance, instance_at, problems);
    check_enum(schema, schema_at, instance, instance_at, problems);
    if (instance.is_string()) check_string(schema, schema_at, instance, instance_at, problems);
    if (instance.is_number()) check_number(schema, schema_at, instance, instance_at, problems);
    check_array(schema, schema_at, instance, instance_at, depth, problems);
    check_object(schema, schema_at, instance, instance_at, depth, problems);
    check_composition(schema, schema_at, instance, instance_at, depth, problems);
  }

  // What a local reference ("#/components/...") points to; nullptr, with a fault, when nothing.
  const json* resolve(const json& reference, const std::string& from_at, std::string& target_at) {
    if (!reference.is_string() || !reference.get<std::string>().starts_with("#")) {
      fault(from_at, "$ref " + shown(reference) + " is not a local reference (#/...)");
      return nullptr;
    }
    target_at = percent_decoded(reference.get<std::string>());
    try {
      const json::json_pointer pointer(target_at.substr(1));
      if (document_.contains(pointer)) return &document_.at(pointer);
    } catch (const json::exception&) {
      // a malformed pointer leads nowhere, reported below
    }
    fault(from_at, "$ref " + target_at + " leads nowhere in the document");
    return nullptr;
  }

  // Follows $ref chains from `value` (a response, a header); nullptr, with a fault, when broken.
  const json* dereferenced(const json& value, std::string& at) {
    const json* current = &value;
    for (int depth = 0; current->is_object() && current->contains("$ref"); ++depth) {
      if (depth > kDepthMax) {
        fault(at, "$ref chain longer than 64: a cycle?");
        return nullptr;
      }
      std::string target_at;
      current = resolve((*current)["$ref"], at, target_at);
      if (current == nullptr) return nullptr;
      at = target_at;
    }
    return current;
  }

  void fault(const std::string& schema_at, const std::string& text) {
    const std::string line = "the document: " + text + " (at " + schema_at + ")";
    if (std::find(faults_.begin(), faults_.end(), line) == faults_.end()) faults_.push_back(line);
  }

  const std::vector<std::string>& faults() const { return faults_; }

 private:
  static void add(std::vector<std::string>& problems, const std::string& instance_at,
                  const std::string& text, const std::string& schema_at) {
    problems.push_back("at " + where(instance_at) + ": " + text + " (schema " + schema_at + ")");
  }

  void check_reference(const json& schema, const std::string& schema_at, const json& instance,
                       const std::string& instance_at, int depth,
                       std::vector<std::string>& problems) {
    for (const auto& [keyword, value] : schema.items()) {
      if (keyword != "$ref" && keyword != "description" && !keyword.starts_with("x-")) {
        fault(schema_at, "keyword '" + keyword + "' beside $ref is ignored by OpenAPI 3.0");
      }
    }
    std::string target_at;
    const json* target = resolve(schema["$ref"], schema_at + "/$ref", target_at);
    if (target != nullptr) check(*target, target_at, instance, instance_at, depth + 1, problems);
  }

  void check_type(const json& schema, const std::string& schema_at, const json& instance,
                  const std::string& instance_at, std::vector<std::string>& problems) {
    const auto nullable = schema.find("nullable");
    if (nullable != schema.end() && !nullable->is_boolean()) {
      fault(schema_at + "/nullable", "nullable must be true or false");
    }
    const auto type = schema.find("type");
    if (type == schema.end()) return;
    if (!type->is_string() || !kTypes.contains(type->get<std::string>())) {
      return fault(schema_at + "/type", "type " + shown(*type) + " is not an OpenAPI 3.0 type");
    }
    const bool null_allowed = nullable != schema.end() && *nullable == true;
    if (instance.is_null() && null_allowed) return;
    if (!has_type(type->get<std::string>(), instance)) {
      add(problems, instance_at,
          "expected " + type->get<std::string>() + (null_allowed ? " or null" : "") + ", got " +
              kind_of(instance) + " " + shown(instance),
          schema_at + "/type");
    }
  }

  void check_enum(const json& schema, const std::string& schema_at, const json& instance,
                  const std::string& instance_at, std::vector<std::string>& problems) {
    const auto values = schema.find("enum");
    if (values == schema.end()) return;
    if (!values->is_array() || values->empty()) {
      return fault(schema_at + "/enum", "enum must be a non-empty array");
    }
    if (std::find(values->begin(), values->end(), instance) == values->end()) {
      add(problems, instance_at, shown(instance) + " is not one of " + shown(*values),
          schema_at + "/enum");
    }
  }

  // min<what> and max<what> ("Length", "Items") against `count` (nullopt: the instance has
  // no such count, only the keywords themselves are checked).
  void check_count(const json& schema, const std::string& schema_at, const std::string& what,
                   std::optional<std::size_t> count, const std::string& unit,
                   const std::string& instance_at, std::vector<std::string>& problems) {
    for (const std::string& keyword : {"min" + what, "max" + what}) {
      const auto limit = schema.find(keyword);
      if (limit == schema.end()) continue;
      if (!is_count(*limit)) {
        fault(fmt::format("{}/{}", schema_at, keyword), fmt::format("{} must be a count", keyword));
        continue;
      }
      const auto bound = limit->get<std::uint64_t>();
      if (count && (keyword.starts_with("min") ? *count < bound : *count > bound)) {
        add(problems, instance_at, fmt::format("{} {}, {} is {}", *count, unit, keyword, bound),
            fmt::format("{}/{}", schema_at, keyword));
      }
    }
  }

  void check_string(const json& schema, const std::string& schema_at, const json& instance,
                    const std::string& instance_at, std::vector<std::string>& problems) {
    const auto& text = instance.get_ref<const std::string&>();
    check_count(schema, schema_at, "Length", code_points(text), "characters", instance_at,
                problems);
    if (const auto pattern = schema.find("pattern"); pattern != schema.end()) {
      check_pattern(*pattern, schema_at + "/pattern", text, instance_at, problems);
    }
    if (const auto format = schema.find("format"); format != schema.end()) {
      if (!format->is_string()) return fault(schema_at + "/format", "format must be a string");
      const bool bad = (*format == "date" && !is_full_date(text)) ||
                       (*format == "date-time" && !is_date_time(text));
      if (bad) {
        add(problems, instance_at, shown(instance) + " is not a " + format->get<std::string>(),
            schema_at + "/format");
      }
    }
  }

  void check_pattern(const json& pattern, const std::string& pattern_at, const std::string& text,
                     const std::string& instance_at, std::vector<std::string>& problems) {
    if (!pattern.is_string()) return fault(pattern_at, "pattern must be a string");
    try {
      const std::regex expression(pattern.get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(text, expression)) {
        add(problems, instance_at,
            shown(json(text)) + " does not match the pattern " + shown(pattern), pattern_at);
      }
    } catch (const std::regex_error& error) {
      fault(pattern_at, "pattern " + shown(pattern) + " is not usable: " + error.what());
    }
  }

  void check_number(const json& schema, const std::string& schema_at, const json& instance,
                    const std::string& instance_at, std::vector<std::string>& problems) {
    for (const bool is_minimum : {true, false}) {
      const char* keyword = is_minimum ? "minimum" : "maximum";
      const char* exclusive_keyword = is_minimum ? "exclusiveMinimum" : "exclusiveMaximum";
      const auto exclusive = schema.find(exclusive_keyword);
      if (exclusive != schema.end() && !exclusive->is_boolean()) {
        fault(schema_at + "/" + exclusive_keyword, "must be true or false in OpenAPI 3.0");
      }
      const auto bound = schema.find(keyword);
      if (bound == schema.end()) continue;
      if (!bound->is_number()) {
        fault(schema_at + "/" + keyword, std::string(keyword) + " must be a number");
        continue;
      }
      const bool strict = exclusive != schema.end() && *exclusive == true;
      const int order = compare_numbers(instance, *bound) * (is_minimum ? 1 : -1);
      if (order < 0 || (strict && order == 0)) {
        add(problems, instance_at,
            shown(instance) + (is_minimum ? " is below " : " is above ") +
                (strict ? "the exclusive " : "") + keyword + " " + shown(*bound),
            schema_at + "/" + keyword);
      }
    }
  }

  void check_array(const json& schema, const std::string& schema_at, const json& instance,
                   const std::string& instance_at, int depth, std::vector<std::string>& problems) {
    check_count(schema, schema_at, "Items",
                instance.is_array() ? std::optional(instance.size()) : std::nullopt, "items",
                instance_at, problems);
    const auto unique = schema.find("uniqueItems");
    if (unique != schema.end() && !unique->is_boolean()) {
      fault(schema_at + "/uniqueItems", "uniqueItems must be true or false");
    }
    const auto items = schema.find("items");
    if (items != schema.end() && !items->is_object()) {
      return fault(schema_at + "/items", "items must be one schema (an object) in OpenAPI 3.0");
    }
    if (!instance.is_array()) return;
    for (std::size_t i = 0; i < instance.size(); ++i) {
      const std::string item_at = instance_at + "/" + std::to_string(i);
      if (items != schema.end()) {
        check(*items, schema_at + "/items", instance[i], item_at, depth + 1, problems);
      }
      if (unique == schema.end() || *unique != true) continue;
      for (std::size_t j = 0; j < i; ++j) {
        if (instance[j] == instance[i]) {
          add(problems, item_at, "repeats item " + std::to_string(j) + " (uniqueItems)",
              schema_at + "/uniqueItems");
        }
      }
    }
  }

  void check_object(const json& schema, const std::string& schema_at, const json& instance,
                    const std::string& instance_at, int depth, std::vector<std::string>& problems) {
    static const json kNone = json::object();
    const auto properties_it = schema.find("properties");
    if (properties_it != schema.end() && !properties_it->is_object()) {
      fault(schema_at + "/properties", "properties must be an object");
    }
    const json& properties =
        properties_it != schema.end() && properties_it->is_object() ? *properties_it : kNone;
    const auto required = schema.find("required");
    if (required != schema.end() &&
        (!required->is_array() || required->empty() ||
         !std::all_of(required->begin(), required->end(),
                      [](const json& name) { return name.is_string(); }))) {
      fault(schema_at + "/required", "required must be a non-empty array of names");
    }
    const auto additional = schema.find("additionalProperties");
    if (additional != schema.end() && !additional->is_boolean() && !additional->is_object()) {
      fault(schema_at + "/additionalProperties", "must be true, false or a schema");
    }
    if (!instance.is_object()) return;
    if (required != schema.end() && required->is_array()) {
      for (const auto& name : *required) {
        if (name.is_string() && !instance.contains(name.get<std::string>())) {
          add(problems, instance_at,
              "the required property '" + name.get<std::string>() + "' is missing",
              schema_at + "/required");
        }
      }
    }
    for (const auto& [name, value] : instance.items()) {
      const std::string value_at = instance_at + "/" + escaped_token(name);
      if (const auto property = properties.find(name); property != properties.end()) {
        check(*property, schema_at + "/properties/" + escaped_token(name), value, value_at,
              depth + 1, problems);
      } else if (additional != schema.end() && *additional == false) {
        add(problems, value_at, "the property '" + name + "' is not documented",
            schema_at + "/additionalProperties");
      } else if (additional != schema.end() && additional->is_object()) {
        check(*additional, schema_at + "/additionalProperties", value, value_at, depth + 1,
              problems);
      }
    }
  }

  // allOf: each applies; anyOf: at least one; oneOf: exactly one; not: none.
  void check_composition(const json& schema, const std::string& schema_at, const json& instance,
                         const std::string& instance_at, int depth,
                         std::vector<std::string>& problems) {
    for (const std::string keyword : {"allOf", "anyOf", "oneOf"}) {
      const auto alternatives = schema.find(keyword);
      if (alternatives == schema.end()) continue;
      const std::string at = fmt::format("{}/{}", schema_at, keyword);
      if (!alternatives->is_array() || alternatives->empty()) {
        fault(at, keyword + " must be a non-empty array of schemas");
        continue;
      }
      if (keyword == "allOf") {
        for (std::size_t i = 0; i < alternatives->size(); ++i) {
          check((*alternatives)[i], at + "/" + std::to_string(i), instance, instance_at, depth + 1,
                problems);
        }
        continue;
      }
      std::vector<std::size_t> matched;
      std::string first_problems;
      for (std::size_t i = 0; i < alternatives->size(); ++i) {
        std::vector<std::string> alternative_problems;
        check((*alternatives)[i], at + "/" + std::to_string(i), instance, instance_at, depth + 1,
              alternative_problems);
        if (alternative_problems.empty()) {
          matched.push_back(i);
        } else {
          first_problems += " [" + std::to_string(i) + "] " + alternative_problems.front();
        }
      }
      if (matched.empty()) {
        add(problems, instance_at,
            fmt::format("matches none of the {} schemas of {}:{}", alternatives->size(), keyword,
                        first_problems),
            at);
      } else if (keyword == "oneOf" && matched.size() > 1) {
        add(problems, instance_at,
            "matches schemas " + std::to_string(matched[0]) + " and " + std::to_string(matched[1]) +
                " of oneOf; exactly one must match",
            at);
      }
    }
    if (const auto excluded = schema.find("not"); excluded != schema.end()) {
      std::vector<std::string> excluded_problems;
      check(*excluded, schema_at + "/not", instance, instance_at, depth + 1, excluded_problems);
      if (excluded_problems.empty()) {
        add(problems, instance_at, "matches the schema under not", schema_at + "/not");
      }
    }
  }

  const json& document_;
  std::vector<std::string> faults_;
};

std::vector<std::string> segments_of(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t from = 0;
  while (true) {
    const std::size_t slash = path.find('/', from);
    segments.emplace_back(path.substr(from, slash - from));
    if (slash == std::string_view::npos) break;
    from = slash + 1;
  }
  return segments;
}

// Whether a template segment ("{id}", "v{major}.{minor}", "wallet") matches a path segment;
// each template expression matches one or more characters other than '/'.
bool segment_matches(const std::string& pattern, const std::string& segment) {
  if (pattern.find('{') == std::string::npos) return pattern == segment;
  if (pattern.front() == '{' && pattern.find('}') == pattern.size() - 1) return !segment.empty();
  std::string expression;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      i = pattern.find('}', i);
      if (i == std::string::npos) return false;
      expression += "[^/]+";
    } else {
      if (std::string_view("\\^$.|?*+()[]{}").find(pattern[i]) != std::string_view::npos) {
        expression += '\\';
      }
      expression += pattern[i];
    }
  }
  return std::regex_match(segment, std::regex(expression));
}

// The path templates matching `path`, best first: at the first segment where two differ, a
// literal beats a template.
std::vector<std::string> matching_paths(const json& paths, std::string_view path) {
  const std::vector<std::string> segments = segments_of(path);
  std::vector<std::pair<std::vector<bool>, std::string>> matches;
  for (const auto& [path_template, item] : paths.items()) {
    const std::vector<std::string> patterns = segments_of(path_template);
    if (patterns.size() != segments.size()) continue;
    std::vector<bool> literal;
    bool all = true;
    for (std::size_t i = 0; i < patterns.size() && all; ++i) {
      all = segment_matches(patterns[i], segments[i]);
      literal.push_back(patterns[i].find('{') == std::string::npos);
    }
    if (all) matches.emplace_back(std::move(literal), path_template);
  }
  std::stable_sort(matches.begin(), matches.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> result;
  result.reserve(matches.size());
  for (auto& match : matches) result.push_back(std::move(match.second));
  return result;
}

std::string media_type_of(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
    type.remove_suffix(1);
  }
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) {
    type.remove_prefix(1);
  }
  return lower(type);
}

bool is_json_media_type(const std::string& media_type) {
  return media_type == "application/json" || media_type.ends_with("+json");
}

// The text of a header as the instance its schema reads: a number, a boolean or a string.
json header_instance(const json* schema, const std::string& value) {
  const std::string type = schema != nullptr && schema->is_object() && schema->contains("type") &&
                                   (*schema)["type"].is_string()
                               ? (*schema)["type"].get<std::string>()
                               : "string";
  if (type == "integer" || type == "number" || type == "boolean") {
    json parsed = json::parse(value, nullptr, false);
    if (!parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean())) return parsed;
  }
  return value;
}

// Checks one answer against the response object `response` (at `response_at`).
class AnswerCheck {
 public:
  AnswerCheck(const json& document, std::vector<std::string>& problems)
      : schemas_(document), problems_(problems) {}

  void check(const json& response_ref, std::string response_at, std::string_view content_type,
             std::string_view body, const AnswerHeaders& headers) {
    const json* response = schemas_.dereferenced(response_ref, response_at);
    if (response == nullptr) return;
    if (!response->is_object()) return schemas_.fault(response_at, "a response is an object");
    if (const auto documented = response->find("headers"); documented != response->end()) {
      check_headers(*documented, response_at + "/headers", headers);
    }
    check_content(*response, response_at, content_type, body);
  }

  SchemaValidator& schemas() { return schemas_; }

 private:
  void check_headers(const json& documented, const std::string& headers_at,
                     const AnswerHeaders& headers) {
    if (!documented.is_object()) return schemas_.fault(headers_at, "headers is a map");
    for (const auto& documented_header : documented.items()) {
      const std::string& name = documented_header.key();
      const json& header_ref = documented_header.value();
      // OpenAPI: a response header named Content-Type is ignored.
      if (lower(name) == "content-type") continue;
      std::string header_at = headers_at + "/" + escaped_token(name);
      const json* header = schemas_.dereferenced(header_ref, header_at);
      if (header == nullptr) continue;
      if (!header->is_object() || header->contains("content")) {
        schemas_.fault(header_at, "only headers described by a schema are checked");
        continue;
      }
      const auto present = std::find_if(headers.begin(), headers.end(), [&](const auto& field) {
        return lower(field.first) == lower(name);
      });
      if (present == headers.end()) {
        if (header->value("required", false)) {
          problems_.push_back(
              fmt::format("the required header {} is absent ({})", name, header_at));
        }
        continue;
      }
      const auto schema = header->find("schema");
      if (schema == header->end()) continue;
      std::string schema_at = header_at + "/schema";
      const json* resolved = schemas_.dereferenced(*schema, schema_at);
      std::vector<std::string> header_problems;
      schemas_.check(*schema, header_at + "/schema", header_instance(resolved, present->second), "",
                     0, header_problems);
      for (const auto& problem : header_problems) {
        problems_.push_back(
            fmt::format("header {} {}: {}", name, shown(json(present->second)), problem));
      }
    }
  }

  void check_content(const json& response, const std::string& response_at,
                     std::string_view content_type, std::string_view body) {
    const auto content = response.find("content");
    if (content == response.end() || content->empty()) {
      if (!body.empty()) {
        problems_.push_back("the document gives this answer no body, it has " +
                            std::to_string(body.size()) + " bytes of '" +
                            std::string(content_type) + "' (" + response_at + ")");
      }
      return;
    }
    if (!content->is_object()) return schemas_.fault(response_at + "/content", "content is a map");
    const std::string media_type = media_type_of(content_type);
    std::vector<std::pair<int, std::string>> candidates;  // (how specific, key)
    std::string documented_types;
    for (const auto& [key, entry] : content->items()) {
      const std::string documented = media_type_of(key);
      documented_types += (documented_types.empty() ? "" : ", ") + documented;
      if (documented == media_type) {
        candidates.emplace_back(2, key);
      } else if (documented.ends_with("/*") &&
                 media_type.starts_with(documented.substr(0, documented.size() - 1))) {
        candidates.emplace_back(1, key);
      } else if (documented == "*/*") {
        candidates.emplace_back(0, key);
      }
    }
    if (candidates.empty()) {
      problems_.push_back("Content-Type '" + std::string(content_type) +
                          "' is not among the documented " + documented_types + " (" + response_at +
                          "/content)");
      return;
    }
    const std::string key = std::max_element(candidates.begin(), candidates.end())->second;
    const std::string media_at = response_at + "/content/" + escaped_token(key);
    const json& media = (*content)[key];
    if (!is_json_media_type(media_type)) return;
    const json instance = json::parse(body, nullptr, false);
    if (instance.is_discarded()) {
      problems_.push_back("the body is not JSON, as " + media_type + " says (" + media_at + ")");
      return;
    }
    if (!media.is_object() || !media.contains("schema")) return;
    std::vector<std::string> body_problems;
    schemas_.check(media["schema"], media_at + "/schema", instance, "", 0, body_problems);
    for (auto& problem : body_problems) problems_.push_back("body " + problem);
  }

  SchemaValidator schemas_;
  std::vector<std::string>& problems_;
};

std::string joined(std::vector<std::string> problems, const std::vector<std::string>& faults) {
  problems.insert(problems.begin(), faults.begin(), faults.end());
  std::string text;
  for (std::size_t i = 0; i < problems.size() && i < kProblemsShownMax; ++i) {
    text += (i == 0 ? "" : "\n") + problems[i];
  }
  if (problems.size() > kProblemsShownMax) {
    text += "\n... and " + std::to_string(problems.size() - kProblemsShownMax) + " more";
  }
  return text;
}

// The response an answer to an operation the document lacks must be: a problem document.
json undocumented_route_response(const json& document) {
  json media = json::object();
  if (document.contains("/components/schemas/Problem"_json_pointer)) {
    media["schema"] = {{"$ref", "#/components/schemas/Problem"}};
  }
  return {{"content", {{"application/problem+json", media}}}};
}

}  // namespace

std::string answer_problem(const json& document, std::string_view method, std::string_view target,
                           int status, std::string_view content_type, std::string_view body,
                           const AnswerHeaders& headers) {
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  const std::string operation_method = lower(method);
  std::vector<std::string> problems;
  AnswerCheck answer(document, problems);
  const auto paths = document.find("paths");
  std::vector<std::string> templates;
  if (paths != document.end() && paths->is_object()) templates = matching_paths(*paths, path);
  const auto with_method = std::find_if(templates.begin(), templates.end(), [&](const auto& t) {
    return (*paths)[t].is_object() && (*paths)[t].contains(operation_method);
  });
  if (with_method == templates.end()) {
    const std::string operation =
        templates.empty()
            ? "no path of the document matches " + std::string(path)
            : "the document has no " + operation_method + " operation on " + templates.front();
    if (status != 404 && status != 405) {
      return operation + ", yet the answer is " + std::to_string(status) +
             " (only 404 or 405 may answer it)";
    }
    answer.check(undocumented_route_response(document), "an undocumented operation's answer",
                 content_type, body, headers);
    const std::string found = joined(problems, answer.schemas().faults());
    return found.empty() ? ""
                         : operation + "; its " + std::to_string(status) + " answer:\n" + found;
  }
  const json& operation = (*paths)[*with_method][operation_method];
  const std::string operation_at =
      "#/paths/" + escaped_token(*with_method) + "/" + operation_method;
  const std::string name = operation_method + " " + *with_method;
  const auto responses = operation.find("responses");
  if (responses == operation.end() || !responses->is_object()) {
    return name + ": the operation documents no responses (" + operation_at + ")";
  }
  std::string key = std::to_string(status);
  if (!responses->contains(key)) key = key.substr(0, 1) + "XX";
  if (!responses->contains(key)) key = lower(key);
  if (!responses->contains(key)) key = "default";
  if (!responses->contains(key)) {
    return name + ": no response documented for " + std::to_string(status) + " and no default (" +
           operation_at + "/responses)";
  }
  answer.check((*responses)[key], operation_at + "/responses/" + key, content_type, body, headers);
  const std::string found = joined(problems, answer.schemas().faults());
  return found.empty() ? "" : name + ", response " + key + ":\n" + found;
}

std::string schema_problem(const json& document, const json& schema, const json& instance) {
  SchemaValidator validator(document);
  std::vector<std::string> problems;
  validator.check(schema, "#", instance, "", 0, problems);
  return joined(problems, validator.faults());
}

}  // namespace ledger::testing
