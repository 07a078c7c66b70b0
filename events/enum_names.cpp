#include "events/enum_names.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace ledger::events {
namespace {

// "SubscriptionStatus" -> "SUBSCRIPTION_STATUS_".
std::string prefix_of(const google::protobuf::EnumDescriptor& type) {
  std::string prefix;
  for (const char c : type.name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix += '_';
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return prefix + "_";
}

[[noreturn]] void broken_enum(const google::protobuf::EnumDescriptor& type, const char* why) {
  std::fprintf(stderr, "enum %s breaks the naming rule of events/enum_names.h: %s\n",
               type.full_name().c_str(), why);
  std::abort();
}

}  // namespace

std::vector<std::string> enum_names_by_number(const google::protobuf::EnumDescriptor& type) {
  const std::string prefix = prefix_of(type);
  std::vector<std::string> names(static_cast<std::size_t>(type.value_count()));
  for (int i = 0; i < type.value_count(); ++i) {
    const auto& value = *type.value(i);
    if (value.number() < 0 || value.number() >= type.value_count()) {
      broken_enum(type, "its numbers are not 0, 1, 2, ... without gaps");
    }
    if (!value.name().starts_with(prefix)) broken_enum(type, "a value lacks the enum's prefix");
    if ((value.number() == 0) != (value.name() == prefix + "UNSPECIFIED")) {
      broken_enum(type, "0 must be <PREFIX>UNSPECIFIED");
    }
    if (value.number() > 0)
      names[static_cast<std::size_t>(value.number())] = enum_value_name(value);
  }
  return names;
}

void unnamed_enum_value(const google::protobuf::EnumDescriptor& type, int number) {
  std::fprintf(stderr, "enum %s has no name for %d: a status was never set\n",
               type.full_name().c_str(), number);
  std::abort();
}

std::string enum_value_name(const google::protobuf::EnumValueDescriptor& value) {
  if (value.number() == 0) return "";
  std::string_view name = value.name();
  const std::string prefix = prefix_of(*value.type());
  if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

const google::protobuf::EnumValueDescriptor* find_enum_value(
    const google::protobuf::EnumDescriptor& type, std::string_view name) {
  if (name.empty()) return nullptr;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0 && enum_value_name(*type.value(i)) == name) {
      return type.value(i);
    }
  }
  return nullptr;
}

}  // namespace ledger::events
