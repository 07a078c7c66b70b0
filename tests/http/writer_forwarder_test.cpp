// What a follower sends the writer for a client's request (http/writer_forwarder.h): the headers
// the routes read and nothing else, the hop header and the client's address; a header value
// that would break out of its line is refused rather than copied. And which node URLs
// --advertise-url accepts.
#include <doctest/doctest.h>

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

}  // namespace
}  // namespace ledger::http
