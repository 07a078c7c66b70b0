// Notification feeds over HTTP: a payment shows in the client's feed once the projection has
// reached the command's position, read marks, filters, and the operators' projection view.
#include <doctest/doctest.h>

#include <boost/asio/write.hpp>

#include "tests/support/api_fixture.h"
#include "tests/support/event_stream.h"

namespace ledger {
namespace {

using testing::read_stream_until;

using boost::beast::http::verb;
using testing::ApiFixture;

TEST_CASE("a confirmed top-up notifies the client, read marks and filters") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.fund(admin, alice, "40.00");
  auto paid = f.post(alice, "/api/wallet/pay/", R"({"amount":"15.00","service":"website"})");
  REQUIRE(paid.status == 201);
  const std::string position = paid.header("X-Ledger-Position");

  auto feed = f.call(alice, verb::get, "/api/notifications/", "", {{"X-Min-Position", position}});
  REQUIRE_MESSAGE(feed.status == 200, feed.body);
  const auto listed = feed.json();
  CHECK(listed["count"] == 2);
  CHECK(listed["unread_count"] == 2);
  CHECK(listed["results"][0]["type"] == "payment");
  CHECK(listed["results"][0]["message"] == "You paid $15.00 for website");
  CHECK(listed["results"][0]["group"] == "today");
  CHECK(listed["results"][1]["type"] == "payment_received");
  CHECK(std::stoull(feed.header("X-Ledger-Position")) >= std::stoull(position));

  const std::string id = listed["results"][0]["id"];
  auto marked = f.post(alice, "/api/notifications/" + id + "/mark_read/");
  REQUIRE(marked.status == 200);
  auto after = f.call(alice, verb::get, "/api/notifications/unread_count/", "",
                      {{"X-Min-Position", marked.header("X-Ledger-Position")}});
  CHECK(after.json()["unread_count"] == 1);
  CHECK(f.get(alice, "/api/notifications/?unread=true").json()["count"] == 1);
  CHECK(f.get(alice, "/api/notifications/?type=payment").json()["count"] == 1);
  CHECK(f.get(alice, "/api/notifications/?unread=maybe").status == 400);
  CHECK(f.post(alice, "/api/notifications/999-0/mark_read/").status == 404);
  CHECK(f.post(alice, "/api/notifications/nonsense/mark_read/").status == 404);

  auto all = f.post(alice, "/api/notifications/mark_all_read/");
  REQUIRE(all.status == 200);
  auto none = f.call(alice, verb::get, "/api/notifications/unread_count/", "",
                     {{"X-Min-Position", all.header("X-Ledger-Position")}});
  CHECK(none.json()["unread_count"] == 0);
  // Another user's notification ids are not found for this user.
  f.create_user(admin, "bob@x.com", "client");
  CHECK(f.post(f.login_as("bob@x.com"), "/api/notifications/" + id + "/mark_read/").status == 404);
}

TEST_CASE("operators see every projection and can rebuild one") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  auto statuses = f.get(admin, "/api/admin/projections/");
  REQUIRE(statuses.status == 200);
  bool saw_notifications = false;
  bool saw_accounts = false;
  const nlohmann::json listed = statuses.json();
  for (const auto& status : listed["results"]) {
    if (status["name"] == "notifications") {
      saw_notifications = true;
      CHECK(status["kind"] == "async");
      CHECK(status["version"] == 5);
      CHECK(status["code_version"] == 5);
    }
    if (status["name"] == "accounts") {
      saw_accounts = true;
      CHECK(status["kind"] == "inline");
      CHECK(status["lag_events"] == 0);
      CHECK(status["checkpoint"] == status["head"]);
    }
  }
  CHECK(saw_notifications);
  CHECK(saw_accounts);
  auto inline_rebuild = f.post(admin, "/api/admin/projections/accounts/rebuild/");
  CHECK(inline_rebuild.status == 409);
  CHECK(inline_rebuild.json()["detail"].get<std::string>().find("ledgerctl") != std::string::npos);
  auto rebuilt = f.post(admin, "/api/admin/projections/notifications/rebuild/");
  CHECK(rebuilt.status == 202);
  CHECK(f.post(admin, "/api/admin/projections/nope/rebuild/").status == 404);
  REQUIRE(f.projections.find("notifications")->catch_up().ok());
  CHECK(f.projections.find("notifications")->status().generation == 2);
  CHECK(f.get(admin, "/api/notifications/").json()["count"] == 1);  // the new client
}

// Holds the head of an event stream's answer (`seen`, read from the socket) to the OpenAPI
// document, as the fixture holds every other answer; the body is still open and chunked, and a
// text/event-stream body is checked by its media type only.
void check_stream_head_documented(const std::string& seen) {
  const auto head_end = seen.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  REQUIRE(seen.starts_with("HTTP/1.1 "));
  const auto status = static_cast<unsigned>(std::stoul(seen.substr(9, 3)));
  testing::AnswerHeaders headers;
  std::string content_type;
  for (auto line_at = seen.find("\r\n") + 2; line_at < head_end;) {
    const auto line_end = seen.find("\r\n", line_at);
    const std::string line = seen.substr(line_at, line_end - line_at);
    line_at = line_end + 2;
    const auto colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    const std::string name = line.substr(0, colon);
    const std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
    if (name == "Content-Type") content_type = value;
    headers.emplace_back(name, value);
  }
  testing::check_documented_answer("GET", "/api/notifications/stream/", status, content_type,
                                   seen.substr(head_end + 4), headers);
}

TEST_CASE("the event stream sends new notifications, and Last-Event-ID resumes after a gap") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");

  auto open_stream = [&](boost::asio::io_context& io, const std::string& last_event_id) {
    return testing::open_notification_stream(io, f.server->port(), alice, last_event_id);
  };

  boost::asio::io_context io;
  auto live = open_stream(io, "");
  std::string seen;
  read_stream_until(*live, seen, "\r\n\r\n");
  CHECK(seen.find("HTTP/1.1 200") == 0);
  CHECK(seen.find("Content-Type: text/event-stream") != std::string::npos);
  check_stream_head_documented(seen);

  f.fund(admin, alice, "9.00");  // the client connected before the payment
  read_stream_until(*live, seen, "Top-up confirmed");
  CHECK(seen.find("event: notification") != std::string::npos);
  CHECK(seen.find("Top-up confirmed") != std::string::npos);
  const auto id_at = seen.find("id: ");
  REQUIRE(id_at != std::string::npos);
  const std::string first_id = seen.substr(id_at + 4, seen.find('\n', id_at) - id_at - 4);
  live.reset();

  // Missed while disconnected: two more; a reconnect from the first id gets exactly those two.
  f.fund(admin, alice, "1.00");
  REQUIRE(f.post(alice, "/api/wallet/pay/", R"({"amount":"2.00","service":"website"})").status ==
          201);
  REQUIRE(f.projections.find("notifications")->catch_up().ok());
  auto resumed = open_stream(io, first_id);
  std::string again;
  read_stream_until(*resumed, again, "You paid $2.00");
  std::size_t events = 0;
  for (auto at = again.find("event: notification"); at != std::string::npos;
       at = again.find("event: notification", at + 1)) {
    ++events;
  }
  CHECK(events == 2);
  CHECK(again.find("id: " + first_id + "\n") == std::string::npos);
  CHECK(again.find("You paid $2.00") != std::string::npos);
}

}  // namespace
}  // namespace ledger
