// Fuzzes the strict reader of JSON command bodies (http/json_fields.h), the way the routes use
// it: parse the body, ask for fields by name and type, then `finish()`.
//
// Input: one selector byte, then the body. Fields are asked with the accessor the routes use for
// that name (amount: money, quantity: optional_integer, answers: string_map, ...); any other key
// of the body is asked with an accessor chosen by the selector byte and the key's position.
//
// Properties:
// - parsing and every accessor answer a value or an Error; nothing throws or crashes.
// - every refusal is invalid_argument with a sentence, names the field when a field is at fault,
//   and renders as a 400 problem document that is valid JSON with `errors[field]`.
// - what is accepted keeps its promise: strings within their byte limit (required ones not
//   empty), positive money (zero allowed for amounts) at most the API maximum that formats and
//   parses back, integers within [min, max], times and dates that format and parse back, lists
//   and maps within their item limits.
// - `finish()` refuses a body with a field nobody asked for (naming one of them) and accepts it
//   once every field has been asked for.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "events/timestamp.h"
#include "http/error_response.h"
#include "http/json_fields.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ledger::Errc;
using ledger::Error;
using ledger::Money;
using ledger::http::JsonFields;

enum class Accessor {
  string,
  optional_string,
  money,
  optional_money,
  optional_amount,
  boolean,
  optional_boolean,
  integer,
  optional_integer,
  choice,
  optional_time,
  date,
  string_list,
  string_map,
};
constexpr int kAccessorCount = 14;

struct FieldRead {
  std::string_view name;
  Accessor accessor;
};

// The fields the routes read and how (http/routes/*.cpp).
constexpr FieldRead kRouteFields[] = {
    {"amount", Accessor::money},
    {"price", Accessor::optional_money},
    {"spend", Accessor::optional_amount},
    {"is_active", Accessor::boolean},
    {"is_free", Accessor::optional_boolean},
    {"usage_limit", Accessor::integer},
    {"quantity", Accessor::optional_integer},
    {"payment_method", Accessor::choice},
    {"expires_at", Accessor::optional_time},
    {"due_date", Accessor::date},
    {"content_ids", Accessor::string_list},
    {"answers", Accessor::string_map},
    {"email", Accessor::string},
    {"description", Accessor::optional_string},
};

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

// A refusal must be a clean input error that renders as a valid problem document.
void check_refusal(const Error& error, std::string_view field) {
  FUZZ_CHECK(error.code == Errc::invalid_argument, "refusal of " + in_quotes(field) + " is " +
                                                       std::string(ledger::errc_name(error.code)));
  FUZZ_CHECK(!error.message.empty(), "a refusal without a sentence");
  FUZZ_CHECK(error.field == field,
             "refusal names " + in_quotes(error.field) + ", not " + in_quotes(field));
  ledger::http::Request request;
  request.version(11);
  const auto response = ledger::http::error_response(request, error);
  FUZZ_CHECK(response.result() == ledger::http::beast_http::status::bad_request, "not a 400");
  const auto body = nlohmann::json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(body.is_object(), "the problem document is not a JSON object: " + response.body());
  if (!field.empty()) {
    FUZZ_CHECK(body.contains("errors") && body["errors"].contains(std::string(field)),
               "the problem document does not name the field: " + response.body());
  }
}

template <class T>
bool accepted(const ledger::Result<T>& result, std::string_view field) {
  if (!result) check_refusal(result.error(), field);
  return result.ok();
}

void check_money(Money amount, bool zero_allowed) {
  FUZZ_CHECK(zero_allowed ? !amount.is_negative() : amount.is_positive(), amount.format());
  FUZZ_CHECK(amount.minor() <= Money::kApiAmountMinorMax, amount.format());
  const auto again = Money::parse(amount.format());
  FUZZ_CHECK(again.ok() && *again == amount, amount.format() + " does not parse back");
}

void check_time(std::int64_t microseconds) {
  const std::string text = ledger::events::format_rfc3339(microseconds);
  const auto again = ledger::events::parse_rfc3339(text);
  FUZZ_CHECK(again.has_value() && *again == microseconds, text + " does not parse back");
}

void check_date(std::int64_t microseconds) {
  FUZZ_CHECK(microseconds % ledger::kMicrosPerDay == 0, "a date that is not midnight UTC");
  const std::string text = ledger::events::format_date(microseconds);
  const auto again = ledger::events::parse_date(text);
  FUZZ_CHECK(again.has_value() && *again == microseconds, text + " does not parse back");
}

void read_field(JsonFields& fields, std::string_view name, Accessor accessor) {
  constexpr std::size_t kBytesMax = 200;
  switch (accessor) {
    case Accessor::string: {
      auto value = fields.string(name, kBytesMax);
      if (accepted(value, name)) FUZZ_CHECK(!value->empty() && value->size() <= kBytesMax, *value);
      break;
    }
    case Accessor::optional_string: {
      auto value = fields.optional_string(name, kBytesMax);
      if (accepted(value, name) && value->has_value()) {
        FUZZ_CHECK((*value)->size() <= kBytesMax, "string over its limit");
      }
      break;
    }
    case Accessor::money: {
      auto value = fields.money(name);
      if (accepted(value, name)) check_money(*value, /*zero_allowed=*/false);
      break;
    }
    case Accessor::optional_money: {
      auto value = fields.optional_money(name);
      if (accepted(value, name) && value->has_value()) check_money(**value, false);
      break;
    }
    case Accessor::optional_amount: {
      auto value = fields.optional_amount(name);
      if (accepted(value, name) && value->has_value()) check_money(**value, true);
      break;
    }
    case Accessor::boolean:
      accepted(fields.boolean(name), name);
      break;
    case Accessor::optional_boolean:
      accepted(fields.optional_boolean(name), name);
      break;
    case Accessor::integer: {
      auto value = fields.integer(name, 1, 1'000'000);
      if (accepted(value, name)) FUZZ_CHECK(*value >= 1 && *value <= 1'000'000, "out of range");
      break;
    }
    case Accessor::optional_integer: {
      // The widest range a route asks for, so that INT64_MAX is a limit too.
      auto value = fields.optional_integer(name, -5, INT64_MAX);
      if (accepted(value, name) && value->has_value()) FUZZ_CHECK(**value >= -5, "out of range");
      break;
    }
    case Accessor::choice: {
      auto value = fields.choice(name, {"wallet", "paypal", "card"});
      if (accepted(value, name)) {
        FUZZ_CHECK(*value == "wallet" || *value == "paypal" || *value == "card", *value);
      }
      break;
    }
    case Accessor::optional_time: {
      auto value = fields.optional_time(name);
      if (accepted(value, name) && value->has_value()) check_time(**value);
      break;
    }
    case Accessor::date: {
      auto value = fields.date(name);
      if (accepted(value, name)) check_date(*value);
      break;
    }
    case Accessor::string_list: {
      auto value = fields.string_list(name, 100, 64);
      if (accepted(value, name)) {
        FUZZ_CHECK(value->size() <= 100, "list over its limit");
        for (const auto& item : *value) FUZZ_CHECK(item.size() <= 64, "item over its limit");
      }
      break;
    }
    case Accessor::string_map: {
      auto value = fields.string_map(name, 50, 2000);
      if (accepted(value, name)) {
        FUZZ_CHECK(value->size() <= 50, "map over its limit");
        for (const auto& [key, item] : *value) FUZZ_CHECK(item.size() <= 2000, key);
      }
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int selector = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto parsed = JsonFields::parse(body);
  if (!parsed) {
    check_refusal(parsed.error(), "");
    return 0;
  }
  FUZZ_CHECK(parsed->raw().is_object(), "parse accepted something other than an object");

  // Nothing asked yet: finish() refuses exactly the bodies that have fields.
  const auto untouched = parsed->finish();
  FUZZ_CHECK(untouched.ok() == parsed->raw().empty(), "finish() before any field was asked");
  if (!untouched) {
    check_refusal(untouched.error(), untouched.error().field);
    FUZZ_CHECK(parsed->raw().contains(untouched.error().field), "finish() names a field not sent");
  }

  JsonFields fields = std::move(parsed).value();
  for (const auto& read : kRouteFields) read_field(fields, read.name, read.accessor);
  std::vector<std::string> keys;
  for (const auto& [key, value] : fields.raw().items()) keys.push_back(key);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto accessor = static_cast<Accessor>((selector + i) % kAccessorCount);
    read_field(fields, keys[i], accessor);
  }
  const auto finished = fields.finish();
  FUZZ_CHECK(finished.ok(), "finish() refuses a body whose every field was asked for");
  return 0;
}
