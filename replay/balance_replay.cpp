#include "replay/balance_replay.h"

#include "core/domain/keyspaces.h"
#include "core/domain/posting_fold.h"
#include "core/domain/posting_reader.h"

namespace ledger::replay {

Result<AccountBalances> replay_balances(const store::EventLog& log, std::uint64_t up_to_position,
                                        const std::function<void(std::uint64_t)>& on_position) {
  AccountBalances balances;
  domain::PostingReader reader;
  events::Envelope envelope;
  Status failure;
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (position > up_to_position) return false;
    if (on_position) on_position(position);
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      failure = make_error(Errc::corruption, "a record does not decode");
      return false;
    }
    auto postings = reader.read(envelope.event_type(), envelope.payload());
    if (!postings) {
      failure = std::move(postings).error();
      return false;
    }
    for (const auto& entry : *postings) {
      if (auto posted = domain::post(balances[entry.account()], entry); !posted) {
        failure = make_error(posted.error().code, "position " + std::to_string(position) + ": " +
                                                      posted.error().message);
        return false;
      }
    }
    return true;
  });
  if (!scanned) return std::move(scanned).error();
  if (!failure) return std::move(failure).error();
  return balances;
}

Result<AccountBalances> stored_balances(const store::EventLog& log) {
  AccountBalances balances;
  Status failure;
  auto scanned =
      log.scan_state(domain::kAccountsKeyspace, "", store::ReadDirection::forward,
                     [&](std::string_view key, std::string_view value) {
                       events::AccountState state;
                       if (!state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                         failure = make_error(Errc::corruption, "an account row does not decode");
                         return false;
                       }
                       balances.emplace(std::string(key), std::move(state));
                       return true;
                     });
  if (!scanned) return std::move(scanned).error();
  if (!failure) return std::move(failure).error();
  return balances;
}

}  // namespace ledger::replay
