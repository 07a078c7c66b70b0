// JsonFields: strict reading of a JSON request body (an object), field by field.
//
// Handlers ask for exactly the fields they accept — that list is the allow-list of writable
// fields — and `finish()` refuses any field that was sent but not asked for, so mass assignment
// (`balance`, `role`, `times_used`, ...) is a 400 naming the field. Every refusal is an Error of
// kind invalid_argument with `field` set, so it maps to a 400 problem document with `errors`.
// Money is read from decimal strings, or from a JSON number's literal text as written (never
// through a double, which would lose cents), under the same grammar; see core/money.h.
// Parsing limits the body's nesting depth (JsonLimits), and refuses a key repeated within one
// object (at any level) and anything but white space after the document (a NUL byte too).
// Every text field names its limit, a kind of core/domain/text_limits.h (the one table the
// deciders check too). Text fields follow core/text_validation.h: `string` and `optional_string`
// are short texts (no control character, no bidirectional control, never only white space),
// `long_text` and `optional_long_text` may hold newlines and tabs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "core/money.h"
#include "core/result.h"
#include "core/text_validation.h"
#include "events/enum_names.h"

namespace ledger::http {

struct JsonLimits {
  std::size_t depth_max = 16;
  std::size_t string_bytes_max = 10'000;
};

class JsonFields {
 public:
  // Parses `body` as one JSON object. An empty body is an empty object.
  static Result<JsonFields> parse(std::string_view body, const JsonLimits& limits = {});
  // The same for a request body sent with `content_type` (the header's value, empty when
  // absent): unsupported_media_type (415) unless it is application/json (any case, parameters
  // allowed, charset only utf-8); an empty body may come without a Content-Type.
  static Result<JsonFields> parse_request_body(std::string_view content_type, std::string_view body,
                                               const JsonLimits& limits = {});

  Result<std::string> string(std::string_view name, std::size_t bytes_max);
  Result<std::optional<std::string>> optional_string(std::string_view name, std::size_t bytes_max);
  // Notes, descriptions, reasons: newline, carriage return and tab allowed.
  Result<std::optional<std::string>> optional_long_text(std::string_view name,
                                                        std::size_t bytes_max);
  Result<Money> money(std::string_view name);  // positive amount
  Result<std::optional<Money>> optional_money(std::string_view name);
  // Zero or more (a budget, a running total).
  Result<std::optional<Money>> optional_amount(std::string_view name);
  Result<bool> boolean(std::string_view name);
  Result<std::optional<bool>> optional_boolean(std::string_view name);
  Result<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max);
  Result<std::optional<std::int64_t>> optional_integer(std::string_view name, std::int64_t min,
                                                       std::int64_t max);
  // One of `allowed`.
  Result<std::string> choice(std::string_view name, const std::vector<std::string_view>& allowed);
  // One of the names of E's values (events/enum_names.h: "past_due"), as the value.
  template <class E>
  Result<E> enum_choice(std::string_view name) {
    const std::vector<std::string> names = events::enum_names<E>();
    auto text = choice(name, std::vector<std::string_view>(names.begin(), names.end()));
    if (!text) return std::move(text).error();
    const auto value = events::parse_enum<E>(*text);
    LEDGER_ASSERT(value.has_value(), "a name of the enum parses as its value");
    return *value;
  }
  // An RFC 3339 time, as microseconds since the epoch.
  Result<std::optional<std::int64_t>> optional_time(std::string_view name);
  // A date "YYYY-MM-DD", as microseconds at 00:00 UTC.
  Result<std::int64_t> date(std::string_view name);
  Result<std::vector<std::string>> string_list(std::string_view name, std::size_t items_max,
                                               std::size_t bytes_max);

  // An object of string values ({"question": "answer"}); empty when absent. Keys are short
  // texts, values long texts.
  Result<std::map<std::string, std::string>> string_map(std::string_view name,
                                                        std::size_t items_max,
                                                        std::size_t bytes_max);

  // Moves field `from` (when sent) to `to`: the same field under another name. Sending both is a
  // 400 naming `from`.
  Status rename(std::string_view from, std::string_view to);

  // A nested object, read field by field as the body is (with its own `finish()`); nullopt when
  // absent or null, invalid_argument naming `name` when not an object. Money inside it is taken
  // from strings only.
  Result<std::optional<JsonFields>> optional_object(std::string_view name);

  // Refuses fields that were sent but never asked for.
  Status finish() const;

  const nlohmann::json& raw() const { return object_; }

 private:
  JsonFields(nlohmann::json object, std::map<std::string, std::string, std::less<>> number_texts,
             JsonLimits limits)
      : object_(std::move(object)), number_texts_(std::move(number_texts)), limits_(limits) {}
  const nlohmann::json* find(std::string_view name);
  Result<std::optional<Money>> decimal(std::string_view name, bool zero_allowed);
  Result<std::optional<std::string>> text(std::string_view name, std::size_t bytes_max,
                                          TextKind kind);

  nlohmann::json object_;
  // The text of each top-level number field, as the client wrote it.
  std::map<std::string, std::string, std::less<>> number_texts_;
  JsonLimits limits_;
  // An object inside the body: its numbers have no literal text, so money is read from strings
  // only (a number is refused with the field's name).
  bool nested_ = false;
  std::set<std::string, std::less<>> asked_;
};

}  // namespace ledger::http
