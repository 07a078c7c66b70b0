#include "core/domain/redeem_codes_fold.h"

#include <fmt/format.h>

#include "core/domain/keyspaces.h"
#include "core/domain/redeem_code.h"
#include "core/money.h"
#include "events/redeem_code_events.pb.h"
#include "events/redeem_code_state.pb.h"

namespace ledger::domain {
namespace {

Result<events::RedeemCodeStats> stats_row(KeyspaceRows& rows) {
  return rows.load_or(kRedeemCodeStatsKey, events::RedeemCodeStats());
}

// A code that exists is never created again (the decider refuses code_exists), so a second
// RedeemCodeCreated changes nothing.
Status create_code(KeyspaceRows& rows, const FoldedEvent& event,
                   const events::RedeemCodeCreated& created) {
  auto existing = rows.load<events::RedeemCodeState>(redeem_code_key(created.code()));
  if (!existing) return std::move(existing).error();
  if (existing->has_value()) return {};
  events::RedeemCodeState code;
  code.set_code(created.code());
  code.set_value_minor(created.value_minor());
  code.set_usage_limit(created.usage_limit());
  code.set_is_active(true);
  code.set_expires_at_us(created.expires_at_us());
  code.set_description(created.description());
  code.set_created_by(created.created_by());
  code.set_created_at_us(event.recorded_at_us);
  code.set_batch_id(created.batch_id());
  rows.save(redeem_code_key(created.code()), code);

  auto stats = stats_row(rows);
  if (!stats) return std::move(stats).error();
  stats->set_total_codes(stats->total_codes() + 1);
  stats->set_active_codes(stats->active_codes() + 1);
  rows.save(kRedeemCodeStatsKey, *stats);
  return {};
}

// Counts the code as active or not; only a real change of the code moves the count.
Status set_active(KeyspaceRows& rows, const std::string& code_id, bool is_active) {
  auto code = rows.load<events::RedeemCodeState>(redeem_code_key(code_id));
  if (!code) return std::move(code).error();
  if (!code->has_value() || (*code)->is_active() == is_active) return {};
  (*code)->set_is_active(is_active);
  rows.save(redeem_code_key(code_id), **code);

  auto stats = stats_row(rows);
  if (!stats) return std::move(stats).error();
  if (is_active) {
    stats->set_active_codes(stats->active_codes() + 1);
  } else if (stats->active_codes() > 0) {
    stats->set_active_codes(stats->active_codes() - 1);
  }
  rows.save(kRedeemCodeStatsKey, *stats);
  return {};
}

Status redeem(KeyspaceRows& rows, const FoldedEvent& event,
              const events::RedeemCodeRedeemed& redeemed) {
  const Money amount = Money::from_minor(redeemed.amount_minor());
  auto code = rows.load<events::RedeemCodeState>(redeem_code_key(redeemed.code()));
  if (!code) return std::move(code).error();
  if (code->has_value()) {
    auto total = Money::from_minor((*code)->total_redeemed_minor()).checked_add(amount);
    if (!total) return std::move(total).error();
    (*code)->set_times_used(redeemed.redemption_number());
    (*code)->set_total_redeemed_minor(total->minor());
    rows.save(redeem_code_key(redeemed.code()), **code);
  }

  events::RedemptionState redemption;
  redemption.set_code(redeemed.code());
  redemption.set_user_id(redeemed.user_id());
  redemption.set_amount_minor(redeemed.amount_minor());
  redemption.set_redeemed_at_us(event.recorded_at_us);
  redemption.set_redemption_number(redeemed.redemption_number());
  redemption.set_transaction_id(redeemed.transaction_id());
  rows.save(redeem_code_usage_key(redeemed.code(), redeemed.redemption_number()), redemption);
  rows.save(redeemed_by_user_key(redeemed.user_id(), redeemed.code()), redemption);

  auto stats = stats_row(rows);
  if (!stats) return std::move(stats).error();
  auto value = Money::from_minor(stats->total_value_redeemed_minor()).checked_add(amount);
  if (!value) return std::move(value).error();
  stats->set_total_redemptions(stats->total_redemptions() + 1);
  stats->set_total_value_redeemed_minor(value->minor());
  rows.save(kRedeemCodeStatsKey, *stats);
  return {};
}

Status evolve_redeem_codes(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* created = event.as<events::RedeemCodeCreated>()) {
    return create_code(rows, event, *created);
  }
  if (const auto* activated = event.as<events::RedeemCodeActivated>()) {
    return set_active(rows, activated->code(), true);
  }
  if (const auto* deactivated = event.as<events::RedeemCodeDeactivated>()) {
    return set_active(rows, deactivated->code(), false);
  }
  if (const auto* redeemed = event.as<events::RedeemCodeRedeemed>()) {
    return redeem(rows, event, *redeemed);
  }
  return {};
}

}  // namespace

std::string redeem_code_usage_key(std::string_view code, std::uint32_t redemption_number) {
  return fmt::format("{}{:010}", redeem_code_usage_prefix(code), redemption_number);
}

std::string redeemed_by_user_key(std::string_view user_id, std::string_view code) {
  return redeemed_by_user_prefix(user_id) + std::string(code);
}

InlineFold redeem_codes_fold() {
  return InlineFold{
      .keyspace = kRedeemCodesKeyspace,
      .version = 1,
      .description = "redeem codes, their redemptions (by code and by user) and their totals",
      .events = {events::RedeemCodeCreated::descriptor(), events::RedeemCodeActivated::descriptor(),
                 events::RedeemCodeDeactivated::descriptor(),
                 events::RedeemCodeRedeemed::descriptor()},
      .every_event = false,
      .evolve = evolve_redeem_codes};
}

}  // namespace ledger::domain
