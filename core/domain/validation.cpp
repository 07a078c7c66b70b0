#include "core/domain/validation.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/domain/text_limits.h"

namespace ledger::domain {

Status require_positive(Money amount, std::string_view field) {
  if (amount.is_positive()) return {};
  return make_error(Errc::invalid_argument, fmt::format("{} must be greater than zero", field),
                    std::string(field));
}

Status require_id(std::string_view id, std::string_view field) {
  if (!id.empty()) return {};
  return make_error(Errc::invalid_argument, fmt::format("{} is required", field),
                    std::string(field));
}

Status require_text(std::string_view text, std::string_view field, std::size_t max_length) {
  if (text.empty()) {
    return make_error(Errc::invalid_argument, fmt::format("{} is required", field),
                      std::string(field));
  }
  return limit_text(text, field, max_length);
}

Status require_period_order(std::int64_t from, std::int64_t to, std::string_view from_field,
                            std::string_view to_field) {
  if (from <= to) return {};
  return make_error(Errc::invalid_argument,
                    fmt::format("{} must not be after {}", from_field, to_field),
                    std::string(from_field));
}

Status limit_text(std::string_view text, std::string_view field, std::size_t max_length) {
  if (text.size() <= max_length) return {};
  return make_error(Errc::invalid_argument,
                    fmt::format("{} is longer than {} characters", field, max_length),
                    std::string(field));
}

bool valid_web_url(std::string_view url) {
  if (url.size() > text_limits::kUrl) return false;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto host_end = rest.find_first_of("/?#");
  const std::string_view host = rest.substr(0, host_end);
  if (host.empty() || host.find('@') != std::string_view::npos) return false;
  return std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f &&
           c != '"' && c != '<' && c != '>' && c != '\\';
  });
}

}  // namespace ledger::domain
