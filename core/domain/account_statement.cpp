#include "core/domain/account_statement.h"

#include "core/domain/posting_reader.h"
#include "core/domain/validation.h"
#include "events/envelope.pb.h"

namespace ledger::domain {

Result<AccountStatement> account_statement(const store::EventLog& log, std::string_view account,
                                           std::int64_t from_us, std::int64_t to_us,
                                           std::size_t lines_max) {
  if (auto ordered = require_period_order(from_us, to_us, "from", "to"); !ordered) {
    return std::move(ordered).error();
  }
  AccountStatement statement;
  statement.account = std::string(account);
  statement.through_position = log.head().position;
  PostingReader reader;
  events::Envelope envelope;
  Money balance;
  Status failure;
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (position > statement.through_position) return false;
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      failure = make_error(Errc::corruption, "a record does not decode");
      return false;
    }
    if (envelope.recorded_at_us() >= to_us) return false;  // times never go back in the log
    auto postings = reader.read(envelope.event_type(), envelope.payload());
    if (!postings) {
      failure = std::move(postings).error();
      return false;
    }
    for (const auto& entry : *postings) {
      if (entry.account() != account) continue;
      const Money amount = Money::from_minor(entry.amount_minor());
      balance = balance + amount;
      if (envelope.recorded_at_us() < from_us) {
        statement.opening_balance = balance;
      } else if (statement.lines.size() < lines_max) {
        statement.lines.push_back({position, envelope.recorded_at_us(), envelope.event_type(),
                                   envelope.stream_id(), amount, balance});
      }
    }
    return true;
  });
  if (!scanned) return std::move(scanned).error();
  if (!failure) return std::move(failure).error();
  statement.closing_balance = balance;
  return statement;
}

}  // namespace ledger::domain
