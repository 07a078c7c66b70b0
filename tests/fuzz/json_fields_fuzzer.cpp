// Fuzzes the strict reader of JSON command bodies (http/json_fields.h), the way the routes use
// it: parse the body, ask for fields by name and type, then `finish()`.
//
// Input: one selector byte, then the body. The selector's top three bits choose the Content-Type
// the body is sent with (0: application/json; others: JSON with parameters, none, text/plain, a
// form, a foreign charset, ...). Fields are asked with the accessor the routes use for that name
// (amount: money, quantity: optional_integer, answers: string_map, settings: an object whose keys
// are asked in turn, ...); any other key of the body is asked with an accessor chosen by the
// selector byte and the key's position.
//
// Properties:
// - parsing and every accessor answer a value or an Error; nothing throws or crashes.
// - a body sent with any Content-Type but application/json (an empty body may come without one)
//   is refused 415, naming Content-Type; nothing else is ever 415.
// - every other refusal is invalid_argument with a sentence, names the field when a field is at
//   fault (a duplicated key names the key), and renders as a 400 problem document that is valid
//   JSON with `errors[field]`.
// - an accepted body has no NUL byte and no key twice in any object (checked by an independent
//   SAX reader).
// - accepted texts hold no control character (long texts: but newline, carriage return and tab)
//   and no bidirectional control, checked byte by byte here; required short texts are not blank.
// - what is accepted keeps its promise: strings within their byte limit (required ones not
//   empty), positive money (zero allowed for amounts) at most the API maximum that formats and
//   parses back, and money sent as a JSON number is exactly the number as written (its digits
//   read apart from JsonFields; a negative number or an exponent is never accepted), integers
//   within [min, max], times and dates that format and parse back, lists and maps within their
//   item limits; an object's keys keep the same promises.
// - `finish()` refuses a body with a field nobody asked for (naming one of them) and accepts it
//   once every field has been asked for.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
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
  optional_long_text,
  object,
};
constexpr int kAccessorCount = 16;

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
    {"name", Accessor::optional_string},
    {"description", Accessor::optional_long_text},
    {"settings", Accessor::object},
};

// The Content-Types the selector's top three bits choose; only the first three are JSON.
constexpr std::string_view kContentTypes[] = {
    "application/json",
    "Application/JSON; charset=UTF-8",
    " application/json ;v=1",
    "",
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/json; charset=latin1",
    "multipart/form-data; boundary=x",
};
constexpr std::size_t kJsonContentTypes = 3;

// Finds a key repeated within one object, at any depth, and the text of each number that is a
// field of the top-level object, independently of JsonFields.
class DuplicateKeyFinder : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  // Only a number with a minus sign and no fraction or exponent is read as a signed integer.
  bool number_integer(number_integer_t) override { return number("-"); }
  bool number_unsigned(number_unsigned_t value) override { return number(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return number(text); }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    open_.push_back('{');
    return true;
  }
  bool key(string_t& key) override {
    if (!keys_.back().insert(key).second && duplicate.empty()) duplicate = key;
    key_ = key;
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    open_.push_back('[');
    return true;
  }
  bool end_array() override {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  std::string duplicate;  // the first key found twice in one object
  // Top-level number fields: their text as written ("-" for a negative whole number).
  std::map<std::string, std::string> numbers;

 private:
  bool number(std::string text) {
    if (open_.size() == 1 && open_.back() == '{') numbers[key_] = std::move(text);
    return true;
  }

  std::vector<std::set<std::string>> keys_;
  std::vector<char> open_;
  std::string key_;
};

// The texts of the body's top-level numbers (set for each input, read by check_money).
const std::map<std::string, std::string>* g_numbers = nullptr;

// A byte-level reading of the text rules (core/text_validation.h), kept apart from the code.
bool clean_text(std::string_view text, bool long_text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    const auto third = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
    const bool line_break_or_tab = byte == '\n' || byte == '\r' || byte == '\t';
    if ((byte < 0x20 && !(long_text && line_break_or_tab)) || byte == 0x7f) return false;
    if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) return false;  // C1
    if (byte == 0xd8 && next == 0x9c) return false;                  // U+061C
    if (byte == 0xe2 && next == 0x80 &&
        (third == 0x8e || third == 0x8f || (third >= 0xaa && third <= 0xae))) {
      return false;
    }
    if (byte == 0xe2 && next == 0x81 && third >= 0xa6 && third <= 0xa9) return false;
  }
  return true;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

// A refusal must be a clean input error that renders as a valid problem document.
void check_refusal(const Error& error, std::string_view field) {
  if (error.code == Errc::unsupported_media_type) {
    FUZZ_CHECK(error.field == "Content-Type", "a 415 names " + in_quotes(error.field));
    FUZZ_CHECK(ledger::http::status_of(error.kind()) ==
                   ledger::http::beast_http::status::unsupported_media_type,
               "unsupported_media_type is not 415");
    return;
  }
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

// `sent`: the raw value of the field the amount was read from.
void check_money(Money amount, bool zero_allowed, const nlohmann::json& sent,
                 std::string_view name) {
  FUZZ_CHECK(zero_allowed ? !amount.is_negative() : amount.is_positive(), amount.format());
  if (sent.is_number()) {
    const auto text = g_numbers->find(std::string(name));
    FUZZ_CHECK(text != g_numbers->end(), "a number field the independent reader did not see");
    const std::string& literal = text->second;
    FUZZ_CHECK(literal.find_first_of("-eE") == std::string::npos,
               "money accepted from the number " + literal);
    // Digits, then at most two decimals: the amount in cents is the digits without the point.
    const auto point = literal.find('.');
    std::string cents = literal.substr(0, point);
    std::string fraction = point == std::string::npos ? "" : literal.substr(point + 1);
    FUZZ_CHECK(fraction.size() <= 2, "money accepted from the number " + literal);
    fraction.resize(2, '0');
    cents += fraction;
    FUZZ_CHECK(amount.minor() == std::stoll(cents),
               "money " + amount.format() + " read from the number " + literal);
  }
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

const nlohmann::json& sent(const JsonFields& fields, std::string_view name) {
  return fields.raw().at(std::string(name));
}

void read_field(JsonFields& fields, std::string_view name, Accessor accessor);

// An object field (http/request_fields.h): every key asked with an accessor chosen by its
// position, after which the object's own finish() accepts it.
void read_object(JsonFields& fields, std::string_view name) {
  auto value = fields.optional_object(name);
  if (!accepted(value, name) || !value->has_value()) return;
  JsonFields& object = **value;
  std::vector<std::string> keys;
  for (const auto& [key, item] : object.raw().items()) keys.push_back(key);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    read_field(object, keys[i], static_cast<Accessor>((i * 7 + 3) % kAccessorCount));
  }
  FUZZ_CHECK(object.finish().ok(), "finish() refuses an object whose every key was asked for");
}

void read_field(JsonFields& fields, std::string_view name, Accessor accessor) {
  constexpr std::size_t kBytesMax = 200;
  switch (accessor) {
    case Accessor::string: {
      auto value = fields.string(name, kBytesMax);
      if (accepted(value, name)) {
        FUZZ_CHECK(!blank(*value) && value->size() <= kBytesMax, *value);
        FUZZ_CHECK(clean_text(*value, false), "a short text with a control: " + *value);
      }
      break;
    }
    case Accessor::optional_string: {
      auto value = fields.optional_string(name, kBytesMax);
      if (accepted(value, name) && value->has_value()) {
        FUZZ_CHECK((*value)->size() <= kBytesMax, "string over its limit");
        FUZZ_CHECK(clean_text(**value, false), "a short text with a control: " + **value);
        FUZZ_CHECK((*value)->empty() || !blank(**value), "a blank short text");
      }
      break;
    }
    case Accessor::optional_long_text: {
      auto value = fields.optional_long_text(name, kBytesMax);
      if (accepted(value, name) && value->has_value()) {
        FUZZ_CHECK((*value)->size() <= kBytesMax, "text over its limit");
        FUZZ_CHECK(clean_text(**value, true), "a long text with a control: " + **value);
      }
      break;
    }
    case Accessor::money: {
      auto value = fields.money(name);
      if (accepted(value, name))
        check_money(*value, /*zero_allowed=*/false, sent(fields, name), name);
      break;
    }
    case Accessor::optional_money: {
      auto value = fields.optional_money(name);
      if (accepted(value, name) && value->has_value()) {
        check_money(**value, false, sent(fields, name), name);
      }
      break;
    }
    case Accessor::optional_amount: {
      auto value = fields.optional_amount(name);
      if (accepted(value, name) && value->has_value()) {
        check_money(**value, true, sent(fields, name), name);
      }
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
        for (const auto& item : *value) {
          FUZZ_CHECK(item.size() <= 64 && clean_text(item, false), "item: " + item);
        }
      }
      break;
    }
    case Accessor::string_map: {
      auto value = fields.string_map(name, 50, 2000);
      if (accepted(value, name)) {
        FUZZ_CHECK(value->size() <= 50, "map over its limit");
        for (const auto& [key, item] : *value) {
          FUZZ_CHECK(item.size() <= 2000 && clean_text(key, false) && clean_text(item, true), key);
        }
      }
      break;
    }
    case Accessor::object:
      read_object(fields, name);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int selector = data[0];
  const std::size_t content_type = static_cast<std::size_t>(selector) >> 5;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto parsed = JsonFields::parse_request_body(kContentTypes[content_type], body);
  const bool unsupported =
      content_type >= kJsonContentTypes && !(body.empty() && kContentTypes[content_type].empty());
  FUZZ_CHECK(unsupported == (!parsed && parsed.error().code == Errc::unsupported_media_type),
             "Content-Type " + in_quotes(kContentTypes[content_type]) + " answered wrongly");
  DuplicateKeyFinder finder;
  const bool well_formed = nlohmann::json::sax_parse(body, &finder);
  g_numbers = &finder.numbers;
  if (!parsed) {
    const Error& error = parsed.error();
    check_refusal(error, error.field);
    if (!unsupported && !error.field.empty()) {
      FUZZ_CHECK(error.field == finder.duplicate,
                 "a refusal names " + in_quotes(error.field) + ", which is not a duplicated key");
    }
    return 0;
  }
  FUZZ_CHECK(parsed->raw().is_object(), "parse accepted something other than an object");
  FUZZ_CHECK(body.find('\0') == std::string_view::npos, "a body with a NUL byte was accepted");
  FUZZ_CHECK(blank(body) || (well_formed && finder.duplicate.empty()),
             "a body with the key " + in_quotes(finder.duplicate) + " twice was accepted");

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
