// Wallets: top-ups, payments, holds and auto-recharge — the deciders every money command of a
// client's wallet goes through.
//
// Rules (each refused command writes nothing):
// - A wallet never goes below zero: a debit needs amount <= available = balance - open holds
//   (insufficient_funds otherwise); a payment of exactly the available balance succeeds.
// - Top-ups are two-phase: requested (pending, nothing moves), then confirmed once (clearing ->
//   wallet) or failed once. Confirming a confirmed top-up is already_confirmed, a failed one
//   already_failed; failing a settled one likewise. The payment provider's confirmation carries
//   what it captured: a different amount or currency credits nothing, is recorded
//   (PaymentAmountMismatched, see captured_payment.h) and leaves the top-up pending.
// - Holds reserve part of the available balance for a purpose. Posting spends up to what is left
//   (hold_exceeded beyond it) into revenue:<service>; voiding releases what is left; a hold past
//   its deadline is expired. Posting to or voiding a hold that is no longer open is hold_not_open.
// - Auto-recharge (threshold >= 5.00, amount >= 10.00): when a debit leaves the balance below an
//   enabled threshold and no auto-recharge top-up is pending, exactly one pending top-up of the
//   recharge amount is requested in the same commit, with id "<transaction_id>-auto-recharge".
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "wallets" and "accounts"
// folds (wallets_fold.h, posting_fold.h). Ids and times come in the command or from uow.now_us():
// given the same state and command, the same events.
#pragma once

#include <string>

#include "core/domain/captured_payment.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/wallet_events.pb.h"
#include "events/wallet_state.pb.h"

namespace ledger::domain {

inline constexpr Money kAutoRechargeThresholdMin = Money::from_minor(500);
inline constexpr Money kAutoRechargeAmountMin = Money::from_minor(1000);

std::string wallet_stream(std::string_view user_id);

// --- primitives shared by every money command -------------------------------------------------

struct WalletCredit {
  UserId user_id;
  TransactionId transaction_id;
  Money amount;
  std::string source;  // "topup", "redeem_code", "refund", ...
  std::string reference;
  std::string description;
  std::string counter_account;  // where the money comes from
};
// Credits the wallet (counter_account -> wallet). Refuses only on overflow.
Result<events::WalletCredited> credit_wallet(UnitOfWork& uow, const WalletCredit& credit);

struct WalletDebit {
  UserId user_id;
  TransactionId transaction_id;
  Money amount;
  std::string source;            // "payment", "course_purchase", "invoice", "hold", ...
  std::string paid_for_service;  // revenue:<service> receives the money
  std::string reference;
  std::string description;
};
// Debits the wallet (wallet -> revenue:<service>) when the available balance covers it, then
// applies the auto-recharge rule.
Result<events::WalletDebited> debit_wallet(UnitOfWork& uow, const WalletDebit& debit);

// --- commands ----------------------------------------------------------------------------------

struct RequestTopUp {
  UserId user_id;
  TopUpId topup_id;
  Money amount;
  std::string payment_method;  // "paypal" or "card"
};
Result<events::TopUpRequested> request_topup(UnitOfWork& uow, const RequestTopUp& command);

struct ConfirmTopUp {
  TopUpId topup_id;
  std::string provider_reference;
  ActorId confirmed_by;          // admin user id or "payment-provider"
  TransactionId transaction_id;  // id of the wallet credit
};
Result<events::WalletCredited> confirm_topup(UnitOfWork& uow, const ConfirmTopUp& command);

struct ConfirmTopUpPayment {
  TopUpId topup_id;
  CapturedPayment captured;
  TransactionId transaction_id;  // id of the wallet credit
};
// The payment provider's confirmation. A capture of exactly the top-up's amount in USD confirms
// it as confirm_topup does (answer.credited, confirmed by "payment-provider"); any other capture
// records PaymentAmountMismatched and credits nothing (answer.mismatch, the top-up stays
// pending). not_found, already_confirmed and already_failed as confirm_topup.
Result<events::TopUpPaymentAnswer> confirm_topup_payment(UnitOfWork& uow,
                                                         const ConfirmTopUpPayment& command);

struct FailTopUp {
  TopUpId topup_id;
  std::string reason;
};
Result<events::TopUpFailed> fail_topup(UnitOfWork& uow, const FailTopUp& command);

using PayFromWallet = WalletDebit;  // source "payment"
Result<events::WalletDebited> pay_from_wallet(UnitOfWork& uow, const PayFromWallet& command);

struct PlaceHold {
  HoldId hold_id;
  UserId user_id;
  Money amount;
  std::string purpose;
  std::string service;
  std::int64_t expires_at_us = 0;  // 0: no deadline
};
Result<events::HoldState> place_hold(UnitOfWork& uow, const PlaceHold& command);

// The hold's row (not_found when there is none).
Result<events::HoldState> load_hold(UnitOfWork& uow, const HoldId& hold_id);

struct PostHold {
  HoldId hold_id;
  Money amount;
  TransactionId transaction_id;
  std::string description;
};
Result<events::WalletDebited> post_hold(UnitOfWork& uow, const PostHold& command);

struct VoidHold {
  HoldId hold_id;
};
Result<events::HoldState> void_hold(UnitOfWork& uow, const VoidHold& command);

// Expires the hold if its deadline has passed (a no-op answer otherwise). Time-driven: the
// server's timer submits it for holds whose deadline it saw pass.
struct ExpireHold {
  HoldId hold_id;
};
Result<events::HoldState> expire_hold(UnitOfWork& uow, const ExpireHold& command);

struct ConfigureAutoRecharge {
  UserId user_id;
  Money threshold;
  Money recharge_amount;
  std::string payment_method;
};
Result<events::AutoRechargeState> configure_auto_recharge(UnitOfWork& uow,
                                                          const ConfigureAutoRecharge& command);

struct DisableAutoRecharge {
  UserId user_id;
};
Result<events::AutoRechargeState> disable_auto_recharge(UnitOfWork& uow,
                                                        const DisableAutoRecharge& command);

// Requests the recharge top-up now (answers the pending one if there is one).
struct TriggerAutoRecharge {
  UserId user_id;
  TopUpId topup_id;
};
Result<events::TopUpState> trigger_auto_recharge(UnitOfWork& uow,
                                                 const TriggerAutoRecharge& command);

// --- reads -------------------------------------------------------------------------------------

struct Affordability {
  bool can_afford = false;
  Money balance;
  Money available;
  Money shortfall;  // how much is missing from the available balance (zero when affordable)
  bool auto_recharge_would_cover = false;
};
// Pure: can a wallet with this balance and state pay `amount` now?
Affordability affordability(Money balance, const events::WalletState& wallet, Money amount);

}  // namespace ledger::domain
