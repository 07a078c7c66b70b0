// Every query with a period (a start and an end) refuses a start after the end with the same
// 400 and the same wording, instead of answering an empty period.
#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using testing::ApiFixture;

void check_refused(const testing::HttpAnswer& answer, const std::string& from_field,
                   const std::string& to_field) {
  INFO(answer.body);
  CHECK(answer.status == 400);
  const auto body = answer.json();
  CHECK(body["code"] == "invalid_argument");
  CHECK(body["detail"] == from_field + " must not be after " + to_field);
  CHECK(body["errors"].contains(from_field));
}

TEST_CASE("a period whose start is after its end is the same 400 on every query with a period") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  const std::string alice = f.login_as("alice@x.com");
  f.fund(admin, alice, "10.00");
  const std::string statement = "/api/ledger/accounts/wallet:" + alice_id + "/statement/";
  const std::string backwards_dates = "?from=2026-11-23&to=2026-11-20";
  const std::string backwards_times = "?from=2026-11-23T10:00:01Z&to=2026-11-23T10:00:00Z";

  check_refused(f.get(admin, statement + backwards_dates), "from", "to");
  check_refused(f.get(admin, statement + backwards_times), "from", "to");
  check_refused(f.get(alice, statement + backwards_dates), "from", "to");
  check_refused(f.get(admin, "/api/admin/analytics/services/" + backwards_dates), "from", "to");
  check_refused(f.get(alice, "/api/content-schedule/calendar/?start=2026-11-23&end=2026-11-20"),
                "start", "end");
  check_refused(f.get(alice,
                      "/api/content-schedule/calendar/?start=2026-11-23T10:00:01Z&end="
                      "2026-11-23T10:00:00Z"),
                "start", "end");

  // A period of one day, or an empty one, is still a period.
  CHECK(f.get(admin, statement + "?from=2026-11-23&to=2026-11-23").status == 200);
  CHECK(f.get(admin, "/api/admin/analytics/services/?from=2026-11-23&to=2026-11-23").status == 200);
  CHECK(f.get(alice, "/api/content-schedule/calendar/?start=2026-11-23&end=2026-11-23").status ==
        200);
}

}  // namespace
}  // namespace ledger
