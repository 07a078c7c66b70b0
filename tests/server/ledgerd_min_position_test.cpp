// X-Min-Position against ledgerd as a process: queries waiting for a position the log has not
// reached hold no I/O thread (ledgerd runs two), so health checks and other queries are answered
// while they wait; a position no write can reach while a query waits is refused at once; a write
// that reaches the position answers the waiting queries.
//
// No wall-clock assertion: the waiters' deadline (--min-position-wait-ms) is 60 s, and what is
// checked is the order of events (every waiter still waiting when health answers; every waiter
// answered 200, not timed out, once the write is done).
#include <doctest/doctest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::LedgerdProcess;

constexpr int kWaiters = 40;

struct Ledgerd {
  testing::TempDirectory dir;
  LedgerdProcess process{dir.string(),
                         {"--password-cost", "10", "--min-position-wait-ms", "60000"}};
  unsigned short port = static_cast<unsigned short>(
      std::stoi(process.wait_for_line(std::regex("listening on http://127.0.0.1:(\\d+)"))));

  HttpAnswer call(const std::string& token, verb method, const std::string& target,
                  const std::string& body = "",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    HttpClient client("127.0.0.1", port);
    return client.request(method, target, body, headers);
  }

  std::string login(const std::string& email, const std::string& password) {
    auto answer = call("", verb::post, "/api/auth/login/",
                       nlohmann::json{{"email", email}, {"password", password}}.dump());
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return answer.json()["token"].get<std::string>();
  }

  // The number of queries parked for their X-Min-Position, from /metrics.
  int waiters(const std::string& admin) {
    const auto metrics = call(admin, verb::get, "/metrics");
    REQUIRE(metrics.status == 200);
    std::smatch match;
    REQUIRE(std::regex_search(metrics.body, match,
                              std::regex("\nledger_http_min_position_waiters (\\d+)")));
    return std::stoi(match[1].str());
  }
};

TEST_CASE(
    "40 queries waiting for an unreached X-Min-Position hold no I/O thread: health and a balance "
    "are answered while all of them wait, far positions are refused at once, and a write that "
    "reaches the position answers them") {
  Ledgerd ledgerd;
  const std::string admin =
      ledgerd.login("admin@localhost", LedgerdProcess::admin_password(ledgerd.dir.string()));
  const auto created = ledgerd.call(admin, verb::post, "/api/users/",
                                    R"({"email":"alice@x.com","password":"password-alice",
                                        "name":"Alice","role":"client"})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string alice = ledgerd.login("alice@x.com", "password-alice");
  const auto balance = ledgerd.call(alice, verb::get, "/api/wallet/");
  REQUIRE(balance.status == 200);
  const std::uint64_t head = std::stoull(balance.header("X-Ledger-Position"));
  const std::string next = std::to_string(head + 1);

  std::atomic<int> answered{0};
  std::vector<HttpAnswer> answers(kWaiters);
  std::vector<std::jthread> waiters;  // joined on every way out
  waiters.reserve(kWaiters);
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      answers[i] = ledgerd.call(alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", next}});
      ++answered;
    });
  }
  for (int polls = 0; polls < 3000 && ledgerd.waiters(admin) < kWaiters; ++polls) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(ledgerd.waiters(admin) == kWaiters);

  CHECK(ledgerd.call("", verb::get, "/healthz").status == 200);
  CHECK(answered == 0);
  const auto during = ledgerd.call(alice, verb::get, "/api/wallet/");
  CHECK(during.status == 200);
  CHECK(during.json()["balance"] == "0.00");
  CHECK(answered == 0);
  for (const std::string& far : {std::string("99999999999"), std::to_string(head + 10'001)}) {
    for (int i = 0; i < kWaiters; ++i) {
      const auto refused =
          ledgerd.call(alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", far}});
      CHECK(refused.status == 400);
      CHECK(refused.json()["errors"].contains("X-Min-Position"));
    }
  }
  CHECK(answered == 0);
  CHECK(ledgerd.waiters(admin) == kWaiters);

  const auto topup = ledgerd.call(alice, verb::post, "/api/wallet/topup/",
                                  R"({"amount":"5.00","payment_method":"card"})");
  REQUIRE_MESSAGE(topup.status == 201, topup.body);
  for (auto& waiter : waiters) waiter.join();
  for (const auto& answer : answers) {
    CHECK(answer.status == 200);
    CHECK(std::stoull(answer.header("X-Ledger-Position")) >= head + 1);
  }
  CHECK(ledgerd.waiters(admin) == 0);
  CHECK(ledgerd.process.terminate_and_wait(SIGTERM) == 0);
}

}  // namespace
}  // namespace ledger
