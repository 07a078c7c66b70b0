// A PostgreSQL follower keeps the real inline read models: the events of the real sequencer and
// deciders, folded on the follower by the inline folds (core/domain/record_folder.h), give the
// rows the writer's units of work wrote.
#include <doctest/doctest.h>

#include <chrono>
#include <map>

#include "core/clock.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/domain/record_folder.h"
#include "core/domain/wallet.h"
#include "core/sequencer.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using namespace std::chrono_literals;
using domain::UnitOfWork;
using testing::TempDirectory;

std::unique_ptr<store::PostgresEventLog> open_ledger_node(const std::string& database_dir,
                                                          const std::string& state_dir,
                                                          store::PostgresRole role) {
  store::PostgresStoreOptions options;
  options.url = testing::test_postgres_database(database_dir);
  options.store = testing::test_store_options(state_dir);
  options.store.state_keyspaces = domain::domain_keyspaces();
  for (const auto* fold : domain::all_inline_folds()) {
    options.inline_keyspaces.emplace_back(fold->keyspace);
  }
  options.role = role;
  options.fold_records = domain::inline_record_fold();
  auto log = store::PostgresEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
}

std::map<std::string, std::string> rows_of(const store::EventLog& log, std::string_view keyspace) {
  std::map<std::string, std::string> rows;
  REQUIRE(log.scan_state(keyspace, "", store::ReadDirection::forward,
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace(key, value);
                           return true;
                         })
              .ok());
  return rows;
}

TEST_CASE("a follower's inline read models are the writer's, folded from the ledger's events") {
  TempDirectory database, writer_state, follower_state;
  auto writer =
      open_ledger_node(database.string(), writer_state.string(), store::PostgresRole::writer);
  auto follower =
      open_ledger_node(database.string(), follower_state.string(), store::PostgresRole::follower);
  ManualClock clock{1'795'428'000'000'000};
  Sequencer sequencer{*writer, clock};
  domain::Ledger ledger{sequencer};
  sequencer.start();
  const domain::CommandOrigin origin{"test", "", "", "", ""};
  REQUIRE(ledger
              .execute_and_wait<events::TopUpRequested>(
                  origin,
                  [](UnitOfWork& uow) {
                    return domain::request_topup(
                        uow, {"alice", "t1", Money::from_minor(5000), "paypal"});
                  })
              .ok());
  REQUIRE(ledger
              .execute_and_wait<events::WalletCredited>(
                  origin,
                  [](UnitOfWork& uow) {
                    return domain::confirm_topup(uow, {"t1", "PAY-1", "admin", "c1"});
                  })
              .ok());
  REQUIRE(ledger
              .execute_and_wait<events::WalletDebited>(
                  origin,
                  [](UnitOfWork& uow) {
                    return domain::pay_from_wallet(
                        uow, {domain::UserId{"alice"}, domain::TransactionId{"p1"},
                              Money::from_minor(1200), "", "marketing", "ref", "desc"});
                  })
              .ok());
  sequencer.stop();

  const std::uint64_t head = writer->head().position;
  REQUIRE(head >= 3);
  REQUIRE(follower->wait_for(head, 20s));
  std::size_t rows_compared = 0;
  for (const auto* fold : domain::all_inline_folds()) {
    CAPTURE(fold->keyspace);
    const auto written = rows_of(*writer, fold->keyspace);
    CHECK(rows_of(*follower, fold->keyspace) == written);
    rows_compared += written.size();
  }
  CHECK(rows_compared > 0);
  auto balance = follower->read_state(domain::kAccountsKeyspace, "wallet:alice");
  REQUIRE(balance.ok());
  REQUIRE(balance->has_value());
  events::AccountState account;
  REQUIRE(account.ParseFromString(**balance));
  CHECK(account.balance_minor() == 3800);
}

}  // namespace
}  // namespace ledger
