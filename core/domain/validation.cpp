#include "core/domain/validation.h"

#include <fmt/format.h>

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

Status limit_text(std::string_view text, std::string_view field, std::size_t max_length) {
  if (text.size() <= max_length) return {};
  return make_error(Errc::invalid_argument,
                    fmt::format("{} is longer than {} characters", field, max_length),
                    std::string(field));
}

}  // namespace ledger::domain
