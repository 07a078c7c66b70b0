// Open-loop HTTP load against a small loopback server: the schedule decides how many requests are
// sent, and a stall of the server is charged to every request due during it (no coordinated
// omission). Only counts and lower bounds of latency are checked, never how fast anything runs.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "tools/load/http_open_loop.h"

namespace ledger::load {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

// Answers every request with 200 and a small JSON body, one thread per connection; the first
// request of the whole server waits `first_answer_delay` before its answer.
class StubServer {
 public:
  explicit StubServer(std::chrono::milliseconds first_answer_delay = {})
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        first_answer_delay_(first_answer_delay) {
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~StubServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the accept with a connection of our own.
    tcp::socket waker(io_);
    waker.connect(acceptor_.local_endpoint(), ignored);
    accept_thread_.join();
    for (auto& thread : connection_threads_) thread.join();
  }

  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  std::uint64_t requests() const { return requests_; }
  std::string last_authorization() const {
    std::lock_guard lock(mutex_);
    return last_authorization_;
  }

 private:
  void accept_loop() {
    while (true) {
      tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) return;
      connection_threads_.emplace_back(
          [this, socket = std::move(socket)]() mutable { serve(std::move(socket)); });
    }
  }

  void serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    while (true) {
      beast_http::request<beast_http::string_body> request;
      boost::system::error_code error;
      beast_http::read(socket, buffer, request, error);
      if (error) return;
      if (requests_++ == 0) std::this_thread::sleep_for(first_answer_delay_);
      {
        std::lock_guard lock(mutex_);
        last_authorization_ = std::string(request[beast_http::field::authorization]);
      }
      beast_http::response<beast_http::string_body> response{beast_http::status::ok, 11};
      response.set(beast_http::field::content_type, "application/json");
      response.body() = "{\"ok\":true}";
      response.prepare_payload();
      beast_http::write(socket, response, error);
      if (error) return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::chrono::milliseconds first_answer_delay_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> requests_{0};
  mutable std::mutex mutex_;
  std::string last_authorization_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
};

TEST_CASE("the open loop sends exactly the requests its schedule holds, over every connection") {
  StubServer server;
  OpenLoopOptions options;
  options.port = server.port();
  options.rate_per_second = 400;
  options.connections = 4;
  options.threads = 2;
  options.duration_ms = std::chrono::milliseconds(500);
  options.drain_timeout_ms = std::chrono::milliseconds(30'000);
  options.bearer_tokens = {"token-a", "token-b"};
  const OpenLoopResult result = run_open_loop(options);
  CHECK(result.due == 200);
  CHECK(result.answered == 200);
  CHECK(result.errors == 0);
  CHECK(result.unanswered == 0);
  CHECK(result.latencies.count() == 200);
  CHECK(server.requests() == 200);
  CHECK(server.last_authorization().rfind("Bearer token-", 0) == 0);
}

TEST_CASE("a stalled answer is charged to every request due while the server stalled") {
  // One connection, a request due every 10 ms, the first answer held for 400 ms: the 21 requests
  // due at 0, 10, ..., 200 ms cannot be answered before 400 ms, so more than a fifth of the 100
  // samples are 200 ms or more late (p80 included). A closed-loop client would see one slow
  // request among fast ones.
  StubServer server(std::chrono::milliseconds(400));
  OpenLoopOptions options;
  options.port = server.port();
  options.rate_per_second = 100;
  options.connections = 1;
  options.duration_ms = std::chrono::milliseconds(1000);
  options.drain_timeout_ms = std::chrono::milliseconds(30'000);
  const OpenLoopResult result = run_open_loop(options);
  CHECK(result.answered == 100);
  CHECK(result.latencies.max_us() >= 400'000);
  CHECK(result.latencies.percentile_us(80) >= 200'000);
}

TEST_CASE("requests still unanswered at the drain deadline are counted, not waited for") {
  StubServer server(std::chrono::milliseconds(2'000));
  OpenLoopOptions options;
  options.port = server.port();
  options.rate_per_second = 10;
  options.connections = 1;
  options.duration_ms = std::chrono::milliseconds(200);
  options.drain_timeout_ms = std::chrono::milliseconds(100);
  const OpenLoopResult result = run_open_loop(options);
  CHECK(result.due == 2);
  CHECK(result.answered == 0);
  CHECK(result.unanswered == 2);
}

TEST_CASE("a request is serialized with its token, type and length") {
  OpenLoopOptions options;
  options.port = "8080";
  options.method = "POST";
  options.target = "/api/wallet/pay/";
  options.body = R"({"amount":"0.01"})";
  CHECK(serialize_request(options, "abc") ==
        "POST /api/wallet/pay/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer abc\r\n"
        "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"amount\":\"0.01\"}");
  options.method = "GET";
  options.body.clear();
  CHECK(serialize_request(options, "") ==
        "GET /api/wallet/pay/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

}  // namespace
}  // namespace ledger::load
