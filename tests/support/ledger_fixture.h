// A ledger on a fresh temporary store, with a manual clock, for domain tests:
//   LedgerFixture f;
//   auto paid = f.run<events::WalletDebited>([&](UnitOfWork& uow) { return pay_from_wallet(uow,
//   ...); });
// `run` goes through the real sequencer and store, so what it checks is what production does.
#pragma once

#include <doctest/doctest.h>

#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/domain/wallet.h"
#include "core/store/rocksdb_event_log.h"
#include "tests/support/temp_directory.h"

namespace ledger::testing {

inline constexpr std::int64_t kTestEpochUs = 1'795'428'000'000'000;  // 2026-11-23T10:00:00Z

struct LedgerFixture {
  TempDirectory dir;
  std::unique_ptr<store::RocksDbEventLog> log = open_log(dir.string());
  ManualClock clock{kTestEpochUs};
  Sequencer sequencer{*log, clock};
  domain::Ledger ledger{sequencer};
  int next_id = 0;

  LedgerFixture() { sequencer.start(); }
  ~LedgerFixture() { sequencer.stop(); }

  static std::unique_ptr<store::RocksDbEventLog> open_log(const std::string& path) {
    store::StoreOptions options;
    options.path = path;
    options.state_keyspaces = domain::domain_keyspaces();
    options.block_cache_bytes = 8 << 20;
    options.write_buffer_bytes = 4 << 20;
    auto log = store::RocksDbEventLog::open(options);
    REQUIRE(log.ok());
    return std::move(log).value();
  }

  // A fresh id for commands ("id-1", "id-2", ...).
  std::string id() { return "id-" + std::to_string(++next_id); }

  template <class Answer>
  Result<domain::Executed<Answer>> run(domain::DomainDecide<Answer> decide,
                                       domain::CommandOrigin origin = {"test", "", "", "", ""}) {
    return ledger.execute_and_wait<Answer>(std::move(origin), std::move(decide));
  }

  // Balance of an account as the inline projection has it.
  Money balance(const std::string& account) {
    auto row = log->read_state(domain::kAccountsKeyspace, account);
    REQUIRE(row.ok());
    if (!row->has_value()) return Money::zero();
    events::AccountState state;
    REQUIRE(state.ParseFromString(**row));
    return Money::from_minor(state.balance_minor());
  }

  // A state row of the inline read models, decoded (nullopt when absent).
  template <class M>
  std::optional<M> row(std::string_view keyspace, std::string_view key) {
    auto bytes = log->read_state(keyspace, key);
    REQUIRE(bytes.ok());
    if (!bytes->has_value()) return std::nullopt;
    M message;
    REQUIRE(message.ParseFromString(**bytes));
    return message;
  }

  // Number of state rows whose key starts with `prefix`.
  std::size_t count_rows(std::string_view keyspace, std::string_view prefix) {
    std::size_t rows = 0;
    REQUIRE(log->scan_state(keyspace, prefix, store::ReadDirection::forward,
                            [&](std::string_view, std::string_view) {
                              ++rows;
                              return true;
                            })
                .ok());
    return rows;
  }

  // Sum of every account balance (must always be zero).
  Money sum_of_balances() {
    Money sum = Money::zero();
    REQUIRE(log->scan_state(domain::kAccountsKeyspace, "", store::ReadDirection::forward,
                            [&](std::string_view, std::string_view value) {
                              events::AccountState state;
                              REQUIRE(state.ParseFromArray(value.data(),
                                                           static_cast<int>(value.size())));
                              sum = sum + Money::from_minor(state.balance_minor());
                              return true;
                            })
                .ok());
    return sum;
  }

  // Credits a wallet through a confirmed top-up.
  void fund(const std::string& user_id, Money amount) {
    const std::string topup_id = id();
    REQUIRE(run<events::TopUpRequested>([&](domain::UnitOfWork& uow) {
              return domain::request_topup(
                  uow, {domain::UserId{user_id}, domain::TopUpId{topup_id}, amount, "card"});
            }).ok());
    REQUIRE(run<events::WalletCredited>([&](domain::UnitOfWork& uow) {
              return domain::confirm_topup(
                  uow, {domain::TopUpId{topup_id}, "ref", "admin", domain::TransactionId{id()}});
            }).ok());
  }
};

inline Money usd(std::string_view text) {
  auto amount = Money::parse(text);
  REQUIRE(amount.ok());
  return *amount;
}

}  // namespace ledger::testing
