// The contract as a whole: the OpenAPI document names exactly the routes the server has, and
// the authorization matrix — every documented endpoint called without a token and by every role —
// answers 401 / 403 exactly as the document says who may call it.
#include <doctest/doctest.h>

#include <set>

#include "http/openapi.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using testing::ApiFixture;

std::string lower_method(boost::beast::http::verb verb) {
  std::string name(boost::beast::http::to_string(verb));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

TEST_CASE("every route is documented in the OpenAPI document, and nothing else is") {
  ApiFixture f;
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& route : f.router.routes()) {
    routed.emplace(lower_method(route.method), route.pattern);
  }
  std::set<std::pair<std::string, std::string>> documented;
  const nlohmann::json document = http::openapi_document();
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      documented.emplace(method, path);
      CHECK(operation.contains("responses"));
      CHECK_FALSE(operation["summary"].get<std::string>().empty());
    }
  }
  for (const auto& route : routed) {
    CAPTURE(route.first);
    CAPTURE(route.second);
    CHECK(documented.contains(route));
  }
  for (const auto& operation : documented) {
    CAPTURE(operation.first);
    CAPTURE(operation.second);
    CHECK(routed.contains(operation));
  }
  auto served = f.get("", "/openapi.json");
  REQUIRE(served.status == 200);
  CHECK(served.json()["openapi"] == "3.0.3");
  CHECK(served.json()["paths"].size() == document["paths"].size());
}

TEST_CASE("authorization matrix: every endpoint, without a token and as each role") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "client@x.com", "client");
  f.create_user(admin, "agent@x.com", "agent", "website");
  const std::map<std::string, std::string> tokens = {
      {"admin", admin}, {"client", f.login_as("client@x.com")},
      {"agent", f.login_as("agent@x.com")}};

  int checked = 0;
  for (const auto& op : http::api_operations()) {
    if (op.who == "public" || op.who == "payment provider") continue;
    std::string target = op.path;
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "00000000000000000000000000");
    }
    std::string upper = op.method;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto method = boost::beast::http::string_to_verb(upper);
    REQUIRE(method != boost::beast::http::verb::unknown);
    CAPTURE(op.method);
    CAPTURE(target);
    // Logging out with a token would revoke it: check only that it needs one.
    CHECK(f.call("", method, target, op.method == "get" ? "" : "{}").status == 401);
    // Logging out would revoke the token; a stream never ends (tested in notification_api_test).
    if (op.path == "/api/auth/logout/" || op.path == "/api/notifications/stream/") continue;
    for (const auto& role_and_token : tokens) {
      const auto& role = role_and_token.first;
      const auto& token = role_and_token.second;
      CAPTURE(role);
      const bool allowed = op.who == "any user" || op.who.find(role) != std::string::npos;
      const auto answer = f.call(token, method, target, op.method == "get" ? "" : "{}");
      if (allowed) {
        CHECK(answer.status != 401);
        CHECK(answer.status != 403);
        CHECK(answer.status < 500);
      } else {
        CHECK(answer.status == 403);
      }
      ++checked;
    }
  }
  CHECK(checked > 100);
}

}  // namespace
}  // namespace ledger
