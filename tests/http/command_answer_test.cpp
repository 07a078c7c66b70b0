// A command's answer through the HTTP layer (http/api_support.h run_command): the sequencer's
// writer thread hands the typed answer over, and the JSON is built on the connection's thread
// (Reply::on_connection); a replay of an idempotency key answers the remembered answer.
#include <doctest/doctest.h>

#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "core/domain/wallet.h"
#include "core/id_generator.h"
#include "http/api_context.h"
#include "http/api_support.h"
#include "http/rate_limiter.h"
#include "tests/support/ledger_fixture.h"

namespace ledger::http {
namespace {

using testing::LedgerFixture;
using testing::usd;

// A connection stand-in: work handed to it waits in a queue until the test runs it, and the
// answer it sends is kept.
struct Connection {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Reply::Work> queued;
  std::optional<Response> sent;

  Reply reply() {
    return Reply(
        [this](Response response) {
          std::lock_guard lock(mutex);
          sent = std::move(response);
          changed.notify_all();
        },
        {}, {},
        [this](Reply::Work work) {
          std::lock_guard lock(mutex);
          queued.push_back(std::move(work));
          changed.notify_all();
        });
  }

  // Waits until work was handed over, then runs it here.
  bool run_queued() {
    Reply::Work work;
    {
      std::unique_lock lock(mutex);
      if (!changed.wait_for(lock, std::chrono::seconds(30), [&] { return !queued.empty(); })) {
        return false;
      }
      work = std::move(queued.front());
      queued.pop_front();
    }
    work();
    return true;
  }
};

struct Api {
  LedgerFixture f;
  IdGenerator ids{f.clock};
  boost::asio::thread_pool slow_work{1};
  RateLimiter limiter{f.clock};
  ApiContext api{*f.log, f.ledger, f.clock, ids, slow_work, limiter, ApiOptions{}};

  void request_topup(const Request& request, const std::string& topup, Reply reply,
                     std::thread::id* rendered_on = nullptr) {
    run_command<events::TopUpRequested>(
        api, request, "alice",
        [topup](domain::UnitOfWork& uow) {
          return domain::request_topup(
              uow, {domain::UserId{"alice"}, domain::TopUpId{topup}, usd("50.00"), "card"});
        },
        [rendered_on](const events::TopUpRequested& requested) -> Result<nlohmann::json> {
          if (rendered_on) *rendered_on = std::this_thread::get_id();
          return nlohmann::json{{"id", requested.topup_id()},
                                {"amount_minor", requested.amount_minor()}};
        },
        beast_http::status::created, std::move(reply));
  }
};

Request topup_request(std::string_view idempotency_key = "") {
  Request request(beast_http::verb::post, "/api/wallet/topup/", 11);
  if (!idempotency_key.empty()) request.set("Idempotency-Key", std::string(idempotency_key));
  return request;
}

TEST_CASE("a command's answer is rendered on the connection's thread, not the sequencer's") {
  Api a;
  Connection connection;
  std::thread::id rendered_on;
  a.request_topup(topup_request(), "t1", connection.reply(), &rendered_on);

  // The writer made the commit durable and handed the answer over: nothing rendered or sent.
  REQUIRE(connection.run_queued());
  {
    std::lock_guard lock(connection.mutex);
    REQUIRE(connection.sent.has_value());
  }
  CHECK(rendered_on == std::this_thread::get_id());
  CHECK(connection.sent->result() == beast_http::status::created);
  const auto body = nlohmann::json::parse(connection.sent->body());
  CHECK(body["id"] == "t1");
  CHECK(body["amount_minor"] == 5000);
  CHECK(body["position"] == a.f.log->head().position);
  CHECK(connection.sent->at("X-Ledger-Position") == std::to_string(a.f.log->head().position));
}

TEST_CASE("nothing is sent before the handed-over answer runs on the connection") {
  Api a;
  Connection connection;
  a.request_topup(topup_request(), "t1", connection.reply());
  {
    std::unique_lock lock(connection.mutex);
    REQUIRE(connection.changed.wait_for(lock, std::chrono::seconds(30),
                                        [&] { return !connection.queued.empty(); }));
    CHECK_FALSE(connection.sent.has_value());
  }
  REQUIRE(connection.run_queued());
  std::lock_guard lock(connection.mutex);
  CHECK(connection.sent.has_value());
}

TEST_CASE("a repeated idempotency key answers the first answer, marked as a replay") {
  Api a;
  Connection first;
  a.request_topup(topup_request("key-1"), "t1", first.reply());
  REQUIRE(first.run_queued());
  const std::uint64_t head = a.f.log->head().position;

  // The same request again (the client retried): the remembered answer, nothing written.
  Connection second;
  a.request_topup(topup_request("key-1"), "t1", second.reply());
  REQUIRE(second.run_queued());
  CHECK(a.f.log->head().position == head);
  CHECK(second.sent->result() == beast_http::status::created);
  CHECK(second.sent->at("Idempotent-Replayed") == "true");
  CHECK(nlohmann::json::parse(second.sent->body()) == nlohmann::json::parse(first.sent->body()));
  CHECK(first.sent->find("Idempotent-Replayed") == first.sent->end());
}

TEST_CASE("a refused command's error is rendered on the connection's thread as well") {
  Api a;
  Connection first;
  a.request_topup(topup_request(), "t1", first.reply());
  REQUIRE(first.run_queued());
  Connection again;  // the same top-up id again: refused by the domain
  a.request_topup(topup_request(), "t1", again.reply());
  REQUIRE(again.run_queued());
  CHECK(again.sent->result() != beast_http::status::created);
  CHECK(nlohmann::json::parse(again.sent->body()).contains("detail"));
}

TEST_CASE("an answer built later keeps the request's method, target, version, keep-alive and id") {
  Request request(beast_http::verb::post, "/api/wallet/pay/?x=1", 10);
  request.keep_alive(true);
  request.set(kRequestIdHeader, "id-7");
  request.set(beast_http::field::authorization, "Bearer secret");
  request.body() = R"({"amount":"0.01"})";
  const Request head = answering_head(request);
  CHECK(head.method() == beast_http::verb::post);
  CHECK(head.target() == "/api/wallet/pay/?x=1");
  CHECK(head.version() == 10);
  CHECK(head.keep_alive());
  CHECK(request_id_of(head) == "id-7");
  CHECK(head.find(beast_http::field::authorization) == head.end());
  CHECK(head.body().empty());

  Request closing(beast_http::verb::post, "/api/wallet/pay/", 11);
  closing.keep_alive(false);
  CHECK_FALSE(answering_head(closing).keep_alive());
  CHECK(request_id_of(answering_head(closing)).empty());
}

}  // namespace
}  // namespace ledger::http
