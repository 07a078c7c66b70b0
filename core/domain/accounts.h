// The chart of accounts and the services money can be paid for.
//
//   wallet:<user_id>       a client's money (positive = the client has money)
//   revenue:<service>      what the platform earned per service
//   promo:redeem-codes     the counterpart of money given away with redeem codes (goes negative)
//   clearing:<provider>    money received from a payment provider (goes negative)
//   refunds                the counterpart of refunds (goes negative)
// Postings are signed changes of these balances; the postings of every event sum to zero.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger::domain {

inline constexpr std::string_view kWalletPrefix = "wallet:";
inline constexpr std::string_view kRevenuePrefix = "revenue:";
inline constexpr std::string_view kClearingPrefix = "clearing:";
inline constexpr std::string_view kPromoRedeemCodes = "promo:redeem-codes";
inline constexpr std::string_view kRefunds = "refunds";

std::string wallet_account(std::string_view user_id);
std::string revenue_account(std::string_view service);
std::string clearing_account(std::string_view payment_provider);

bool is_wallet_account(std::string_view account);

// Services the platform sells; money is paid "for" one of them.
std::span<const std::string_view> known_services();
// Ok for a known service; invalid_argument naming `field` otherwise.
Status validate_service(std::string_view service, std::string_view field = "service");

// Payment methods that can fund a top-up ("paypal", "card").
Status validate_topup_method(std::string_view method, std::string_view field = "payment_method");

}  // namespace ledger::domain
