// Enum names: how a Protobuf enum value is spelled outside the store (the HTTP API's JSON, the
// events list, `ledger-audit` output, a client's `?status=` filter or `{"status": ...}` body).
//
// One rule for every enum: the value's name without its enum's prefix, in lower case. The
// prefix is the enum's name in UPPER_SNAKE_CASE and "_": `SUBSCRIPTION_STATUS_PAST_DUE` of
// `enum SubscriptionStatus` reads "past_due". Every enum of the schemas starts with
// `<PREFIX>UNSPECIFIED = 0`, the value of a field never set; it is never a valid status: it reads
// "" (what a status never set read when statuses were text) and no text parses as it.
//
// The .proto file is therefore the one table of names; there is no second table to keep in step.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/generated_enum_reflection.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::events {

// The names of `type`'s values, indexed by number; index 0 (UNSPECIFIED) is empty. Stops the
// process when the enum breaks the rules above (no UNSPECIFIED = 0, a gap in the numbers, a value
// without the prefix): a bug of the schema, found the first time the enum is named.
std::vector<std::string> enum_names_by_number(const google::protobuf::EnumDescriptor& type);

// Stops the process: `number` is unknown to `type` (no fold of this build writes one).
[[noreturn]] void unnamed_enum_value(const google::protobuf::EnumDescriptor& type, int number);

// The names of E's values by number, built once.
template <class E>
const std::vector<std::string>& enum_names_of() {
  static const std::vector<std::string> names =
      enum_names_by_number(*google::protobuf::GetEnumDescriptor<E>());
  return names;
}

// The name of `value`: "past_due" ("" for UNSPECIFIED).
template <class E>
std::string_view enum_name(E value) {
  const auto& names = enum_names_of<E>();
  const int number = static_cast<int>(value);
  if (number < 0 || static_cast<std::size_t>(number) >= names.size()) {
    unnamed_enum_value(*google::protobuf::GetEnumDescriptor<E>(), number);
  }
  return names[static_cast<std::size_t>(number)];
}

// The value named `name` ("past_due"), or nullopt for any other text.
template <class E>
std::optional<E> parse_enum(std::string_view name) {
  const auto& names = enum_names_of<E>();
  for (std::size_t number = 1; number < names.size(); ++number) {
    if (names[number] == name) return static_cast<E>(number);
  }
  return std::nullopt;
}

// Every name of E, in number order ("draft", "scheduled", ...): what a client may send.
template <class E>
std::vector<std::string> enum_names() {
  const auto& names = enum_names_of<E>();
  return std::vector<std::string>(names.begin() + 1, names.end());
}

// The same rule through reflection, for code that walks messages of any type (event_json.cpp):
// the name of `value` ("" for UNSPECIFIED), and the value of `type` named `name` (nullptr when
// none is).
std::string enum_value_name(const google::protobuf::EnumValueDescriptor& value);
const google::protobuf::EnumValueDescriptor* find_enum_value(
    const google::protobuf::EnumDescriptor& type, std::string_view name);

}  // namespace ledger::events
