// ledgerctl on stopped data directories: backup and restore give a store with the same head that
// verifies; create-admin adds a verified admin; tokens revoke revokes every token of a user;
// refusals (running server lock, existing targets) exit 2.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/domain/users.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::run_tool;

struct DataDir {
  testing::TempDirectory dir;
  std::string store = dir.string() + "/store";

  DataDir() {
    auto log = testing::LedgerFixture::open_log(store);
    ManualClock clock(testing::kTestEpochUs);
    Sequencer sequencer(*log, clock);
    sequencer.start();
    domain::Ledger ledger(sequencer);
    REQUIRE(ledger
                .execute_and_wait<events::UserState>(
                    {"test", "", "", "", ""},
                    [](UnitOfWork& uow) {
                      return domain::register_user(uow, {"u1", "u1@x.com", "U", "client", "", 0,
                                                         "h", true, "test", "", "", ""});
                    })
                .ok());
    for (const char* digest : {"aa", "bb"}) {
      const std::string full = std::string(62, '0') + digest;
      REQUIRE(ledger
                  .execute_and_wait<events::TokenState>(
                      {"test", "", "", "", ""},
                      [full](UnitOfWork& uow) {
                        return domain::issue_token(
                            uow, {"t-" + full, "u1", full, testing::kTestEpochUs + kMicrosPerDay});
                      })
                  .ok());
    }
    sequencer.stop();
  }
};

TEST_CASE("offline backup and restore keep the head and verify") {
  DataDir data;
  const std::string backup = data.dir.string() + "-backup";
  const std::string restored = data.dir.string() + "-restored";
  auto backed = run_tool(LEDGERCTL, "backup --data-dir " + data.dir.string() + " --to " + backup);
  REQUIRE_MESSAGE(backed.exit_code == 0, backed.output);
  CHECK(run_tool(LEDGERCTL, "backup --data-dir " + data.dir.string() + " --to " + backup)
            .exit_code == 2);  // never over an existing directory
  auto back = run_tool(LEDGERCTL, "restore --from " + backup + " --data-dir " + restored);
  REQUIRE_MESSAGE(back.exit_code == 0, back.output);
  CHECK(back.output.find("restored 3 events") != std::string::npos);
  CHECK(run_tool(LEDGERCTL, "restore --from " + backup + " --data-dir " + restored).exit_code ==
        2);
  auto verified = run_tool(LEDGER_AUDIT, "verify --quiet --data-dir " + restored);
  CHECK_MESSAGE(verified.exit_code == 0, verified.output);
  auto original = run_tool(LEDGER_AUDIT, "head --data-dir " + data.dir.string());
  auto copy = run_tool(LEDGER_AUDIT, "head --data-dir " + restored);
  CHECK(original.output == copy.output);
  std::filesystem::remove_all(backup);
  std::filesystem::remove_all(restored);
}

TEST_CASE("users create-admin and tokens revoke work on a stopped data dir") {
  DataDir data;
  auto created = run_tool(LEDGERCTL, "users create-admin --email Ops@Example.com --data-dir " +
                                         data.dir.string());
  REQUIRE_MESSAGE(created.exit_code == 0, created.output);
  CHECK(created.output.find("with password ") != std::string::npos);
  auto revoked = run_tool(LEDGERCTL, "tokens revoke --user u1 --data-dir " + data.dir.string());
  REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.output);
  CHECK(revoked.output.find("revoked 2 tokens") != std::string::npos);

  store::StoreOptions options;
  options.path = data.store;
  options.read_only = true;
  auto log = store::RocksDbEventLog::open(options);
  REQUIRE(log.ok());
  auto admin = domain::find_user_by_email(**log, "ops@example.com");
  REQUIRE(admin.ok());
  REQUIRE(admin->has_value());
  CHECK((*admin)->role() == "admin");
  CHECK((*admin)->email_verified());
  auto token = domain::find_token(**log, std::string(62, '0') + "aa");
  REQUIRE(token.ok());
  CHECK((*token)->revoked());
}

TEST_CASE("ledgerctl refuses a missing store and unknown commands with exit code 2") {
  CHECK(run_tool(LEDGERCTL, "stats --data-dir /nonexistent").exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "frobnicate").exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "users delete-everyone --data-dir /tmp").exit_code == 2);
}

}  // namespace
}  // namespace ledger
