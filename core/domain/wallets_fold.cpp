#include "core/domain/wallets_fold.h"

#include "core/domain/keyspaces.h"
#include "core/money.h"
#include "events/enum_names.h"
#include "events/wallet_events.pb.h"
#include "events/wallet_state.pb.h"

namespace ledger::domain {
namespace {

Result<events::WalletState> wallet_row(KeyspaceRows& rows, const std::string& user_id) {
  events::WalletState fresh;
  fresh.set_user_id(user_id);
  return rows.load_or(wallet_key(user_id), std::move(fresh));
}

// Adds `delta` to the wallet's held total; `holds_delta` (+1, 0, -1) opens or closes a hold.
Status change_held(KeyspaceRows& rows, const std::string& user_id, Money delta, int holds_delta) {
  auto wallet = wallet_row(rows, user_id);
  if (!wallet) return std::move(wallet).error();
  auto held = Money::from_minor(wallet->held_minor()).checked_add(delta);
  if (!held) return std::move(held).error();
  wallet->set_held_minor(held->minor());
  if (holds_delta > 0) wallet->set_open_holds(wallet->open_holds() + 1);
  if (holds_delta < 0 && wallet->open_holds() > 0) wallet->set_open_holds(wallet->open_holds() - 1);
  rows.save(wallet_key(user_id), *wallet);
  return {};
}

// A top-up settled: its row, and the wallet's auto-recharge rule when the rule requested it.
Status settle_topup(KeyspaceRows& rows, const FoldedEvent& event, const std::string& topup_id,
                    bool confirmed, const std::string& provider_reference) {
  auto topup = rows.load<events::TopUpState>(topup_key(topup_id));
  if (!topup) return std::move(topup).error();
  if (!topup->has_value()) return {};
  auto& state = **topup;
  state.set_status(confirmed ? events::TOP_UP_STATUS_CONFIRMED : events::TOP_UP_STATUS_FAILED);
  if (confirmed) state.set_provider_reference(provider_reference);
  state.set_settled_at_us(event.recorded_at_us);
  rows.save(topup_key(topup_id), state);
  if (!state.auto_recharge()) return {};

  auto wallet = wallet_row(rows, state.user_id());
  if (!wallet) return std::move(wallet).error();
  auto* rule = wallet->mutable_auto_recharge();
  if (rule->pending_topup_id() == topup_id) rule->clear_pending_topup_id();
  if (confirmed) {
    auto total = Money::from_minor(rule->total_recharged_minor())
                     .checked_add(Money::from_minor(state.amount_minor()));
    if (!total) return std::move(total).error();
    rule->set_total_recharges(rule->total_recharges() + 1);
    rule->set_total_recharged_minor(total->minor());
    rule->set_last_recharged_at_us(event.recorded_at_us);
  }
  rows.save(wallet_key(state.user_id()), *wallet);
  return {};
}

Status evolve_wallets(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* requested = event.as<events::TopUpRequested>()) {
    events::TopUpState topup;
    topup.set_topup_id(requested->topup_id());
    topup.set_user_id(requested->user_id());
    topup.set_amount_minor(requested->amount_minor());
    topup.set_payment_method(requested->payment_method());
    topup.set_status(events::TOP_UP_STATUS_PENDING);
    topup.set_auto_recharge(requested->auto_recharge());
    topup.set_requested_at_us(event.recorded_at_us);
    rows.save(topup_key(requested->topup_id()), topup);
    if (!requested->auto_recharge()) return {};
    auto wallet = wallet_row(rows, requested->user_id());
    if (!wallet) return std::move(wallet).error();
    wallet->mutable_auto_recharge()->set_pending_topup_id(requested->topup_id());
    rows.save(wallet_key(requested->user_id()), *wallet);
    return {};
  }
  if (const auto* confirmed = event.as<events::TopUpConfirmed>()) {
    return settle_topup(rows, event, confirmed->topup_id(), true, confirmed->provider_reference());
  }
  if (const auto* failed = event.as<events::TopUpFailed>()) {
    return settle_topup(rows, event, failed->topup_id(), false, {});
  }
  if (const auto* placed = event.as<events::HoldPlaced>()) {
    events::HoldState hold;
    hold.set_hold_id(placed->hold_id());
    hold.set_user_id(placed->user_id());
    hold.set_amount_minor(placed->amount_minor());
    hold.set_remaining_minor(placed->amount_minor());
    hold.set_purpose(placed->purpose());
    hold.set_service(placed->service());
    hold.set_expires_at_us(placed->expires_at_us());
    hold.set_status(events::HOLD_STATUS_OPEN);
    rows.save(hold_key(placed->hold_id()), hold);
    return change_held(rows, placed->user_id(), Money::from_minor(placed->amount_minor()), 1);
  }
  if (const auto* posted = event.as<events::HoldPosted>()) {
    auto hold = rows.load<events::HoldState>(hold_key(posted->hold_id()));
    if (!hold) return std::move(hold).error();
    if (hold->has_value()) {
      auto& state = **hold;
      auto total = Money::from_minor(state.posted_minor())
                       .checked_add(Money::from_minor(posted->amount_minor()));
      if (!total) return std::move(total).error();
      state.set_remaining_minor(posted->remaining_minor());
      state.set_posted_minor(total->minor());
      if (posted->remaining_minor() == 0) state.set_status(events::HOLD_STATUS_POSTED);
      rows.save(hold_key(posted->hold_id()), state);
    }
    return change_held(rows, posted->user_id(), -Money::from_minor(posted->amount_minor()),
                       posted->remaining_minor() == 0 ? -1 : 0);
  }
  if (const auto* voided = event.as<events::HoldVoided>()) {
    auto hold = rows.load<events::HoldState>(hold_key(voided->hold_id()));
    if (!hold) return std::move(hold).error();
    if (hold->has_value()) {
      auto& state = **hold;
      state.set_remaining_minor(0);
      // The reason is the name of the status the hold ends in, voided or expired
      // (core/domain/wallet.cpp); the fold is total, so any other text reads as a plain void.
      state.set_status(voided->reason() == events::enum_name(events::HOLD_STATUS_EXPIRED)
                           ? events::HOLD_STATUS_EXPIRED
                           : events::HOLD_STATUS_VOIDED);
      rows.save(hold_key(voided->hold_id()), state);
    }
    return change_held(rows, voided->user_id(), -Money::from_minor(voided->released_minor()), -1);
  }
  if (const auto* configured = event.as<events::AutoRechargeConfigured>()) {
    auto wallet = wallet_row(rows, configured->user_id());
    if (!wallet) return std::move(wallet).error();
    auto* rule = wallet->mutable_auto_recharge();
    rule->set_is_enabled(true);
    rule->set_threshold_minor(configured->threshold_minor());
    rule->set_recharge_minor(configured->recharge_minor());
    rule->set_payment_method(configured->payment_method());
    rows.save(wallet_key(configured->user_id()), *wallet);
    return {};
  }
  if (const auto* disabled = event.as<events::AutoRechargeDisabled>()) {
    auto wallet = wallet_row(rows, disabled->user_id());
    if (!wallet) return std::move(wallet).error();
    wallet->mutable_auto_recharge()->set_is_enabled(false);
    rows.save(wallet_key(disabled->user_id()), *wallet);
    return {};
  }
  return {};
}

}  // namespace

std::string wallet_key(std::string_view user_id) { return "wallet/" + std::string(user_id); }
std::string topup_key(std::string_view topup_id) { return "topup/" + std::string(topup_id); }
std::string hold_key(std::string_view hold_id) { return "hold/" + std::string(hold_id); }

InlineFold wallets_fold() {
  return InlineFold{
      .keyspace = kWalletsKeyspace,
      .version = 2,
      .description = "wallets (held total, open holds, auto-recharge rule), top-ups and holds",
      .events = {events::TopUpRequested::descriptor(), events::TopUpConfirmed::descriptor(),
                 events::TopUpFailed::descriptor(), events::HoldPlaced::descriptor(),
                 events::HoldPosted::descriptor(), events::HoldVoided::descriptor(),
                 events::AutoRechargeConfigured::descriptor(),
                 events::AutoRechargeDisabled::descriptor()},
      .every_event = false,
      .evolve = evolve_wallets};
}

}  // namespace ledger::domain
