#include "core/domain/captured_payment.h"

#include "core/assert.h"

namespace ledger::domain {

std::string payment_mismatch_stream(std::string_view payment_id) {
  return "payment-mismatch:" + std::string(payment_id);
}

bool capture_matches(const ExpectedPayment& expected, const CapturedPayment& captured) {
  return captured.amount == expected.amount && captured.currency == kLedgerCurrency;
}

Result<events::PaymentAmountMismatched> record_amount_mismatch(UnitOfWork& uow,
                                                               const ExpectedPayment& expected,
                                                               const CapturedPayment& captured) {
  LEDGER_ASSERT(!capture_matches(expected, captured), "only a mismatch is recorded");
  events::PaymentAmountMismatched mismatch;
  mismatch.set_payment_kind(expected.kind);
  mismatch.set_payment_id(expected.id);
  mismatch.set_user_id(expected.user_id.str());
  mismatch.set_expected_minor(expected.amount.minor());
  mismatch.set_expected_currency(std::string(kLedgerCurrency));
  mismatch.set_captured_minor(captured.amount.minor());
  mismatch.set_captured_currency(captured.currency);
  mismatch.set_provider_reference(captured.provider_reference);
  if (auto emitted = uow.emit(payment_mismatch_stream(expected.id), mismatch); !emitted) {
    return std::move(emitted).error();
  }
  return mismatch;
}

}  // namespace ledger::domain
