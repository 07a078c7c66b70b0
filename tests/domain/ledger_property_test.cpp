// Property test: random command sequences over every aggregate with deciders (money, identity,
// campaigns, scheduled posts, websites, subscriptions), seeded, refusals included
// (tests/support/random_ledger.h; the commands in tests/support/random_commands/). After every
// step the money invariants hold; every batch of steps, every inline row equals the fold of the
// log and each aggregate's invariants hold; at the end, balances folded from the log alone equal
// the inline read model row for row, the audit's comparison finds no difference, and a rebuild of
// every inline keyspace rewrites every row byte for byte.
#include <doctest/doctest.h>

#include "replay/balance_replay.h"
#include "tests/support/fold_checks.h"
#include "tests/support/random_commands/campaign_commands.h"
#include "tests/support/random_commands/content_commands.h"
#include "tests/support/random_commands/identity_commands.h"
#include "tests/support/random_commands/money_commands.h"
#include "tests/support/random_commands/subscription_commands.h"
#include "tests/support/random_commands/website_commands.h"
#include "tests/support/random_ledger.h"

namespace ledger {
namespace {

using testing::RandomLedger;

constexpr int kStepsPerSeed = 800;
constexpr int kStepsPerBatch = 100;

// Every aggregate's commands over one ledger; a step is one command of one of them.
struct EveryAggregate {
  RandomLedger ledger;
  testing::IdentityCommands identity{ledger};
  testing::MoneyCommands money{ledger};
  testing::CampaignCommands campaigns{ledger};
  testing::ContentCommands content{ledger};
  testing::WebsiteCommands websites{ledger};
  testing::SubscriptionCommands subscriptions{ledger};

  explicit EveryAggregate(std::uint64_t seed) : ledger(seed) {}

  void step() {
    // Money is the densest part: it keeps the wallets funded for the campaigns and subscriptions.
    const auto draw = ledger.between(0, 19);
    if (draw < 7) return money.step();
    if (draw < 9) return identity.step();
    if (draw < 13) return campaigns.step();
    if (draw < 15) return content.step();
    if (draw < 17) return websites.step();
    if (draw < 19) return subscriptions.step();
    ledger.advance_clock();
  }

  void check_batch() {
    testing::check_rows_are_the_fold(*ledger.f.log);
    identity.check_invariants();
    campaigns.check_invariants();
    websites.check_invariants();
    subscriptions.check_invariants();
  }
};

void check_balances_are_the_fold(const store::EventLog& log) {
  auto replayed = replay::replay_balances(log);
  auto stored = replay::stored_balances(log);
  REQUIRE(replayed.ok());
  REQUIRE(stored.ok());
  REQUIRE(replayed->size() == stored->size());
  for (const auto& account_and_row : *replayed) {
    const auto& [account, row] = account_and_row;
    CAPTURE(account_and_row.first);
    REQUIRE(stored->contains(account));
    CHECK(row.SerializeAsString() == stored->at(account).SerializeAsString());
  }
}

TEST_CASE("random commands over every aggregate keep every invariant, and the rows are the fold") {
  for (std::uint64_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    CAPTURE(seed);
    EveryAggregate aggregates(seed);
    for (int i = 0; i < kStepsPerSeed; ++i) {
      CAPTURE(i);
      aggregates.step();
      aggregates.money.check_invariants();
      if (i % kStepsPerBatch == kStepsPerBatch - 1) aggregates.check_batch();
    }
    const RandomLedger& ledger = aggregates.ledger;
    CHECK(ledger.accepted > kStepsPerSeed / 3);
    // The sequences do exercise every way of being refused.
    for (ErrorKind kind : {ErrorKind::refused, ErrorKind::not_found, ErrorKind::invalid_argument}) {
      CAPTURE(static_cast<int>(kind));
      CHECK(ledger.refused_by_kind.contains(kind));
    }

    check_balances_are_the_fold(*ledger.f.log);
    testing::check_verify_finds_no_difference(*ledger.f.log);
    testing::check_rebuild_reproduces_rows(*ledger.f.log);
    testing::check_rows_are_the_fold(*ledger.f.log);
  }
}

}  // namespace
}  // namespace ledger
