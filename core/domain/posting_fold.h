// The posting fold: an account's row after its postings, with checked arithmetic. The one fold of
// money: the unit of work (through the "accounts" inline fold), the balance replay and the audit
// all post through `post`, so they cannot disagree on how a balance is computed.
#pragma once

#include "core/domain/fold.h"
#include "core/result.h"
#include "events/ledger_accounts.pb.h"
#include "events/posting.pb.h"

namespace ledger::domain {

// Applies one posting to `account`: balance, the credited or debited total, and the count.
// amount_overflow (and `account` unchanged) when any of them would leave int64.
Status post(events::AccountState& account, const events::Posting& entry);

// The `repeated Posting postings` field of an event type, or nullptr when it has none. Found once
// per type and thread (no lock on the writer's path).
const google::protobuf::FieldDescriptor* postings_field(const google::protobuf::Descriptor* type);

// The "accounts" fold: every account's balance and totals (key: the account name).
InlineFold accounts_fold();

}  // namespace ledger::domain
