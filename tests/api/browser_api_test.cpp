// The API as a browser page on another origin uses it (API.md, "Browsers"): CORS answers and
// preflights from the route table, and the stream tickets with which EventSource opens the
// notification feed. The whole flow in a real browser is tests/browser/.
#include <doctest/doctest.h>

#include "http/cors.h"
#include "http/request_guard.h"
#include "http/route_table.h"
#include "tests/support/api_fixture.h"
#include "tests/support/event_stream.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;
using testing::HttpAnswer;
using testing::kDashboardOrigin;
using Headers = std::vector<std::pair<std::string, std::string>>;

// A preflight as a browser sends it before a cross-origin call of `method` on `target`.
HttpAnswer preflight(testing::HttpClient& client, const std::string& target,
                     const std::string& method, const std::string& origin = kDashboardOrigin) {
  return client.request(verb::options, target, "",
                        {{"Origin", origin},
                         {"Access-Control-Request-Method", method},
                         {"Access-Control-Request-Headers", "authorization,content-type"}});
}

void check_no_allowance(const HttpAnswer& answer) {
  CHECK(answer.header("Access-Control-Allow-Origin").empty());
  CHECK(answer.header("Access-Control-Allow-Methods").empty());
  CHECK(answer.header("Access-Control-Allow-Headers").empty());
  CHECK(answer.header("Access-Control-Allow-Credentials").empty());
  CHECK(answer.header("Vary") == "Origin");
}

void check_allowed(const HttpAnswer& answer) {
  CHECK(answer.header("Access-Control-Allow-Origin") == kDashboardOrigin);
  CHECK(answer.header("Access-Control-Expose-Headers") ==
        "X-Ledger-Position, Retry-After, Location");
  CHECK(answer.header("Access-Control-Allow-Credentials").empty());
  CHECK(answer.header("Vary") == "Origin");
}

TEST_CASE("every declared route answers a preflight from an allowed origin with its own methods") {
  ApiFixture f;
  auto client = f.client();  // one connection for them all
  std::size_t answered = 0;
  for (const auto& route : http::route_table()) {
    std::string target = route.path;
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "some-id");
    }
    const std::string method(boost::beast::http::to_string(route.method));
    CAPTURE(target);
    CAPTURE(method);
    const auto answer = preflight(client, target, method);
    CHECK(answer.status == 204);
    CHECK(answer.header("Access-Control-Allow-Origin") == kDashboardOrigin);
    CHECK(answer.header("Access-Control-Allow-Methods") ==
          http::methods_text(f.router.methods_of(target)));
    CHECK(answer.header("Access-Control-Allow-Methods").find(method) != std::string::npos);
    CHECK(answer.header("Access-Control-Allow-Headers") ==
          "Authorization, Content-Type, Idempotency-Key, X-Min-Position");
    CHECK(answer.header("Access-Control-Max-Age") == "600");
    CHECK(answer.header("Access-Control-Allow-Credentials").empty());
    CHECK(answer.header("Vary") == "Origin");
    ++answered;
  }
  CHECK(answered == http::route_table().size());
  // Two methods on one path: both, from the table.
  CHECK(preflight(client, "/api/auth/me/", "PATCH").header("Access-Control-Allow-Methods") ==
        "GET, PATCH");
}

TEST_CASE(
    "a preflight for an undeclared path, an undeclared method or another origin gets no "
    "allowance") {
  ApiFixture f;
  auto client = f.client();
  auto unknown_path = preflight(client, "/api/no-such-thing/", "GET");
  CHECK(unknown_path.status == 404);
  check_no_allowance(unknown_path);
  auto unknown_method = preflight(client, "/api/wallet/", "DELETE");
  CHECK(unknown_method.status == 405);
  CHECK(unknown_method.header("Allow") == "GET");
  check_no_allowance(unknown_method);
  auto other_origin = preflight(client, "/api/wallet/", "GET", "http://evil.test:3000");
  CHECK(other_origin.status == 403);
  check_no_allowance(other_origin);
  // An OPTIONS that is no preflight is routed as any unknown method is.
  auto plain = client.request(verb::options, "/api/wallet/");
  CHECK(plain.status == 405);
  CHECK(plain.header("Access-Control-Allow-Origin").empty());
}

TEST_CASE("hostile Origin values are no allowed origin: no CORS headers, and the answer stands") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string origin = kDashboardOrigin;
  const std::vector<std::string> hostile = {
      origin + "/",
      "HTTP://dashboard.test:3000",
      "http://DASHBOARD.test:3000",
      origin + ".evil.test",
      "http://evil.test/" + origin,
      "http://dashboard.test",
      "https://dashboard.test:3000",
      "null",
      "*",
      "",
      origin + ", http://evil.test",
      origin + "\t" + origin,
      std::string(4000, 'h'),
  };
  auto client = f.client();
  for (const auto& value : hostile) {
    CAPTURE(value);
    auto answer = f.call(admin, verb::get, "/api/auth/me/", "", {{"Origin", value}});
    CHECK(answer.status == 200);
    check_no_allowance(answer);
    auto refused = preflight(client, "/api/auth/me/", "GET", value);
    CHECK(refused.status == 403);
    check_no_allowance(refused);
  }
  // A control character: the request is not HTTP (400), and no allowance either.
  const std::string control = origin + "\x01";
  auto not_http = f.call(admin, verb::get, "/api/auth/me/", "", {{"Origin", control}});
  CHECK(not_http.status == 400);
  check_no_allowance(not_http);
  auto fresh = f.client();
  auto not_http_preflight = preflight(fresh, "/api/auth/me/", "GET", control);
  CHECK(not_http_preflight.status == 400);
  check_no_allowance(not_http_preflight);
  // Two Origin headers, even both allowed, are no origin (sent raw: the client would merge them).
  boost::asio::io_context io;
  const std::string origin_line = std::string("Origin: ") + kDashboardOrigin + "\r\n";
  auto twice = testing::open_event_stream(
      io, f.server->port(), "/api/auth/me/",
      "Authorization: Bearer " + admin + "\r\n" + origin_line + origin_line);
  std::string seen;
  testing::read_stream_until(*twice, seen, "\r\n\r\n");
  CHECK(seen.starts_with("HTTP/1.1 200"));
  CHECK(seen.find("Access-Control-Allow-Origin") == std::string::npos);
  // And the allowed origin, after all that, still is.
  check_allowed(f.call(admin, verb::get, "/api/auth/me/", "", {{"Origin", kDashboardOrigin}}));
}

TEST_CASE("answers to an allowed origin carry CORS headers, errors and refusals included") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const Headers from_dashboard = {{"Origin", kDashboardOrigin}};

  auto wallet = f.call(alice, verb::get, "/api/wallet/", "", from_dashboard);
  CHECK(wallet.status == 200);
  CHECK_FALSE(wallet.header("X-Ledger-Position").empty());
  check_allowed(wallet);
  check_allowed(f.call("", verb::get, "/api/wallet/", "", from_dashboard));  // 401
  auto bad_json = f.call(alice, verb::post, "/api/wallet/pay/", R"({"amount":)", from_dashboard);
  CHECK(bad_json.status == 400);
  check_allowed(bad_json);
  auto unknown = f.call(alice, verb::get, "/api/no-such-thing/", "", from_dashboard);
  CHECK(unknown.status == 404);
  check_allowed(unknown);
  auto oversize =
      f.call(admin, verb::post, "/api/users/", std::string(2 << 20, ' '), from_dashboard);
  CHECK(oversize.status == 413);
  check_allowed(oversize);
  // A rate limit's 429 and its Retry-After, which the page may read.
  HttpAnswer limited;
  for (int attempt = 0; attempt < 20 && limited.status != 429; ++attempt) {
    limited = f.call("", verb::post, "/api/auth/login/",
                     R"({"email":"alice@x.com","password":"wrong password"})", from_dashboard);
    check_allowed(limited);
  }
  CHECK(limited.status == 429);
  CHECK_FALSE(limited.header("Retry-After").empty());
  // Without an Origin, as from a server: no CORS allowance, but the answer still varies by it.
  auto plain = f.get(alice, "/api/wallet/");
  CHECK(plain.header("Access-Control-Allow-Origin").empty());
  CHECK(plain.header("Vary") == "Origin");

  // The event stream's head too.
  boost::asio::io_context io;
  auto stream = testing::open_event_stream(
      io, f.server->port(), "/api/notifications/stream/",
      "Authorization: Bearer " + alice + "\r\nOrigin: " + kDashboardOrigin + "\r\n");
  std::string seen;
  testing::read_stream_until(*stream, seen, "\r\n\r\n");
  CHECK(seen.starts_with("HTTP/1.1 200"));
  CHECK(seen.find(std::string("Access-Control-Allow-Origin: ") + kDashboardOrigin) !=
        std::string::npos);
}

TEST_CASE("only exact http and https origins may be configured") {
  for (const char* origin : {"https://app.example.com", "http://127.0.0.1:3000",
                             "http://localhost:8080", "http://[::1]:8080", "https://a-b.c"}) {
    CAPTURE(origin);
    CHECK(http::check_cors_origin(origin).ok());
  }
  for (const char* origin :
       {"*", "null", "", "https://app.example.com/", "https://app.example.com/path",
        "https://*.example.com", "ftp://example.com", "https://App.example.com", "https://x:0",
        "https://x:65536", "https://x:", "https://x:08", "http://", "example.com",
        "https://user@example.com", "https://example.com?x", "http://[::1", "https://.x",
        "https://exa mple.com"}) {
    CAPTURE(origin);
    const auto checked = http::check_cors_origin(origin);
    CHECK_FALSE(checked.ok());
    if (!checked.ok()) CHECK(checked.error().message.find("--cors-origin") != std::string::npos);
  }
}

// The ticket of `token`'s user, from POST /api/notifications/stream-ticket/.
std::string stream_ticket(ApiFixture& f, const std::string& token) {
  auto answer = f.post(token, "/api/notifications/stream-ticket/");
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  CHECK(answer.header("Cache-Control") == "no-store");
  return answer.json()["ticket"].get<std::string>();
}

// The status line's code of GET /api/notifications/stream/?ticket=<ticket>, sent without a
// bearer token; `seen` keeps what was read.
unsigned open_with_ticket(ApiFixture& f, boost::asio::io_context& io,
                          std::unique_ptr<boost::beast::tcp_stream>& stream, std::string& seen,
                          const std::string& ticket, const std::string& header_lines = "") {
  stream = testing::open_event_stream(io, f.server->port(),
                                      "/api/notifications/stream/?ticket=" + ticket, header_lines);
  seen.clear();
  testing::read_stream_until(*stream, seen, "\r\n\r\n");
  REQUIRE(seen.starts_with("HTTP/1.1 "));
  return static_cast<unsigned>(std::stoul(seen.substr(9, 3)));
}

TEST_CASE("a stream ticket opens the caller's feed once, the feed then sends new notifications") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");

  const auto head = f.log->head().position;
  auto issued = f.post(alice, "/api/notifications/stream-ticket/");
  REQUIRE(issued.status == 200);
  const std::string ticket = issued.json()["ticket"].get<std::string>();
  CHECK(ticket.starts_with("lst_"));
  CHECK(ticket.size() == 68);
  CHECK(issued.json()["expires_at"] == "2026-11-23T10:01:00Z");
  CHECK(f.log->head().position == head);  // a ticket is no event: nothing is written
  CHECK(f.api.stream_tickets.issued_recently(f.clock.now_us()) == 1);

  boost::asio::io_context io;
  std::unique_ptr<boost::beast::tcp_stream> live;
  std::string seen;
  CHECK(open_with_ticket(f, io, live, seen, ticket) == 200);
  CHECK(seen.find("Content-Type: text/event-stream") != std::string::npos);
  f.fund(admin, alice, "9.00");
  testing::read_stream_until(*live, seen, "Top-up confirmed");
  CHECK(seen.find("event: notification") != std::string::npos);
  CHECK(seen.find("Top-up confirmed") != std::string::npos);

  // Used once: refused, with CORS headers for the dashboard so that the page sees the 401.
  std::unique_ptr<boost::beast::tcp_stream> again;
  std::string refused;
  CHECK(open_with_ticket(f, io, again, refused, ticket,
                         std::string("Origin: ") + kDashboardOrigin + "\r\n") == 401);
  CHECK(refused.find(std::string("Access-Control-Allow-Origin: ") + kDashboardOrigin) !=
        std::string::npos);
}

TEST_CASE("Last-Event-ID resumes a feed opened with a ticket") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.fund(admin, alice, "9.00");
  REQUIRE(f.projections.find("notifications")->catch_up().ok());
  const std::string first_id =
      f.get(alice, "/api/notifications/").json()["results"][0]["id"].get<std::string>();
  REQUIRE(f.post(alice, "/api/wallet/pay/", R"({"amount":"2.00","service":"website"})").status ==
          201);
  REQUIRE(f.projections.find("notifications")->catch_up().ok());

  boost::asio::io_context io;
  std::unique_ptr<boost::beast::tcp_stream> resumed;
  std::string seen;
  CHECK(open_with_ticket(f, io, resumed, seen, stream_ticket(f, alice),
                         "Last-Event-ID: " + first_id + "\r\n") == 200);
  testing::read_stream_until(*resumed, seen, "You paid $2.00");
  CHECK(seen.find("You paid $2.00") != std::string::npos);
  CHECK(seen.find("id: " + first_id + "\n") == std::string::npos);

  // A new EventSource cannot set the header: the same in the query.
  std::unique_ptr<boost::beast::tcp_stream> reopened;
  CHECK(open_with_ticket(f, io, reopened, seen,
                         stream_ticket(f, alice) + "&last_event_id=" + first_id) == 200);
  testing::read_stream_until(*reopened, seen, "You paid $2.00");
  CHECK(seen.find("You paid $2.00") != std::string::npos);
  CHECK(seen.find("Top-up confirmed") == std::string::npos);
  CHECK(open_with_ticket(f, io, reopened, seen,
                         stream_ticket(f, alice) + "&last_event_id=not%2Fan-id") == 400);
}

TEST_CASE("a ticket expires after 60 seconds, by the server's clock") {
  ApiFixture f;
  const std::string admin = f.admin();
  boost::asio::io_context io;
  std::unique_ptr<boost::beast::tcp_stream> stream;
  std::string seen;

  const std::string in_time = stream_ticket(f, admin);
  f.clock.advance_us(59 * kMicrosPerSecond);
  CHECK(open_with_ticket(f, io, stream, seen, in_time) == 200);

  const std::string late = stream_ticket(f, admin);
  f.clock.advance_us(60 * kMicrosPerSecond);
  CHECK(open_with_ticket(f, io, stream, seen, late) == 401);
  CHECK(f.api.stream_tickets.issued_recently(f.clock.now_us()) == 0);
}

TEST_CASE("a ticket of a revoked token or of a deactivated user opens nothing") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  boost::asio::io_context io;
  std::unique_ptr<boost::beast::tcp_stream> stream;
  std::string seen;

  const std::string alice = f.login_as("alice@x.com");
  const std::string of_revoked = stream_ticket(f, alice);
  REQUIRE(f.post(alice, "/api/auth/logout/").status / 100 == 2);
  CHECK(open_with_ticket(f, io, stream, seen, of_revoked) == 401);

  const std::string alice_again = f.login_as("alice@x.com");
  const std::string of_deactivated = stream_ticket(f, alice_again);
  REQUIRE(
      f.call(admin, verb::patch, "/api/users/" + alice_id + "/", R"({"is_active":false})").status ==
      200);
  CHECK(open_with_ticket(f, io, stream, seen, of_deactivated) == 401);
}

TEST_CASE("a token in the query string is still refused, and so is any ticket not issued") {
  ApiFixture f;
  const std::string admin = f.admin();
  boost::asio::io_context io;
  std::unique_ptr<boost::beast::tcp_stream> stream;
  std::string seen;
  stream = testing::open_event_stream(io, f.server->port(),
                                      "/api/notifications/stream/?token=" + admin, "");
  testing::read_stream_until(*stream, seen, "\r\n\r\n");
  CHECK(seen.starts_with("HTTP/1.1 401"));
  const std::string issued = stream_ticket(f, admin);
  std::string forged = issued;
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const std::string& ticket :
       {std::string(), std::string("lst_"), forged, "lct_" + issued.substr(4), issued + "0",
        std::string(5000, 'a'), admin}) {
    CAPTURE(ticket);
    CHECK(open_with_ticket(f, io, stream, seen, ticket) == 401);
  }
  CHECK(open_with_ticket(f, io, stream, seen, "%ZZ") == 400);  // not percent-encoding
  // None of those used the issued ticket up.
  CHECK(open_with_ticket(f, io, stream, seen, issued) == 200);
}

TEST_CASE("tickets are limited per user within their lifetime, the limit lifts as they expire") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  const std::size_t limit = f.api.stream_tickets.options().per_user_max;
  for (std::size_t i = 0; i < limit; ++i) stream_ticket(f, alice);
  auto refused = f.post(alice, "/api/notifications/stream-ticket/");
  CHECK(refused.status == 429);
  CHECK(refused.header("Retry-After") == "60");
  stream_ticket(f, admin);  // another user's are counted apart
  f.clock.advance_us(60 * kMicrosPerSecond);
  stream_ticket(f, alice);
}

TEST_CASE("a log line never shows a ticket or a token from the query string") {
  CHECK(http::target_for_log("/api/notifications/stream/?ticket=lst_abc") ==
        "/api/notifications/stream/?ticket=[redacted]");
  CHECK(http::target_for_log("/api/x/?a=1&ticket=lst_abc&token=lct_def&b=2") ==
        "/api/x/?a=1&ticket=[redacted]&token=[redacted]&b=2");
  CHECK(http::target_for_log("/api/x/?ticketed=1&ticket") == "/api/x/?ticketed=1&ticket");
  CHECK(http::target_for_log("/api/x/") == "/api/x/");
}

}  // namespace
}  // namespace ledger
