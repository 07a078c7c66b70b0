// An account's statement from the log alone: opening balance, every posting to the account in a
// time range with the running balance after it, closing balance. Finance reads it to trace a
// balance to the events that made it.
//
// Cost: one scan of the log (every event is read once; postings are found by reflection), so it
// is for finance and admin use, not a hot path. A client's own wallet history is its wallet
// stream (see GET /api/wallet/transactions/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/store/event_log.h"

namespace ledger::domain {

struct StatementLine {
  std::uint64_t position = 0;
  std::int64_t recorded_at_us = 0;
  std::string event_type;
  std::string stream_id;
  Money amount;  // signed change of the account
  Money balance_after;
};

struct AccountStatement {
  std::string account;
  Money opening_balance;  // before from_us
  std::vector<StatementLine> lines;
  Money closing_balance;               // after the last event before to_us
  std::uint64_t through_position = 0;  // the log position the statement reflects
};

// Events recorded in [from_us, to_us) are listed (0 / INT64_MAX: open-ended); `from_us` after
// `to_us` is invalid_argument ("from must not be after to", field "from"). At most
// `lines_max` lines are kept (the earliest); the closing balance always covers the whole range.
Result<AccountStatement> account_statement(const store::EventLog& log, std::string_view account,
                                           std::int64_t from_us, std::int64_t to_us,
                                           std::size_t lines_max = SIZE_MAX);

}  // namespace ledger::domain
