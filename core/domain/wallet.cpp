#include "core/domain/wallet.h"

#include <fmt/format.h>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "core/domain/validation.h"
#include "core/domain/wallets_fold.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

Result<events::WalletState> load_wallet(UnitOfWork& uow, std::string_view user_id) {
  auto row = uow.load<events::WalletState>(kWalletsKeyspace, wallet_key(user_id));
  if (!row) return std::move(row).error();
  if (row->has_value()) return std::move(**row);
  events::WalletState fresh;
  fresh.set_user_id(std::string(user_id));
  return fresh;
}

Result<events::TopUpState> load_topup(UnitOfWork& uow, std::string_view topup_id) {
  auto row = uow.load<events::TopUpState>(kWalletsKeyspace, topup_key(topup_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("no top-up {}", topup_id));
  }
  return std::move(**row);
}

bool hold_is_open(const events::HoldState& hold, std::int64_t now_us) {
  return hold.status() == events::HOLD_STATUS_OPEN &&
         (hold.expires_at_us() == 0 || hold.expires_at_us() > now_us);
}

// Emits TopUpRequested (the fold opens the top-up row, and marks an auto-recharge one pending on
// the wallet's rule); shared by clients and the auto-recharge rule.
Result<events::TopUpState> open_topup(UnitOfWork& uow, const RequestTopUp& command,
                                      bool auto_recharge) {
  if (auto unused =
          uow.require_unused(command.topup_id, kWalletsKeyspace, topup_key(command.topup_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::TopUpRequested requested;
  requested.set_topup_id(command.topup_id.str());
  requested.set_user_id(command.user_id.str());
  requested.set_amount_minor(command.amount.minor());
  requested.set_payment_method(command.payment_method);
  requested.set_auto_recharge(auto_recharge);
  if (auto emitted = uow.emit("topup:" + command.topup_id.str(), requested); !emitted) {
    return std::move(emitted).error();
  }
  return load_topup(uow, command.topup_id.str());
}

// After a debit: request one auto-recharge top-up when the balance fell below the threshold.
Status apply_auto_recharge_rule(UnitOfWork& uow, std::string_view user_id, Money balance_after,
                                std::string_view transaction_id) {
  auto wallet = load_wallet(uow, user_id);
  if (!wallet) return std::move(wallet).error();
  const auto& rule = wallet->auto_recharge();
  if (!rule.is_enabled() || !rule.pending_topup_id().empty() ||
      balance_after >= Money::from_minor(rule.threshold_minor())) {
    return {};
  }
  RequestTopUp request{UserId{user_id}, TopUpId{std::string(transaction_id) + "-auto-recharge"},
                       Money::from_minor(rule.recharge_minor()), rule.payment_method()};
  auto topup = open_topup(uow, request, /*auto_recharge=*/true);
  if (!topup) return std::move(topup).error();
  return {};
}

}  // namespace

std::string wallet_stream(std::string_view user_id) { return "wallet:" + std::string(user_id); }

Result<events::WalletCredited> credit_wallet(UnitOfWork& uow, const WalletCredit& credit) {
  if (auto valid = require_positive(credit.amount); !valid) return std::move(valid).error();
  const std::string account = wallet_account(credit.user_id.str());
  auto balance = uow.balance(account);
  if (!balance) return std::move(balance).error();
  auto after = balance->checked_add(credit.amount);
  if (!after) return std::move(after).error();

  events::WalletCredited credited;
  credited.set_transaction_id(credit.transaction_id.str());
  credited.set_user_id(credit.user_id.str());
  credited.set_amount_minor(credit.amount.minor());
  credited.set_source(credit.source);
  credited.set_reference(credit.reference);
  credited.set_description(credit.description);
  credited.set_balance_after_minor(after->minor());
  *credited.add_postings() = posting(account, credit.amount);
  *credited.add_postings() = posting(credit.counter_account, -credit.amount);
  if (auto emitted = uow.emit(wallet_stream(credit.user_id.str()), credited); !emitted) {
    return std::move(emitted).error();
  }
  return credited;
}

Result<events::WalletDebited> debit_wallet(UnitOfWork& uow, const WalletDebit& debit) {
  if (auto valid = require_positive(debit.amount); !valid) return std::move(valid).error();
  if (auto valid = validate_service(debit.paid_for_service); !valid) {
    return std::move(valid).error();
  }
  const std::string account = wallet_account(debit.user_id.str());
  auto balance = uow.balance(account);
  if (!balance) return std::move(balance).error();
  auto wallet = load_wallet(uow, debit.user_id.str());
  if (!wallet) return std::move(wallet).error();
  const Money available = *balance - Money::from_minor(wallet->held_minor());
  if (debit.amount > available) {
    return make_error(Errc::insufficient_funds,
                      fmt::format("the wallet has {} available, {} is needed", available.format(),
                                  debit.amount.format()),
                      "amount");
  }
  const Money after = *balance - debit.amount;

  events::WalletDebited debited;
  debited.set_transaction_id(debit.transaction_id.str());
  debited.set_user_id(debit.user_id.str());
  debited.set_amount_minor(debit.amount.minor());
  debited.set_source(debit.source);
  debited.set_paid_for_service(debit.paid_for_service);
  debited.set_reference(debit.reference);
  debited.set_description(debit.description);
  debited.set_balance_after_minor(after.minor());
  *debited.add_postings() = posting(account, -debit.amount);
  *debited.add_postings() = posting(revenue_account(debit.paid_for_service), debit.amount);
  if (auto emitted = uow.emit(wallet_stream(debit.user_id.str()), debited); !emitted) {
    return std::move(emitted).error();
  }
  if (auto rule =
          apply_auto_recharge_rule(uow, debit.user_id.str(), after, debit.transaction_id.str());
      !rule) {
    return std::move(rule).error();
  }
  return debited;
}

Result<events::TopUpRequested> request_topup(UnitOfWork& uow, const RequestTopUp& command) {
  if (auto valid = require_positive(command.amount); !valid) return std::move(valid).error();
  if (auto valid = validate_topup_method(command.payment_method); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.topup_id.str(), "topup_id"); !valid) {
    return std::move(valid).error();
  }
  auto state = open_topup(uow, command, /*auto_recharge=*/false);
  if (!state) return std::move(state).error();
  events::TopUpRequested requested;
  requested.set_topup_id(state->topup_id());
  requested.set_user_id(state->user_id());
  requested.set_amount_minor(state->amount_minor());
  requested.set_payment_method(state->payment_method());
  return requested;
}

namespace {

Status require_pending(const events::TopUpState& topup) {
  if (topup.status() == events::TOP_UP_STATUS_CONFIRMED) {
    return make_error(Errc::already_confirmed,
                      fmt::format("top-up {} is already confirmed", topup.topup_id()));
  }
  if (topup.status() == events::TOP_UP_STATUS_FAILED) {
    return make_error(Errc::already_failed,
                      fmt::format("top-up {} has already failed", topup.topup_id()));
  }
  return {};
}

}  // namespace

Result<events::WalletCredited> confirm_topup(UnitOfWork& uow, const ConfirmTopUp& command) {
  auto topup = load_topup(uow, command.topup_id.str());
  if (!topup) return std::move(topup).error();
  if (auto pending = require_pending(*topup); !pending) return std::move(pending).error();

  events::TopUpConfirmed confirmed;
  confirmed.set_topup_id(topup->topup_id());
  confirmed.set_user_id(topup->user_id());
  confirmed.set_amount_minor(topup->amount_minor());
  confirmed.set_provider_reference(command.provider_reference);
  confirmed.set_confirmed_by(command.confirmed_by.str());
  if (auto emitted = uow.emit("topup:" + topup->topup_id(), confirmed); !emitted) {
    return std::move(emitted).error();
  }
  auto credited = credit_wallet(
      uow, WalletCredit{UserId{topup->user_id()}, command.transaction_id,
                        Money::from_minor(topup->amount_minor()), "topup", topup->topup_id(),
                        fmt::format("Top-up via {}", topup->payment_method()),
                        clearing_account(topup->payment_method())});
  if (!credited) return std::move(credited).error();
  return credited;
}

Result<events::TopUpPaymentAnswer> confirm_topup_payment(UnitOfWork& uow,
                                                         const ConfirmTopUpPayment& command) {
  auto topup = load_topup(uow, command.topup_id.str());
  if (!topup) return std::move(topup).error();
  if (auto pending = require_pending(*topup); !pending) return std::move(pending).error();
  const ExpectedPayment expected{"topup", topup->topup_id(), UserId{topup->user_id()},
                                 Money::from_minor(topup->amount_minor())};
  events::TopUpPaymentAnswer answer;
  if (!capture_matches(expected, command.captured)) {
    auto mismatch = record_amount_mismatch(uow, expected, command.captured);
    if (!mismatch) return std::move(mismatch).error();
    *answer.mutable_mismatch() = std::move(*mismatch);
    return answer;
  }
  auto credited =
      confirm_topup(uow, ConfirmTopUp{command.topup_id, command.captured.provider_reference,
                                      ActorId{kPaymentProvider}, command.transaction_id});
  if (!credited) return std::move(credited).error();
  *answer.mutable_credited() = std::move(*credited);
  return answer;
}

Result<events::TopUpFailed> fail_topup(UnitOfWork& uow, const FailTopUp& command) {
  auto topup = load_topup(uow, command.topup_id.str());
  if (!topup) return std::move(topup).error();
  if (auto pending = require_pending(*topup); !pending) return std::move(pending).error();
  events::TopUpFailed failed;
  failed.set_topup_id(topup->topup_id());
  failed.set_user_id(topup->user_id());
  failed.set_reason(command.reason);
  if (auto emitted = uow.emit("topup:" + topup->topup_id(), failed); !emitted) {
    return std::move(emitted).error();
  }
  return failed;
}

Result<events::WalletDebited> pay_from_wallet(UnitOfWork& uow, const PayFromWallet& command) {
  WalletDebit debit = command;
  if (debit.source.empty()) debit.source = "payment";
  return debit_wallet(uow, debit);
}

Result<events::HoldState> load_hold(UnitOfWork& uow, const HoldId& hold_id) {
  auto row = uow.load<events::HoldState>(kWalletsKeyspace, hold_key(hold_id.str()));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, fmt::format("no hold {}", hold_id));
  return std::move(**row);
}

Result<events::HoldState> place_hold(UnitOfWork& uow, const PlaceHold& command) {
  if (auto valid = require_positive(command.amount); !valid) return std::move(valid).error();
  if (auto valid = require_id(command.hold_id.str(), "hold_id"); !valid)
    return std::move(valid).error();
  if (auto valid = validate_service(command.service); !valid) return std::move(valid).error();
  if (command.expires_at_us != 0 && command.expires_at_us <= uow.now_us()) {
    return make_error(Errc::invalid_argument, "a hold's deadline must be in the future",
                      "expires_at");
  }
  if (auto unused =
          uow.require_unused(command.hold_id, kWalletsKeyspace, hold_key(command.hold_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  auto balance = uow.balance(wallet_account(command.user_id.str()));
  if (!balance) return std::move(balance).error();
  auto wallet = load_wallet(uow, command.user_id.str());
  if (!wallet) return std::move(wallet).error();
  const Money available = *balance - Money::from_minor(wallet->held_minor());
  if (command.amount > available) {
    return make_error(Errc::insufficient_funds,
                      fmt::format("the wallet has {} available, {} is needed", available.format(),
                                  command.amount.format()),
                      "amount");
  }
  events::HoldPlaced placed;
  placed.set_hold_id(command.hold_id.str());
  placed.set_user_id(command.user_id.str());
  placed.set_amount_minor(command.amount.minor());
  placed.set_purpose(command.purpose);
  placed.set_service(command.service);
  placed.set_expires_at_us(command.expires_at_us);
  if (auto emitted = uow.emit("hold:" + command.hold_id.str(), placed); !emitted) {
    return std::move(emitted).error();
  }
  return load_hold(uow, command.hold_id);
}

namespace {

Status require_open(const events::HoldState& hold, std::int64_t now_us) {
  if (hold_is_open(hold, now_us)) return {};
  // An open hold past its expiry is expired, whether or not the sweeper has closed it yet.
  const events::HoldStatus status =
      hold.status() == events::HOLD_STATUS_OPEN ? events::HOLD_STATUS_EXPIRED : hold.status();
  return make_error(Errc::hold_not_open,
                    fmt::format("hold {} is {}", hold.hold_id(), events::enum_name(status)));
}

// Voids what is left of an open hold, which ends `ended` (voided or expired: the event's reason
// is that status's name).
Result<events::HoldState> close_hold(UnitOfWork& uow, const events::HoldState& hold,
                                     events::HoldStatus ended) {
  const Money released = Money::from_minor(hold.remaining_minor());
  events::HoldVoided voided;
  voided.set_hold_id(hold.hold_id());
  voided.set_user_id(hold.user_id());
  voided.set_released_minor(released.minor());
  voided.set_reason(std::string(events::enum_name(ended)));
  if (auto emitted = uow.emit("hold:" + hold.hold_id(), voided); !emitted) {
    return std::move(emitted).error();
  }
  return load_hold(uow, HoldId{hold.hold_id()});
}

}  // namespace

Result<events::WalletDebited> post_hold(UnitOfWork& uow, const PostHold& command) {
  if (auto valid = require_positive(command.amount); !valid) return std::move(valid).error();
  auto hold = load_hold(uow, command.hold_id);
  if (!hold) return std::move(hold).error();
  if (auto open = require_open(*hold, uow.now_us()); !open) return std::move(open).error();
  const Money remaining = Money::from_minor(hold->remaining_minor());
  if (command.amount > remaining) {
    return make_error(Errc::hold_exceeded,
                      fmt::format("hold {} has {} left, {} was asked", hold->hold_id(),
                                  remaining.format(), command.amount.format()),
                      "amount");
  }
  const Money left = remaining - command.amount;
  // The money leaves the hold first (HoldPosted releases it), so the debit finds it available.
  events::HoldPosted posted;
  posted.set_hold_id(hold->hold_id());
  posted.set_user_id(hold->user_id());
  posted.set_amount_minor(command.amount.minor());
  posted.set_remaining_minor(left.minor());
  if (auto emitted = uow.emit("hold:" + hold->hold_id(), posted); !emitted) {
    return std::move(emitted).error();
  }
  auto debited =
      debit_wallet(uow, WalletDebit{UserId{hold->user_id()}, command.transaction_id, command.amount,
                                    "hold", hold->service(), hold->purpose(), command.description});
  LEDGER_ASSERT(debited.ok() || debited.error().code != Errc::insufficient_funds,
                "held money must be available to post");
  if (!debited) return std::move(debited).error();
  return debited;
}

Result<events::HoldState> void_hold(UnitOfWork& uow, const VoidHold& command) {
  auto hold = load_hold(uow, command.hold_id);
  if (!hold) return std::move(hold).error();
  if (auto open = require_open(*hold, uow.now_us()); !open) return std::move(open).error();
  return close_hold(uow, std::move(hold).value(), events::HOLD_STATUS_VOIDED);
}

Result<events::HoldState> expire_hold(UnitOfWork& uow, const ExpireHold& command) {
  auto hold = load_hold(uow, command.hold_id);
  if (!hold) return std::move(hold).error();
  if (hold->status() != events::HOLD_STATUS_OPEN || hold->expires_at_us() == 0 ||
      hold->expires_at_us() > uow.now_us()) {
    return hold;  // nothing to do: still running, or already closed
  }
  return close_hold(uow, std::move(hold).value(), events::HOLD_STATUS_EXPIRED);
}

Result<events::AutoRechargeState> configure_auto_recharge(UnitOfWork& uow,
                                                          const ConfigureAutoRecharge& command) {
  if (command.threshold < kAutoRechargeThresholdMin) {
    return make_error(Errc::invalid_argument, "threshold_amount must be at least 5.00",
                      "threshold_amount");
  }
  if (command.recharge_amount < kAutoRechargeAmountMin) {
    return make_error(Errc::invalid_argument, "recharge_amount must be at least 10.00",
                      "recharge_amount");
  }
  if (auto valid = validate_topup_method(command.payment_method); !valid) {
    return std::move(valid).error();
  }
  auto wallet = load_wallet(uow, command.user_id.str());
  if (!wallet) return std::move(wallet).error();
  events::AutoRechargeConfigured configured;
  configured.set_user_id(command.user_id.str());
  configured.set_threshold_minor(command.threshold.minor());
  configured.set_recharge_minor(command.recharge_amount.minor());
  configured.set_payment_method(command.payment_method);
  if (auto emitted = uow.emit("auto-recharge:" + command.user_id.str(), configured); !emitted) {
    return std::move(emitted).error();
  }
  auto configured_wallet = load_wallet(uow, command.user_id.str());
  if (!configured_wallet) return std::move(configured_wallet).error();
  return configured_wallet->auto_recharge();
}

Result<events::AutoRechargeState> disable_auto_recharge(UnitOfWork& uow,
                                                        const DisableAutoRecharge& command) {
  auto wallet = load_wallet(uow, command.user_id.str());
  if (!wallet) return std::move(wallet).error();
  if (!wallet->auto_recharge().is_enabled()) return wallet->auto_recharge();  // already off
  events::AutoRechargeDisabled disabled;
  disabled.set_user_id(command.user_id.str());
  if (auto emitted = uow.emit("auto-recharge:" + command.user_id.str(), disabled); !emitted) {
    return std::move(emitted).error();
  }
  auto disabled_wallet = load_wallet(uow, command.user_id.str());
  if (!disabled_wallet) return std::move(disabled_wallet).error();
  return disabled_wallet->auto_recharge();
}

Result<events::TopUpState> trigger_auto_recharge(UnitOfWork& uow,
                                                 const TriggerAutoRecharge& command) {
  auto wallet = load_wallet(uow, command.user_id.str());
  if (!wallet) return std::move(wallet).error();
  const auto& rule = wallet->auto_recharge();
  if (!rule.is_enabled()) {
    return make_error(Errc::auto_recharge_disabled, "auto-recharge is not enabled");
  }
  if (!rule.pending_topup_id().empty()) return load_topup(uow, rule.pending_topup_id());
  auto topup =
      open_topup(uow,
                 RequestTopUp{command.user_id, command.topup_id,
                              Money::from_minor(rule.recharge_minor()), rule.payment_method()},
                 /*auto_recharge=*/true);
  if (!topup) return std::move(topup).error();
  return topup;
}

Affordability affordability(Money balance, const events::WalletState& wallet, Money amount) {
  Affordability answer;
  answer.balance = balance;
  answer.available = balance - Money::from_minor(wallet.held_minor());
  answer.can_afford = amount <= answer.available;
  answer.shortfall = answer.can_afford ? Money::zero() : amount - answer.available;
  const auto& rule = wallet.auto_recharge();
  answer.auto_recharge_would_cover = !answer.can_afford && rule.is_enabled() &&
                                     Money::from_minor(rule.recharge_minor()) >= answer.shortfall;
  return answer;
}

}  // namespace ledger::domain
