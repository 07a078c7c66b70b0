#include "replay/domain_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "core/domain/accounts.h"
#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "core/domain/posting_fold.h"
#include "core/money.h"
#include "events/course_events.pb.h"
#include "events/enum_names.h"
#include "events/redeem_code_events.pb.h"
#include "events/wallet_events.pb.h"

namespace ledger::replay {
namespace {

std::string money(std::int64_t minor) { return Money::from_minor(minor).format(); }

}  // namespace

void DomainAudit::add(std::uint64_t position, std::string kind, std::string message) {
  findings_.push_back({position, std::move(kind), std::move(message)});
}

void DomainAudit::visit(const events::Envelope& envelope) {
  const std::uint64_t position = envelope.position();
  auto postings = reader_.view(envelope.event_type(), envelope.payload());
  if (!postings) {
    add(position, "undecodable", postings.error().message);
    return;
  }
  std::int64_t sum = 0;
  for (int i = 0; i < postings->size(); ++i) {
    const events::Posting& entry = (*postings)[i];
    if (__builtin_add_overflow(sum, entry.amount_minor(), &sum)) {
      add(position, "overflow",
          fmt::format("the postings of {} overflow when summed", envelope.event_type()));
    }
    auto& account = balances_[entry.account()];
    if (auto posted = domain::post(account, entry); !posted) {
      add(position, "overflow", fmt::format("{}: {}", entry.account(), posted.error().message));
    }
    if (domain::is_wallet_account(entry.account()) && account.balance_minor() < 0) {
      add(position, "negative_wallet",
          fmt::format("{} went to {}", entry.account(), money(account.balance_minor())));
    }
  }
  if (sum != 0) {
    add(position, "unbalanced",
        fmt::format("the postings of {} sum to {}, not zero", envelope.event_type(), money(sum)));
  }
  check_state_rules(envelope);
}

void DomainAudit::check_state_rules(const events::Envelope& envelope) {
  const std::uint64_t position = envelope.position();
  const std::string_view type = envelope.event_type();  // compares lengths first
  // Decodes the event as an E (upcast); a finding when it does not decode.
  auto decode = [&]<class E>(std::type_identity<E>) -> std::optional<E> {
    auto decoded = domain::decode_event<E>(envelope);
    if (!decoded) {
      add(position, "undecodable", decoded.error().message);
      return std::nullopt;
    }
    return std::move(*decoded);
  };
  if (type == "RedeemCodeCreated") {
    auto created = decode(std::type_identity<events::RedeemCodeCreated>());
    if (!created) return;
    codes_[created->code()].limit = created->usage_limit();
  } else if (type == "RedeemCodeRedeemed") {
    auto redeemed = decode(std::type_identity<events::RedeemCodeRedeemed>());
    if (!redeemed) return;
    Code& code = codes_[redeemed->code()];
    if (++code.used > code.limit) {
      add(position, "code_over_limit",
          fmt::format("code {} redeemed {} times, its limit is {}", redeemed->code(), code.used,
                      code.limit));
    }
    if (!code.users.insert(redeemed->user_id()).second) {
      add(position, "code_twice_per_user",
          fmt::format("user {} redeemed code {} again", redeemed->user_id(), redeemed->code()));
    }
  } else if (type == "TopUpRequested") {
    auto requested = decode(std::type_identity<events::TopUpRequested>());
    if (!requested) return;
    topups_[requested->topup_id()] = {events::TOP_UP_STATUS_PENDING, requested->amount_minor()};
  } else if (type == "TopUpConfirmed" || type == "TopUpFailed") {
    std::string id;
    std::int64_t amount = -1;
    if (type == "TopUpConfirmed") {
      auto confirmed = decode(std::type_identity<events::TopUpConfirmed>());
      if (!confirmed) return;
      id = confirmed->topup_id();
      amount = confirmed->amount_minor();
    } else {
      auto failed = decode(std::type_identity<events::TopUpFailed>());
      if (!failed) return;
      id = failed->topup_id();
    }
    auto it = topups_.find(id);
    if (it == topups_.end() || it->second.status != events::TOP_UP_STATUS_PENDING) {
      add(position, "topup_not_pending",
          fmt::format(
              "top-up {} settled while {}", id,
              it == topups_.end() ? "never requested" : events::enum_name(it->second.status)));
    } else if (amount >= 0 && amount != it->second.amount_minor) {
      add(position, "topup_amount",
          fmt::format("top-up {} confirmed for {}, requested {}", id, money(amount),
                      money(it->second.amount_minor)));
    }
    topups_[id].status =
        type == "TopUpConfirmed" ? events::TOP_UP_STATUS_CONFIRMED : events::TOP_UP_STATUS_FAILED;
  } else if (type == "CoursePurchased") {
    auto purchased = decode(std::type_identity<events::CoursePurchased>());
    if (!purchased) return;
    purchases_[purchased->purchase_id()] = {purchased->status(), purchased->amount_minor()};
  } else if (type == "CoursePurchaseConfirmed") {
    auto confirmed = decode(std::type_identity<events::CoursePurchaseConfirmed>());
    if (!confirmed) return;
    auto it = purchases_.find(confirmed->purchase_id());
    if (it == purchases_.end() || it->second.status != events::COURSE_PURCHASE_STATUS_PENDING) {
      add(position, "purchase_not_pending",
          fmt::format(
              "purchase {} confirmed while {}", confirmed->purchase_id(),
              it == purchases_.end() ? "never made" : events::enum_name(it->second.status)));
    }
    purchases_[confirmed->purchase_id()].status = events::COURSE_PURCHASE_STATUS_COMPLETED;
  } else if (type == "CoursePurchaseRefunded") {
    auto refunded = decode(std::type_identity<events::CoursePurchaseRefunded>());
    if (!refunded) return;
    auto it = purchases_.find(refunded->purchase_id());
    if (it == purchases_.end() || it->second.status != events::COURSE_PURCHASE_STATUS_COMPLETED) {
      add(position, "refund_not_completed",
          fmt::format(
              "purchase {} refunded while {}", refunded->purchase_id(),
              it == purchases_.end() ? "never made" : events::enum_name(it->second.status)));
    } else if (refunded->amount_minor() != it->second.amount_minor) {
      add(position, "refund_amount",
          fmt::format("purchase {} refunded {}, paid {}", refunded->purchase_id(),
                      money(refunded->amount_minor()), money(it->second.amount_minor)));
    }
    purchases_[refunded->purchase_id()].status = events::COURSE_PURCHASE_STATUS_REFUNDED;
  }
}

Status DomainAudit::compare_with_read_model(const store::EventLog& log) {
  std::map<std::string, events::AccountState> stored;
  Status failure;
  auto scanned = log.scan_state(
      domain::kAccountsKeyspace, "", store::ReadDirection::forward,
      [&](std::string_view key, std::string_view value) {
        events::AccountState state;
        if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          add(0, "read_model_undecodable", fmt::format("the row of {} does not decode", key));
          return true;
        }
        stored.emplace(std::string(key), state);
        return true;
      });
  if (!scanned) return scanned;
  // Accounts in name order, so that findings come out the same way each run.
  std::vector<const std::pair<const std::string, events::AccountState>*> replayed_accounts;
  replayed_accounts.reserve(balances_.size());
  for (const auto& entry : balances_) replayed_accounts.push_back(&entry);
  std::sort(replayed_accounts.begin(), replayed_accounts.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : replayed_accounts) {
    const auto& [account, replayed] = *entry;
    const auto it = stored.find(account);
    if (it == stored.end()) {
      add(0, "read_model_missing",
          fmt::format("{}: the log says {}, the read model has no row", account,
                      money(replayed.balance_minor())));
      continue;
    }
    if (it->second.SerializeAsString() != replayed.SerializeAsString()) {
      add(0, "read_model_differs",
          fmt::format("{}: the log says balance {} ({} postings), the read model {} ({})", account,
                      money(replayed.balance_minor()), replayed.postings(),
                      money(it->second.balance_minor()), it->second.postings()));
    }
  }
  for (const auto& [account, state] : stored) {
    if (!balances_.contains(account)) {
      add(0, "read_model_extra",
          fmt::format("{}: the read model has {}, the log has no posting to it", account,
                      money(state.balance_minor())));
    }
  }
  return failure;
}

}  // namespace ledger::replay
