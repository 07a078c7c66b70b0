// ledgerd as operators run it: a real process on a free loopback port with a temporary data dir.
#include <doctest/doctest.h>

#include <signal.h>

#include <regex>

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
    auto login = client.request(boost::beast::http::verb::post, "/api/auth/login/",
                                nlohmann::json{{"email", "admin@localhost"},
                                               {"password", password}}
                                    .dump());
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
  }
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  LedgerdProcess again(dir.string());  // the store reopens: it was closed cleanly
  const std::string second = again.wait_for_line(std::regex("(created admin|listening on)"));
  CHECK(second == "listening on");  // the admin exists: no new password
  CHECK(again.terminate_and_wait(SIGINT) == 0);
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
