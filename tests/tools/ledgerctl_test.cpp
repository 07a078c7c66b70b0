// ledgerctl on stopped data directories: backup and restore give a store with the same head that
// verifies; create-admin adds a verified admin; tokens revoke revokes every token of a user;
// refusals (running server lock, existing targets) exit 2.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "core/code_mac_key.h"
#include "core/domain/users.h"
#include "tests/support/http_client.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/payment_load.h"
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
                        return domain::issue_token(uow, {domain::TokenId{"t-" + full}, "u1", full,
                                                         testing::kTestEpochUs + kMicrosPerDay});
                      })
                  .ok());
    }
    sequencer.stop();
  }
};

// The bytes of a data directory's code MAC key ("" when it has none).
std::string code_mac_key_of(const std::filesystem::path& data_dir) {
  std::ifstream file(code_mac_key_path(data_dir), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

TEST_CASE(
    "offline backup and restore keep the head, the uploaded files, the code MAC key, and "
    "verify") {
  DataDir data;
  const std::string backup = data.dir.string() + "-backup";
  const std::string restored = data.dir.string() + "-restored";
  // A stored upload (blobs are named by their SHA-256 under DATA_DIR/blobs).
  const std::string blob = std::string(2, 'a') + std::string(62, '1');
  const auto blob_path = data.dir.path() / "blobs" / "sha256" / "aa" / blob;
  std::filesystem::create_directories(blob_path.parent_path());
  std::ofstream(blob_path) << "zip bytes";
  REQUIRE(load_or_create_code_mac_key(data.dir.path()).ok());  // as ledgerd makes it
  const std::string key = code_mac_key_of(data.dir.path());
  REQUIRE(key.size() == CodeMacKey::kBytes);
  auto backed = run_tool(LEDGERCTL, "backup --data-dir " + data.dir.string() + " --to " + backup);
  REQUIRE_MESSAGE(backed.exit_code == 0, backed.output);
  CHECK(
      run_tool(LEDGERCTL, "backup --data-dir " + data.dir.string() + " --to " + backup).exit_code ==
      2);  // never over an existing directory
  auto back = run_tool(LEDGERCTL, "restore --from " + backup + " --data-dir " + restored);
  REQUIRE_MESSAGE(back.exit_code == 0, back.output);
  CHECK(back.output.find("restored 3 events") != std::string::npos);
  CHECK(back.output.find("and 1 files") != std::string::npos);
  std::ifstream restored_blob(std::filesystem::path(restored) / "blobs" / "sha256" / "aa" / blob);
  std::string content;
  std::getline(restored_blob, content);
  CHECK(content == "zip bytes");
  // Codes sent before the backup still verify after a restore: the key travels with it, owner-only.
  CHECK(code_mac_key_of(backup) == key);
  CHECK(code_mac_key_of(restored) == key);
  CHECK((std::filesystem::status(code_mac_key_path(restored)).permissions() &
         (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  CHECK(run_tool(LEDGERCTL, "restore --from " + backup + " --data-dir " + restored).exit_code == 2);
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
  auto created = run_tool(
      LEDGERCTL, "users create-admin --email Ops@Example.com --data-dir " + data.dir.string());
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

nlohmann::json status_named(const nlohmann::json& statuses, const std::string& name) {
  for (const auto& status : statuses) {
    if (status["name"] == name) return status;
  }
  FAIL("no status for ", name);
  return {};
}

TEST_CASE("projections list, status and rebuild on a stopped data dir") {
  DataDir data;
  const std::string dir = " --data-dir " + data.dir.string();
  auto listed = run_tool(LEDGERCTL, "projections list" + dir);
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.output);
  for (const char* name : {"accounts", "wallets", "notifications", "emails", "analytics"}) {
    CHECK_MESSAGE(listed.output.find(name) != std::string::npos, name);
  }
  auto before = run_tool(LEDGERCTL, "projections status --format json" + dir).last_json();
  CHECK(status_named(before, "accounts")["kind"] == "inline");
  CHECK(status_named(before, "accounts")["lag_events"] == 0);
  CHECK(status_named(before, "notifications")["kind"] == "async");
  CHECK(status_named(before, "notifications")["state"] == "stopped");
  CHECK(status_named(before, "notifications")["lag_events"] == 3);  // never run on this dir
  auto csv = run_tool(LEDGERCTL, "projections status --format csv" + dir);
  CHECK(csv.output.find("name,kind,version") == 0);

  auto rebuilt = run_tool(LEDGERCTL, "projections rebuild --all --quiet --format json" + dir);
  REQUIRE_MESSAGE(rebuilt.exit_code == 0, rebuilt.output);
  for (const char* name : {"accounts", "wallets", "notifications", "emails", "analytics"}) {
    CHECK_MESSAGE(
        rebuilt.output.find(std::string("\"name\":\"") + name + "\"") != std::string::npos, name);
  }
  auto after = run_tool(LEDGERCTL, "projections status --format json" + dir).last_json();
  CHECK(status_named(after, "notifications")["checkpoint"] == 3);
  CHECK(status_named(after, "notifications")["lag_events"] == 0);
  CHECK(status_named(after, "notifications")["generation"] == 2);
  CHECK(status_named(after, "analytics")["checkpoint"] == 3);
  CHECK(status_named(after, "wallets")["generation"] == 1);

  auto one = run_tool(LEDGERCTL, "projections rebuild notifications --quiet" + dir);
  CHECK_MESSAGE(one.exit_code == 0, one.output);
  CHECK(one.output.find("notifications: rebuilt, generation 3") != std::string::npos);

  auto inline_one = run_tool(LEDGERCTL, "projections rebuild wallets --quiet" + dir);
  CHECK_MESSAGE(inline_one.exit_code == 0, inline_one.output);
  CHECK(inline_one.output.find("wallets: rebuilt, 3 events folded") != std::string::npos);
  CHECK(inline_one.output.find("generation 2") != std::string::npos);

  // Refusals: unknown, nothing named, both modes, no token online.
  CHECK(run_tool(LEDGERCTL, "projections rebuild nope" + dir).exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "projections rebuild" + dir).exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "projections list --server http://127.0.0.1:1 --token t" + dir)
            .exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "projections list --server http://127.0.0.1:1").exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "projections list --format yaml" + dir).exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "projections rebuild --help").exit_code == 0);
}

TEST_CASE("an offline rebuild of one read model runs that one only") {
  DataDir data;
  const std::string dir = " --data-dir " + data.dir.string();
  auto rebuilt = run_tool(LEDGERCTL, "projections rebuild emails --quiet --format json" + dir);
  REQUIRE_MESSAGE(rebuilt.exit_code == 0, rebuilt.output);
  auto after = run_tool(LEDGERCTL, "projections status --format json" + dir).last_json();
  CHECK(status_named(after, "emails")["checkpoint"] == 3);
  CHECK(status_named(after, "emails")["generation"] == 2);
  // The others were not started: they are where they were, and catch up when ledgerd starts.
  for (const char* name : {"notifications", "analytics"}) {
    CHECK_MESSAGE(status_named(after, name)["checkpoint"] == 0, name);
    CHECK_MESSAGE(status_named(after, name)["lag_events"] == 3, name);
    CHECK_MESSAGE(status_named(after, name)["generation"] == 1, name);
  }
}

TEST_CASE("projections list and rebuild online through a running ledgerd") {
  testing::TempDirectory dir;
  testing::LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10"});
  ledgerd.wait_for_line(std::regex("created admin admin@localhost; its password is in"));
  const std::string password = testing::LedgerdProcess::admin_password(dir.string());
  const std::string port =
      ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  testing::HttpClient client("127.0.0.1", static_cast<unsigned short>(std::stoi(port)));
  auto login =
      client.request(boost::beast::http::verb::post, "/api/auth/login/",
                     nlohmann::json{{"email", "admin@localhost"}, {"password", password}}.dump());
  REQUIRE(login.status == 200);
  const std::string token = login.json()["token"];
  const std::string server = " --server http://127.0.0.1:" + port + " --token " + token;

  auto listed = run_tool(LEDGERCTL, "projections list --format json" + server);
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.output);
  CHECK(status_named(listed.last_json(), "notifications")["kind"] == "async");
  auto rebuilt = run_tool(LEDGERCTL, "projections rebuild notifications --quiet" + server);
  CHECK_MESSAGE(rebuilt.exit_code == 0, rebuilt.output);
  CHECK(rebuilt.output.find("notifications: rebuilt, generation 2") != std::string::npos);
  auto all = run_tool(LEDGERCTL, "projections rebuild --all --quiet" + server);
  CHECK_MESSAGE(all.exit_code == 0, all.output);
  auto inline_refused = run_tool(LEDGERCTL, "projections rebuild accounts" + server);
  CHECK(inline_refused.exit_code == 2);
  CHECK(inline_refused.output.find("inline read model") != std::string::npos);
  auto bad_token = run_tool(
      LEDGERCTL, "projections list --server http://127.0.0.1:" + port + " --token nonsense");
  CHECK(bad_token.exit_code == 2);
  CHECK(bad_token.output.find("401") != std::string::npos);
}

TEST_CASE(
    "an online backup under write load restores to a log that verifies and holds every "
    "earlier acknowledged payment") {
  testing::TempDirectory dir;
  testing::LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10"});
  ledgerd.wait_for_line(std::regex("created admin admin@localhost; its password is in"));
  const std::string password = testing::LedgerdProcess::admin_password(dir.string());
  const std::string port =
      ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  const auto port_number = static_cast<unsigned short>(std::stoi(port));
  testing::HttpClient client("127.0.0.1", port_number);
  const std::string admin = testing::login(client, "admin@localhost", password);
  const std::vector<std::string> clients = {"w1@x.com", "w2@x.com"};
  testing::create_funded_clients(client, admin, clients);

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<testing::Payment> acknowledged;
  std::vector<std::thread> writers;
  writers.reserve(clients.size());
  for (const auto& email : clients) {
    writers.emplace_back(testing::pay_until_stopped, port_number, email, &acknowledged, &mutex,
                         &stop);
  }
  auto wait_for_payments = [&](std::size_t count) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mutex);
        if (acknowledged.size() >= count) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("the writers did not get going");
  };
  wait_for_payments(50);
  std::vector<testing::Payment> before_backup;
  {
    std::lock_guard lock(mutex);
    before_backup = acknowledged;
  }
  auto backed = run_tool(LEDGERCTL, "backup --server http://127.0.0.1:" + port + " --token " +
                                        admin.substr(7) + " --name under-load");
  wait_for_payments(before_backup.size() + 50);  // writes went on during and after the backup
  stop = true;
  for (auto& writer : writers) writer.join();
  REQUIRE_MESSAGE(backed.exit_code == 0, backed.output);

  const std::string restored = dir.string() + "-restored";
  auto back = run_tool(
      LEDGERCTL, "restore --from " + dir.string() + "/backups/under-load --data-dir " + restored);
  REQUIRE_MESSAGE(back.exit_code == 0, back.output);
  CHECK(code_mac_key_of(restored) == code_mac_key_of(dir.path()));  // the server's key came along
  CHECK(code_mac_key_of(restored).size() == CodeMacKey::kBytes);
  auto verified = run_tool(LEDGER_AUDIT, "verify --quiet --data-dir " + restored);
  CHECK_MESSAGE(verified.exit_code == 0, verified.output);
  {
    auto log = testing::LedgerFixture::open_log(restored + "/store");
    testing::check_payments_present(*log, before_backup);
    MESSAGE(before_backup.size() << " payments acknowledged before the backup, all in it; "
                                 << acknowledged.size() << " in all; backup head "
                                 << log->head().position);
  }
  std::filesystem::remove_all(restored);
}

TEST_CASE("ledgerctl refuses a missing store and unknown commands with exit code 2") {
  CHECK(run_tool(LEDGERCTL, "stats --data-dir /nonexistent").exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "frobnicate").exit_code == 2);
  CHECK(run_tool(LEDGERCTL, "users delete-everyone --data-dir /tmp").exit_code == 2);
}

TEST_CASE("ledgerctl projections refuses a --timeout-seconds of 0 with exit code 2, naming it") {
  testing::TempDirectory dir;
  auto zero = run_tool(LEDGERCTL,
                       "projections rebuild --all --timeout-seconds 0 --data-dir " + dir.string());
  CHECK(zero.exit_code == 2);
  CHECK(zero.output.find("--timeout-seconds") != std::string::npos);
}

}  // namespace
}  // namespace ledger
