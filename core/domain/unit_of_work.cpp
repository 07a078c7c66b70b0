#include "core/domain/unit_of_work.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"

namespace ledger::domain {

UnitOfWork::OverlayKey::OverlayKey(std::string_view keyspace, std::string_view key) {
  if (keyspace.size() + 1 + key.size() <= buffer_.size()) {
    auto* end = std::copy(keyspace.begin(), keyspace.end(), buffer_.data());
    *end++ = '\0';
    end = std::copy(key.begin(), key.end(), end);
    view_ = std::string_view(buffer_.data(), static_cast<std::size_t>(end - buffer_.data()));
    return;
  }
  spilled_.reserve(keyspace.size() + 1 + key.size());
  spilled_.append(keyspace);
  spilled_.push_back('\0');
  spilled_.append(key);
  view_ = spilled_;
}

Error UnitOfWork::corrupt_row(std::string_view keyspace, std::string_view key) {
  return make_error(Errc::corruption,
                    fmt::format("state row {}/{} does not decode", keyspace, key));
}

Error UnitOfWork::already_used(std::string_view noun, std::string_view id, std::string_view field) {
  return make_error(Errc::invalid_argument, fmt::format("{} {} is already used", noun, id),
                    std::string(field));
}

Result<std::optional<std::string>> UnitOfWork::read(std::string_view keyspace,
                                                    std::string_view key) {
  if (!writes_.empty()) {
    if (auto it = writes_.find(OverlayKey(keyspace, key).view()); it != writes_.end()) {
      return it->second;
    }
  }
  return context_.read_state(keyspace, key);
}

Result<bool> UnitOfWork::exists(std::string_view keyspace, std::string_view key) {
  auto bytes = read(keyspace, key);
  if (!bytes) return std::move(bytes).error();
  return bytes->has_value();
}

Result<events::AccountState> UnitOfWork::account(std::string_view account) {
  auto row = load<events::AccountState>(kAccountsKeyspace, account);
  if (!row) return std::move(row).error();
  return row->value_or(events::AccountState());
}

Result<Money> UnitOfWork::balance(std::string_view account) {
  auto row = this->account(account);
  if (!row) return std::move(row).error();
  return Money::from_minor(row->balance_minor());
}

void UnitOfWork::check_postings(
    const google::protobuf::RepeatedPtrField<events::Posting>& postings) {
  Money sum = Money::zero();
  for (const auto& entry : postings) {
    auto next = sum.checked_add(Money::from_minor(entry.amount_minor()));
    LEDGER_ASSERT(next.ok(), "postings of one event overflow");
    sum = *next;
  }
  LEDGER_ASSERT(sum.is_zero(), "the postings of an event must sum to zero");
  LEDGER_ASSERT(!postings.empty(), "an event with a postings field moves money");
}

void UnitOfWork::check_wallets(
    const google::protobuf::RepeatedPtrField<events::Posting>& postings) {
  for (const auto& entry : postings) {
    if (!is_wallet_account(entry.account())) continue;
    auto balance = this->balance(entry.account());
    LEDGER_ASSERT(!balance.ok() || !balance->is_negative(),
                  "a decision would leave a wallet below zero");
  }
}

void UnitOfWork::queue_email(const events::OutboxEmail& email) {
  set(kOutboxKeyspace, outbox_email_key(email.email_id()), serialize_row(email));
  set(kOutboxKeyspace, outbox_pending_key(email.email_id()), std::string());
}

store::CommitRequest UnitOfWork::finish(std::string result) {
  for (auto& [combined, value] : writes_) {
    const auto separator = combined.find('\0');
    commit_.state_writes.push_back(store::StateWrite{
        combined.substr(0, separator), combined.substr(separator + 1), std::move(value)});
  }
  writes_.clear();
  commit_.result = std::move(result);
  return std::move(commit_);
}

events::Posting posting(std::string account, Money amount) {
  events::Posting entry;
  entry.set_account(std::move(account));
  entry.set_amount_minor(amount.minor());
  return entry;
}

}  // namespace ledger::domain
