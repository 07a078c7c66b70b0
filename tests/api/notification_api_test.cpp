// Notification feeds over HTTP: a payment shows in the client's feed once the projection has
// reached the command's position, read marks, filters, and the operators' projection view.
#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

TEST_CASE("a confirmed top-up notifies the client; read marks and filters") {
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
  CHECK(f.post(f.login_as("bob@x.com"), "/api/notifications/" + id + "/mark_read/").status ==
        404);
}

TEST_CASE("operators see every projection and can rebuild one") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "alice@x.com", "client");
  auto statuses = f.get(admin, "/api/admin/projections/");
  REQUIRE(statuses.status == 200);
  bool saw_notifications = false;
  const nlohmann::json listed = statuses.json();
  for (const auto& status : listed["results"]) {
    if (status["name"] == "notifications") {
      saw_notifications = true;
      CHECK(status["version"] == 1);
    }
  }
  CHECK(saw_notifications);
  auto rebuilt = f.post(admin, "/api/admin/projections/notifications/rebuild/");
  CHECK(rebuilt.status == 202);
  CHECK(f.post(admin, "/api/admin/projections/nope/rebuild/").status == 404);
  REQUIRE(f.projections.find("notifications")->catch_up().ok());
  CHECK(f.projections.find("notifications")->status().generation == 2);
  CHECK(f.get(admin, "/api/notifications/").json()["count"] == 1);  // the new client
}

}  // namespace
}  // namespace ledger
