// What a follower sends the writer for a client's request (http/writer_forwarder.h): the headers
// the routes read and nothing else, the hop header and the client's address; a header value
// that would break out of its line is refused rather than copied. And which node URLs
// --advertise-url accepts.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <future>
#include <thread>

#include "http/writer_forwarder.h"

namespace ledger::http {
namespace {

using boost::beast::http::verb;

constexpr char kSecret[] = "a-node-secret-of-some-length";

NodeUrl writer() { return *parse_node_url("http://10.0.0.7:8080"); }

Request client_request() {
  Request request{verb::post, "/api/wallet/topup/?x=1", 11};
  request.set("Host", "follower:8080");
  request.set("Content-Type", "application/json");
  request.set("Authorization", "Bearer t0ken");
  request.set("Idempotency-Key", "topup-1");
  request.set("Cookie", "session=1");
  request.set(kPeerHeader, "192.0.2.9");
  request.set(kNodeSecretHeader, "what-the-client-claims");
  request.body() = R"({"amount":"5.00"})";
  request.prepare_payload();
  return request;
}

std::string value(const Request& request, const char* name) {
  const auto found = request.find(name);
  return found == request.end() ? std::string("(absent)") : std::string(found->value());
}

TEST_CASE(
    "a forward carries the method, target, body and the headers routes read, the node "
    "secret and the client's address, and nothing else of the client's") {
  auto forwarded = forwarded_request(client_request(), writer(), kSecret, "192.0.2.9");
  REQUIRE(forwarded.ok());
  CHECK(forwarded->method() == verb::post);
  CHECK(forwarded->target() == "/api/wallet/topup/?x=1");
  CHECK(forwarded->body() == R"({"amount":"5.00"})");
  CHECK(value(*forwarded, "Host") == "10.0.0.7:8080");
  CHECK(value(*forwarded, "Content-Type") == "application/json");
  CHECK(value(*forwarded, "Authorization") == "Bearer t0ken");
  CHECK(value(*forwarded, "Idempotency-Key") == "topup-1");
  CHECK(value(*forwarded, kNodeSecretHeader) == kSecret);
  CHECK(value(*forwarded, kForwardedForHeader) == "192.0.2.9");
  CHECK(value(*forwarded, "Cookie") == "(absent)");
  CHECK(value(*forwarded, kPeerHeader) == "(absent)");
  CHECK(value(*forwarded, "Content-Length") == "17");
}

TEST_CASE(
    "a header value holding CR, LF or another control character is refused, never copied "
    "into a forward") {
  for (const std::string& injected :
       {std::string("k\r\nX-Ledger-Node-Secret: forged"), std::string("k\nX-Injected: 1"),
        std::string("k\rx"), std::string("k\0x", 3)}) {
    CAPTURE(injected);
    Request request = client_request();
    request.set("Idempotency-Key", injected);
    auto forwarded = forwarded_request(request, writer(), kSecret, "192.0.2.9");
    REQUIRE_FALSE(forwarded.ok());
    CHECK(forwarded.error().code == Errc::invalid_argument);
    CHECK(forwarded.error().field == "Idempotency-Key");
  }
  Request request = client_request();
  request.set("Authorization", "Bearer a\r\n\r\nPOST /api/admin/backup/ HTTP/1.1");
  auto forwarded = forwarded_request(request, writer(), kSecret, "192.0.2.9");
  REQUIRE_FALSE(forwarded.ok());
  CHECK(forwarded.error().field == "Authorization");
}

TEST_CASE("an advertised URL is http://HOST:PORT with at most a trailing slash") {
  for (const char* good : {"http://10.0.0.7:8080", "http://10.0.0.7:8080/", "http://node-1.lan:80",
                           "http://[::1]:8080/"}) {
    CAPTURE(good);
    CHECK(parse_node_url(good).ok());
  }
  CHECK(parse_node_url("http://[::1]:8080")->host == "::1");
  CHECK(parse_node_url("http://node-1.lan:80")->authority == "node-1.lan:80");
  for (const char* bad :
       {"https://10.0.0.7:8080", "10.0.0.7:8080", "http://10.0.0.7", "http://10.0.0.7:0",
        "http://10.0.0.7:65536", "http://10.0.0.7:8080/api", "http://10.0.0.7:8080?x",
        "http://user@10.0.0.7:8080", "http://:8080", "http://bad_host:8080", "http://[::1:8080",
        "http://a b:8080", "http://10.0.0.7:80x"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_node_url(bad).ok());
  }
}

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A stand-in writer on a loopback port: it reads each request whole, counts it, then answers 201
// with X-Ledger-Position or, when `drops`, closes the connection without answering.
class FakeWriter {
 public:
  explicit FakeWriter(bool drops) : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, drops] { serve(drops); });
  }
  ~FakeWriter() {
    stopping_ = true;
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  int requests() const { return requests_.load(); }

 private:
  void serve(bool drops) {
    while (!stopping_) {
      tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) continue;
      boost::beast::flat_buffer buffer;
      Request request;
      beast_http::read(socket, buffer, request, error);
      if (error) continue;
      ++requests_;
      if (drops) continue;  // the socket closes: the answer is lost
      Response answer{beast_http::status::created, 11};
      answer.set("X-Ledger-Position", "7");
      answer.set("Content-Type", "application/json");
      answer.body() = R"({"position":7})";
      answer.prepare_payload();
      beast_http::write(socket, answer, error);
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// A port nobody listens on.
std::string closed_url() {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

// Forwards one request through a forwarder whose locator answers `urls` in turn (the last one
// from then on), counting the reads of the writer's address.
struct Forwarding {
  explicit Forwarding(std::vector<std::string> writer_urls) : urls(std::move(writer_urls)) {}

  Result<Response> forward() {
    ForwardingOptions options;
    options.node_secret = kSecret;
    options.forward_timeout_ms = 5'000;
    WriterForwarder forwarder(options, WriterLocator{[] { return false; },
                                                     [this]() -> Result<std::string> {
                                                       const std::size_t at = reads++;
                                                       return urls[std::min(at, urls.size() - 1)];
                                                     }});
    std::promise<Result<Response>> answered;
    forwarder.forward(client_request(), [&answered](Result<Response> answer) {
      answered.set_value(std::move(answer));
    });
    auto answer = answered.get_future().get();
    forwarder.stop();
    return answer;
  }

  std::vector<std::string> urls;
  std::atomic<std::size_t> reads{0};
};

TEST_CASE(
    "a forward whose answer is lost after it was sent answers io_error and is not sent "
    "again") {
  FakeWriter writer(/*drops=*/true);
  Forwarding forwarding({writer.url()});
  auto answer = forwarding.forward();
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == Errc::io_error);
  CHECK(answer.error().message.find("Idempotency-Key") != std::string::npos);
  // A retry would have reached the writer by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(writer.requests() == 1);
  CHECK(forwarding.reads == 1);
}

TEST_CASE(
    "a forward that could not connect is tried once more at the writer's address read "
    "again, and relayed with the writer's status, body and position") {
  FakeWriter writer(/*drops=*/false);
  Forwarding forwarding({closed_url(), writer.url()});
  auto answer = forwarding.forward();
  REQUIRE(answer.ok());
  CHECK(answer->result() == beast_http::status::created);
  CHECK(answer->body() == R"({"position":7})");
  CHECK((*answer)["X-Ledger-Position"] == "7");
  CHECK(writer.requests() == 1);
  CHECK(forwarding.reads == 2);
}

TEST_CASE(
    "a forward that cannot connect twice, or finds no writer's address, answers "
    "store_read_only (503 with Retry-After)") {
  Forwarding unreachable({closed_url()});
  auto answer = unreachable.forward();
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == Errc::store_read_only);
  CHECK(unreachable.reads == 2);

  Forwarding nowhere({std::string()});
  auto no_address = nowhere.forward();
  REQUIRE_FALSE(no_address.ok());
  CHECK(no_address.error().code == Errc::store_read_only);
  CHECK(no_address.error().message.find("no writer has published") != std::string::npos);
}

}  // namespace
}  // namespace ledger::http
