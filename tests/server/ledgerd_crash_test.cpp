// ledgerd killed with SIGKILL while clients pay over HTTP, again and again on the same data dir.
// After each kill: every payment the server acknowledged is in the log, `ledger-audit verify`
// finds nothing (hash chain, postings, no negative wallet, read models equal the replay), and each
// asynchronous projection, resumed from its checkpoint, equals a rebuild from position 0 byte
// for byte (a crash between the projection's events and its checkpoint applies nothing twice
// and skips nothing). Cycles: LEDGER_CRASH_CYCLES (default 6; ./scripts/soak runs 50).
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "core/clock.h"
#include "events/wallet_events.pb.h"
#include "projections/projection_registry.h"
#include "tests/support/http_client.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/payment_load.h"
#include "tests/support/projection_rows.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpClient;
using testing::LedgerdProcess;
using testing::Payment;

int crash_cycles() {
  if (const char* text = std::getenv("LEDGER_CRASH_CYCLES")) return std::max(1, std::atoi(text));
  return 6;
}

TEST_CASE(
    "SIGKILL under HTTP write load: nothing acknowledged lost, audit clean, projections "
    "equal a rebuild") {
  testing::TempDirectory dir;
  const std::vector<std::string> clients = {"c1@x.com", "c2@x.com", "c3@x.com"};
  std::string admin_password;
  std::mt19937 random(20261124);
  std::size_t total_acknowledged = 0;
  const int cycles = crash_cycles();
  for (int cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    std::vector<Payment> acknowledged;
    {
      LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10", "--email-interval-ms", "20"});
      if (cycle == 0) {
        ledgerd.wait_for_line(std::regex("created admin admin@localhost; its password is in"));
        admin_password = testing::LedgerdProcess::admin_password(dir.string());
      }
      const auto port = static_cast<unsigned short>(std::stoi(
          ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))));
      if (cycle == 0) {
        HttpClient client("127.0.0.1", port);
        testing::create_funded_clients(
            client, testing::login(client, "admin@localhost", admin_password), clients);
      }
      std::mutex mutex;
      std::vector<std::thread> writers;
      writers.reserve(clients.size());
      for (const auto& email : clients) {
        writers.emplace_back(testing::pay_until_stopped, port, email, &acknowledged, &mutex,
                             nullptr);
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 600)(random)));
      ledgerd.terminate_and_wait(SIGKILL);
      for (auto& writer : writers) writer.join();
    }
    total_acknowledged += acknowledged.size();

    auto audit = testing::run_tool(LEDGER_AUDIT, "verify --quiet --data-dir " + dir.string());
    CHECK_MESSAGE(audit.exit_code == 0, audit.output);

    auto log = testing::LedgerFixture::open_log(dir.string() + "/store");
    testing::check_payments_present(*log, acknowledged);
    SystemClock clock;
    projections::ProjectionRegistry registry(*log, clock);
    projections::add_server_projections(registry);
    REQUIRE(registry.start().ok());
    testing::check_projections_equal_rebuild(registry);
    registry.stop();
  }
  MESSAGE(cycles << " SIGKILL cycles, " << total_acknowledged
                 << " acknowledged payments, all present");
  CHECK(total_acknowledged > 0);
}

}  // namespace
}  // namespace ledger
