#include "http/query_string.h"

#include <fmt/format.h>

#include "core/text_validation.h"

namespace ledger::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

}  // namespace

namespace {

// Calls `visit(name, value, has_value)` for each name=value pair of the target's query string, as
// sent (not decoded), until it answers false.
template <class Visit>
void for_each_query_pair(std::string_view target, Visit visit) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto equals = pair.find('=');
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    if (!visit(pair.substr(0, equals), value, equals != std::string_view::npos)) return;
  }
}

}  // namespace

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  std::optional<std::string> found;
  for_each_query_pair(target, [&](std::string_view key, std::string_view value, bool has_value) {
    if (key != name) return true;
    found = has_value ? percent_decode(value) : std::optional<std::string>(std::string());
    return false;
  });
  return found;
}

Status check_query(std::string_view target) {
  Status status;
  for_each_query_pair(target, [&](std::string_view raw_name, std::string_view raw_value,
                                  bool has_value) {
    const auto name = percent_decode(raw_name);
    if (!name || !check_text("a query parameter name", *name, TextKind::short_text)) {
      status = make_error(Errc::invalid_argument, "a query parameter name is malformed", "query");
      return false;
    }
    if (!has_value) return true;
    const auto value = percent_decode(raw_value);
    if (!value) {
      status = make_error(Errc::invalid_argument,
                          fmt::format("{} is not well-formed percent-encoding", *name), *name);
      return false;
    }
    status = check_text(*name, *value, TextKind::short_text);
    return status.ok();
  });
  return status;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 15]);
    }
  }
  return encoded;
}

}  // namespace ledger::http
