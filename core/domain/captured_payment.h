// Captured payments: what the payment provider reports it took for a pending top-up or course
// purchase, and the rule every provider confirmation goes through.
//
// Rule: the captured amount and currency must be exactly the payment's (the ledger's currency is
// USD). A capture that differs is not credited on the provider's word: it is recorded as
// PaymentAmountMismatched on stream "payment-mismatch:<payment id>" (no postings, visible to
// finance in the log) and the payment stays pending.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/wallet_events.pb.h"

namespace ledger::domain {

inline constexpr std::string_view kLedgerCurrency = "USD";
inline constexpr std::string_view kPaymentProvider = "payment-provider";

// What the provider says it captured.
struct CapturedPayment {
  Money amount;
  std::string currency;
  std::string provider_reference;
};

// The pending payment a capture is for.
struct ExpectedPayment {
  std::string kind;  // "topup" or "course_purchase"
  std::string id;
  UserId user_id;
  Money amount;
};

std::string payment_mismatch_stream(std::string_view payment_id);

// Pure: does `captured` pay exactly `expected`, in the ledger's currency?
bool capture_matches(const ExpectedPayment& expected, const CapturedPayment& captured);

// Emits PaymentAmountMismatched for a capture that does not match `expected` (asserted).
Result<events::PaymentAmountMismatched> record_amount_mismatch(UnitOfWork& uow,
                                                               const ExpectedPayment& expected,
                                                               const CapturedPayment& captured);

}  // namespace ledger::domain
