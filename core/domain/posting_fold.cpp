#include "core/domain/posting_fold.h"

#include <unordered_map>

#include "core/domain/keyspaces.h"
#include "core/money.h"

namespace ledger::domain {
namespace {

Status evolve_accounts(KeyspaceRows& rows, const FoldedEvent& event) {
  for (const events::Posting& entry : event.postings) {
    auto account = rows.load_or(entry.account(), events::AccountState());
    if (!account) return std::move(account).error();
    if (auto posted = post(*account, entry); !posted) return posted;
    rows.save(entry.account(), *account);
  }
  return {};
}

}  // namespace

const google::protobuf::FieldDescriptor* postings_field(const google::protobuf::Descriptor* type) {
  thread_local std::unordered_map<const google::protobuf::Descriptor*,
                                  const google::protobuf::FieldDescriptor*>
      fields;
  if (auto it = fields.find(type); it != fields.end()) return it->second;
  const auto* field = type->FindFieldByName("postings");
  if (field != nullptr &&
      (!field->is_repeated() || field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE ||
       field->message_type() != events::Posting::descriptor())) {
    field = nullptr;
  }
  return fields.emplace(type, field).first->second;
}

Status post(events::AccountState& account, const events::Posting& entry) {
  const Money amount = Money::from_minor(entry.amount_minor());
  auto balance = Money::from_minor(account.balance_minor()).checked_add(amount);
  if (!balance) return std::move(balance).error();
  auto total = amount.is_positive()
                   ? Money::from_minor(account.total_credited_minor()).checked_add(amount)
                   : Money::from_minor(account.total_debited_minor()).checked_sub(amount);
  if (!total) return std::move(total).error();
  if (account.postings() == UINT64_MAX) {
    return make_error(Errc::amount_overflow, "an account's posting count would overflow");
  }
  account.set_balance_minor(balance->minor());
  if (amount.is_positive()) {
    account.set_total_credited_minor(total->minor());
  } else {
    account.set_total_debited_minor(total->minor());
  }
  account.set_postings(account.postings() + 1);
  return {};
}

const google::protobuf::RepeatedPtrField<events::Posting>& no_postings() {
  static const google::protobuf::RepeatedPtrField<events::Posting> none;
  return none;
}

const google::protobuf::RepeatedPtrField<events::Posting>& postings_of(
    const google::protobuf::Message& event) {
  const auto* field = postings_field(event.GetDescriptor());
  if (field == nullptr) return no_postings();
    // The field itself, not a copy or a per-element view: deprecated in favour of
    // GetRepeatedFieldRef, which has no way to hand out the RepeatedPtrField folds iterate.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return event.GetReflection()->GetRepeatedPtrField<events::Posting>(event, field);
#pragma GCC diagnostic pop
}

InlineFold accounts_fold() {
  return InlineFold{.keyspace = kAccountsKeyspace,
                    .version = 1,
                    .description = "every account's balance, totals and posting count",
                    .events = {},
                    .every_event = true,
                    .evolve = evolve_accounts};
}

}  // namespace ledger::domain
