// GET /metrics on the API listener: Prometheus figures (routes, traffic, the log's head) are for
// admins only; scrapers without a token use ledgerd's --metrics-listen (tests/server).
#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using testing::ApiFixture;

TEST_CASE(
    "/metrics on the API listener answers admin tokens only: 401 without one, 403 to others") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "client@x.com", "client");
  f.create_user(admin, "agent@x.com", "agent", "marketing");
  CHECK(f.get("", "/metrics").status == 401);
  CHECK(f.get("not-a-token", "/metrics").status == 401);
  CHECK(f.get(f.login_as("client@x.com"), "/metrics").status == 403);
  CHECK(f.get(f.login_as("agent@x.com"), "/metrics").status == 403);
  const auto metrics = f.get(admin, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.header("Content-Type").starts_with("text/plain"));
}

}  // namespace
}  // namespace ledger
