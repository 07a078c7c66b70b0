// Property test of identity alone: random identity commands (tests/support/random_commands/
// identity_commands.h: registrations, logins, password changes and resets, assignments,
// deactivations, preferences, ...) with the clock moving on now and then, seeded. Every batch of
// steps, the identity invariants hold and every row is the fold of the log; at the end a rebuild
// rewrites every row byte for byte. The test over every aggregate (ledger_property_test.cpp)
// gives identity a tenth of its steps; here it has them all.
#include <doctest/doctest.h>

#include "tests/support/fold_checks.h"
#include "tests/support/random_commands/identity_commands.h"
#include "tests/support/random_ledger.h"

namespace ledger {
namespace {

constexpr int kSteps = 600;
constexpr int kStepsPerBatch = 100;

TEST_CASE("random identity commands keep the identity invariants, and the rows are the fold") {
  for (std::uint64_t seed : {7u, 8u, 9u}) {
    CAPTURE(seed);
    testing::RandomLedger ledger(seed);
    testing::IdentityCommands identity(ledger);
    for (int i = 0; i < kSteps; ++i) {
      CAPTURE(i);
      // Now and then by up to two days: codes, reset tokens and logins expire.
      if (ledger.chance(5)) {
        ledger.advance_clock();
      } else {
        identity.step();
      }
      if (i % kStepsPerBatch == kStepsPerBatch - 1) {
        identity.check_invariants();
        testing::check_rows_are_the_fold(*ledger.f.log);
      }
    }
    CHECK(ledger.accepted > kSteps / 3);
    for (ErrorKind kind : {ErrorKind::refused, ErrorKind::not_found, ErrorKind::invalid_argument}) {
      CAPTURE(static_cast<int>(kind));
      CHECK(ledger.refused_by_kind.contains(kind));
    }
    testing::check_verify_finds_no_difference(*ledger.f.log);
    testing::check_rebuild_reproduces_rows(*ledger.f.log);
  }
}

}  // namespace
}  // namespace ledger
