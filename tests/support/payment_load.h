// HTTP payment load for process-level tests: clients created and funded through the API, and
// writers that pay until the server goes away, recording what it acknowledged.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/store/event_log.h"
#include "events/wallet_events.pb.h"
#include "tests/support/http_client.h"

namespace ledger::testing {

struct Payment {
  std::uint64_t position = 0;
  std::string transaction_id;
};

inline std::string login(HttpClient& client, const std::string& email,
                         const std::string& password) {
  auto answer = client.request(boost::beast::http::verb::post, "/api/auth/login/",
                               nlohmann::json{{"email", email}, {"password", password}}.dump());
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  return "Bearer " + answer.json()["token"].get<std::string>();
}

// Creates verified clients and funds each wallet with 100,000.00 (top-up confirmed by the admin).
inline void create_funded_clients(HttpClient& client, const std::string& admin,
                                  const std::vector<std::string>& emails) {
  for (const auto& email : emails) {
    auto created = client.request(boost::beast::http::verb::post, "/api/users/",
                                  nlohmann::json{{"email", email},
                                                 {"password", "password-" + email},
                                                 {"name", email},
                                                 {"role", "client"}}
                                      .dump(),
                                  {{"Authorization", admin}});
    REQUIRE_MESSAGE(created.status == 201, created.body);
    const std::string token = login(client, email, "password-" + email);
    auto topup = client.request(boost::beast::http::verb::post, "/api/wallet/topup/",
                                R"({"amount":"100000.00","payment_method":"card"})",
                                {{"Authorization", token}});
    REQUIRE_MESSAGE(topup.status == 201, topup.body);
    auto confirmed =
        client.request(boost::beast::http::verb::post,
                       "/api/wallet/topups/" + topup.json()["id"].get<std::string>() + "/confirm/",
                       R"({"provider_reference":"crash-test"})", {{"Authorization", admin}});
    REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
  }
}

// Pays 0.01 for website from `email`'s wallet until the connection fails (the server was
// killed) or `stop` is set; records every payment the server acknowledged (201).
inline void pay_until_stopped(unsigned short port, const std::string& email,
                              std::vector<Payment>* acknowledged, std::mutex* mutex,
                              const std::atomic<bool>* stop = nullptr) {
  try {
    HttpClient client("127.0.0.1", port);
    const std::string token = login(client, email, "password-" + email);
    while (stop == nullptr || !*stop) {
      auto paid =
          client.request(boost::beast::http::verb::post, "/api/wallet/pay/",
                         R"({"amount":"0.01","service":"website"})", {{"Authorization", token}});
      if (paid.status != 201) continue;
      Payment payment{std::stoull(paid.header("X-Ledger-Position")),
                      paid.json()["transaction"]["id"].get<std::string>()};
      std::lock_guard lock(*mutex);
      acknowledged->push_back(std::move(payment));
    }
  } catch (const std::exception&) {
    // The server is gone: the connection broke.
  }
}

// Every payment in `payments` is in `log`, at the position the server answered.
inline void check_payments_present(store::EventLog& log, const std::vector<Payment>& payments) {
  for (const auto& payment : payments) {
    REQUIRE(payment.position >= 1);
    auto events = log.read_all(payment.position - 1, 1);
    REQUIRE(events.ok());
    REQUIRE_MESSAGE(events->size() == 1, "acknowledged position " << payment.position
                                                                  << " beyond the head "
                                                                  << log.head().position);
    const auto& event = events->front();
    REQUIRE(event.event_type() == "WalletDebited");
    events::WalletDebited debited;
    REQUIRE(debited.ParseFromString(event.payload()));
    CHECK(debited.transaction_id() == payment.transaction_id);
  }
}

}  // namespace ledger::testing
