// ledgerd as operators run it: a real process on a free loopback port with a temporary data dir.
#include <doctest/doctest.h>

#include <signal.h>

#include <regex>

#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/store/rocksdb_event_log.h"
#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using testing::HttpClient;
using testing::LedgerdProcess;

TEST_CASE("ledgerd serves health and the log head, and closes the store cleanly on SIGTERM") {
  testing::TempDirectory dir;
  LedgerdProcess ledgerd(dir.string());
  ledgerd.wait_for_line(std::regex("created admin admin@localhost; its password is in"));
  const std::string password = testing::LedgerdProcess::admin_password(dir.string());
  CHECK(password.size() >= 20);
  const std::string port =
      ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  // No secret in the log: the password is only in its 0600 file.
  CHECK(ledgerd.seen().find(password) == std::string::npos);
  {
    testing::HttpClient client("127.0.0.1", static_cast<unsigned short>(std::stoi(port)));
    auto health = client.get("/healthz");
    CHECK(health.status == 200);
    CHECK(health.json()["status"] == "ok");
    auto head = client.get("/api/ledger/head/");  // same connection: keep-alive
    CHECK(head.status == 200);
    CHECK(head.json()["position"] == 1);  // the first admin
    CHECK(head.json()["hash"].get<std::string>().size() == 64);
    CHECK(head.header("X-Ledger-Position") == "1");
    auto login =
        client.request(boost::beast::http::verb::post, "/api/auth/login/",
                       nlohmann::json{{"email", "admin@localhost"}, {"password", password}}.dump());
    REQUIRE(login.status == 200);
    const std::string token = login.json()["token"].get<std::string>();
    auto missing = client.get("/api/ledger/head");  // no trailing slash: not the same path
    CHECK(missing.status == 404);
    CHECK(missing.header("Content-Type") == "application/problem+json");
    CHECK(missing.json()["status"] == 404);
    CHECK(client.get("/metrics").status == 401);  // admins only on the API listener
    auto metrics = client.request(boost::beast::http::verb::get, "/metrics", "",
                                  {{"Authorization", "Bearer " + token}});
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("ledger_http_requests_total{route=\"/healthz\",method=\"GET\","
                            "status=\"200\"} 1") != std::string::npos);
    CHECK(metrics.body.find("ledger_log_head_position 2") != std::string::npos);
    CHECK(metrics.body.find("ledger_sequencer_batch_size_bucket") != std::string::npos);
    CHECK(metrics.body.find("ledger_sequencer_decide_seconds_total") != std::string::npos);
    CHECK(metrics.body.find("ledger_sequencer_complete_seconds_total") != std::string::npos);
  }
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  LedgerdProcess again(dir.string());  // the store reopens: it was closed cleanly
  const std::string second = again.wait_for_line(std::regex("(created admin|listening on)"));
  CHECK(second == "listening on");  // the admin exists: no new password
  CHECK(again.terminate_and_wait(SIGINT) == 0);
}

// As after an upgrade whose fold writes other rows: the stored version of the identity keyspace
// differs from the code's, and its rows are gone. ledgerd must rebuild them from the log before
// it serves (the first admin logs in; no second admin is created) and record the code's version.
TEST_CASE("ledgerd rebuilds a read model written by another fold version before it serves") {
  testing::TempDirectory dir;
  {
    LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10"});
    ledgerd.wait_for_line(std::regex("listening on"));
    CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  }
  const std::string password = LedgerdProcess::admin_password(dir.string());
  store::StoreOptions options;
  options.path = dir.string() + "/store";
  options.state_keyspaces = domain::domain_keyspaces();
  const std::uint32_t code_version = domain::find_inline_fold(domain::kIdentityKeyspace)->version;
  // The generation the emptied rows are in (a fold at a version other than 1 was already rebuilt
  // once, silently, when the new store recorded it).
  std::uint64_t emptied_generation = 0;
  {
    auto log = store::RocksDbEventLog::open(options);
    REQUIRE(log.ok());
    const std::vector<store::KeyspaceRebuild> emptied = {
        {std::string(domain::kIdentityKeyspace), code_version + 7}};
    REQUIRE((*log)->rebuild_keyspaces(emptied, [](store::FreshRows&) { return Status(); }).ok());
    emptied_generation = (*log)->keyspace_generation(domain::kIdentityKeyspace).value();
  }
  LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10"});
  CHECK(
      ledgerd.wait_for_line(std::regex("read model identity was written by fold version (\\d+)")) ==
      std::to_string(code_version + 7));
  CHECK(ledgerd.wait_for_line(std::regex("rebuilt identity: (\\d+) events folded")) == "1");
  const auto port = static_cast<unsigned short>(
      std::stoi(ledgerd.wait_for_line(std::regex("listening on http://127.0.0.1:(\\d+)"))));
  CHECK(ledgerd.seen().find("created admin") == std::string::npos);
  HttpClient client("127.0.0.1", port);
  auto login =
      client.request(boost::beast::http::verb::post, "/api/auth/login/",
                     nlohmann::json{{"email", "admin@localhost"}, {"password", password}}.dump());
  CHECK(login.status == 200);
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  auto log = store::RocksDbEventLog::open(options);
  REQUIRE(log.ok());
  CHECK((*log)->keyspace_version(domain::kIdentityKeyspace).value() == code_version);
  CHECK((*log)->keyspace_generation(domain::kIdentityKeyspace).value() == emptied_generation + 1);
}

TEST_CASE("--metrics-listen serves /metrics without a token, and nothing else") {
  testing::TempDirectory dir;
  LedgerdProcess ledgerd(dir.string(),
                         {"--password-cost", "10", "--metrics-listen", "127.0.0.1:0"});
  const auto metrics_port = static_cast<unsigned short>(
      std::stoi(ledgerd.wait_for_line(std::regex("metrics on http://127.0.0.1:(\\d+)/metrics"))));
  const auto api_port = static_cast<unsigned short>(
      std::stoi(ledgerd.wait_for_line(std::regex("listening on http://127.0.0.1:(\\d+)"))));
  HttpClient scraper("127.0.0.1", metrics_port);
  auto metrics = scraper.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.header("Content-Type").starts_with("text/plain"));
  CHECK(metrics.body.find("ledger_log_head_position 1") != std::string::npos);
  CHECK(scraper.get("/healthz").status == 404);
  CHECK(scraper.get("/api/ledger/head/").status == 404);
  HttpClient client("127.0.0.1", api_port);
  CHECK(client.get("/metrics").status == 401);
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
}

TEST_CASE("ledgerd refuses a malformed --listen with exit code 2") {
  testing::TempDirectory dir;
  const std::string program = LEDGER_LEDGERD;
  const std::string command =
      program + " --data-dir " + dir.string() + " --listen nonsense 2>/dev/null";
  const int status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 2);
}

}  // namespace
}  // namespace ledger
