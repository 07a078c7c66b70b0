#include "core/domain/accounts.h"

#include <fmt/format.h>
#include <array>

namespace ledger::domain {
namespace {

constexpr std::array<std::string_view, 4> kServices = {"marketing", "website", "courses",
                                                       "subscriptions"};

}  // namespace

std::string wallet_account(std::string_view user_id) {
  return std::string(kWalletPrefix) + std::string(user_id);
}

std::string revenue_account(std::string_view service) {
  return std::string(kRevenuePrefix) + std::string(service);
}

std::string clearing_account(std::string_view payment_provider) {
  return std::string(kClearingPrefix) + std::string(payment_provider);
}

bool is_wallet_account(std::string_view account) { return account.starts_with(kWalletPrefix); }

std::span<const std::string_view> known_services() { return kServices; }

Status validate_service(std::string_view service, std::string_view field) {
  for (auto known : kServices) {
    if (service == known) return {};
  }
  return make_error(
      Errc::invalid_argument,
      fmt::format("{} must be one of marketing, website, courses, subscriptions", field),
      std::string(field));
}

Status validate_topup_method(std::string_view method, std::string_view field) {
  if (method == "paypal" || method == "card") return {};
  return make_error(Errc::invalid_argument, fmt::format("{} must be paypal or card", field),
                    std::string(field));
}

}  // namespace ledger::domain
