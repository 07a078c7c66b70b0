#include "core/domain/unit_of_work.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"

namespace ledger::domain {

std::string UnitOfWork::row_key(std::string_view keyspace, std::string_view key) {
  std::string combined;
  combined.reserve(keyspace.size() + 1 + key.size());
  combined.append(keyspace);
  combined.push_back('\0');
  combined.append(key);
  return combined;
}

Error UnitOfWork::corrupt_row(std::string_view keyspace, std::string_view key) {
  return make_error(Errc::corruption,
                    fmt::format("state row {}/{} does not decode", keyspace, key));
}

Result<std::optional<std::string>> UnitOfWork::read(std::string_view keyspace,
                                                    std::string_view key) {
  if (!writes_.empty()) {
    // The combined key on the stack when it fits: a read allocates nothing to look.
    std::array<char, 128> buffer;
    std::string spilled;
    std::string_view combined;
    if (keyspace.size() + 1 + key.size() <= buffer.size()) {
      auto* end = std::copy(keyspace.begin(), keyspace.end(), buffer.data());
      *end++ = '\0';
      end = std::copy(key.begin(), key.end(), end);
      combined = std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    } else {
      spilled = row_key(keyspace, key);
      combined = spilled;
    }
    if (auto it = writes_.find(combined); it != writes_.end()) return it->second;
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
    commit_.state_writes.push_back(store::StateWrite{combined.substr(0, separator),
                                                     combined.substr(separator + 1),
                                                     std::move(value)});
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
