// The contract as a whole: the OpenAPI document names exactly the routes the server has, every
// declaration's roles are API.md's, and the authorization matrix — every endpoint called without
// a token and by every role — answers 401 / 403 exactly as API.md says who may call it.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "http/openapi.h"
#include "http/route_table.h"
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

// Who may call each endpoint, as API.md has it: the matrix below holds the route table's roles
// to it, independently of the declarations.
const std::map<std::string, std::string>& who_may_call() {
  static const std::map<std::string, std::string> table = {
      {"GET /healthz", "public"},
      {"GET /readyz", "public"},
      {"GET /metrics", "admin"},
      {"GET /openapi.json", "public"},
      {"POST /api/auth/login/", "public"},
      {"POST /api/auth/logout/", "any user"},
      {"GET /api/auth/me/", "any user"},
      {"POST /api/auth/register/", "public"},
      {"POST /api/auth/verify-email/", "public"},
      {"POST /api/users/", "admin"},
      {"GET /api/users/", "admin"},
      {"POST /api/clients/{id}/assign_agent/", "admin"},
      {"GET /api/agents/my-clients/", "agent"},
      {"POST /api/auth/change-password/", "any user"},
      {"POST /api/auth/password-reset/", "public"},
      {"POST /api/auth/password-reset/confirm/", "public"},
      {"PATCH /api/auth/me/", "any user"},
      {"GET /api/auth/me/email-preferences/", "any user"},
      {"PATCH /api/auth/me/email-preferences/", "any user"},
      {"PATCH /api/users/{id}/", "admin"},
      {"GET /api/service-settings/", "client"},
      {"PATCH /api/service-settings/{id}/update_settings/", "client"},
      {"GET /api/service-settings/my_services/", "client"},
      {"POST /api/service-settings/activate_service/", "client"},
      {"POST /api/service-settings/deactivate_service/", "client"},
      {"GET /api/wallet/", "client, admin"},
      {"POST /api/wallet/topup/", "client"},
      {"POST /api/wallet/topups/{id}/confirm/", "admin"},
      {"POST /api/payments/webhook/", "payment provider"},
      {"POST /api/wallet/pay/", "client"},
      {"POST /api/wallet/check_affordability/", "client"},
      {"GET /api/wallet/transactions/", "client, admin"},
      {"POST /api/wallet/redeem/", "client"},
      {"GET /api/wallet/my-redeemed-codes/", "client"},
      {"GET /api/wallet-auto-recharge/", "client"},
      {"POST /api/wallet-auto-recharge/configure/", "client"},
      {"POST /api/wallet-auto-recharge/trigger/", "client"},
      {"POST /api/wallet-auto-recharge/disable/", "client"},
      {"POST /api/redeem-codes/", "admin"},
      {"POST /api/redeem-codes/validate/", "client"},
      {"GET /api/redeem-codes/", "admin"},
      {"GET /api/redeem-codes/stats/", "admin"},
      {"PATCH /api/redeem-codes/{code}/", "admin"},
      {"GET /api/redeem-codes/{code}/usage_history/", "admin"},
      {"POST /api/courses/", "admin"},
      {"GET /api/courses/", "any user"},
      {"GET /api/courses/my_purchases/", "client"},
      {"GET /api/courses/my-purchases/", "client"},
      {"GET /api/courses/{id}/", "any user"},
      {"PATCH /api/courses/{id}/", "admin"},
      {"DELETE /api/courses/{id}/", "admin"},
      {"GET /api/courses/{id}/lessons/", "any user"},
      {"POST /api/courses/{id}/lessons/", "admin"},
      {"GET /api/courses/{id}/lessons/{lesson_id}/", "any user"},
      {"PATCH /api/courses/{id}/lessons/{lesson_id}/", "admin"},
      {"DELETE /api/courses/{id}/lessons/{lesson_id}/", "admin"},
      {"POST /api/courses/{id}/lessons/{lesson_id}/complete/", "client"},
      {"GET /api/courses/{id}/progress/", "client"},
      {"GET /api/courses/{id}/certificate/", "client"},
      {"POST /api/courses/{id}/purchase/", "client"},
      {"POST /api/courses/{id}/finish/", "client"},
      {"POST /api/courses/{id}/confirm_paypal_purchase/", "admin"},
      {"POST /api/courses/purchases/{id}/refund/", "admin"},
      {"POST /api/courses/purchases/{id}/cancel/", "client"},
      {"POST /api/invoices/", "admin"},
      {"GET /api/invoices/", "any user"},
      {"GET /api/invoices/{id}/", "any user"},
      {"POST /api/invoices/{id}/pay/", "client"},
      {"POST /api/invoices/{id}/void/", "admin"},
      {"POST /api/subscriptions/", "admin"},
      {"GET /api/subscriptions/", "any user"},
      {"POST /api/subscriptions/{id}/cancel/", "admin, client"},
      {"GET /api/campaigns/", "any user"},
      {"POST /api/campaigns/", "agent, admin"},
      {"GET /api/campaigns/my_campaigns/", "agent"},
      {"GET /api/campaigns/analytics/", "any user"},
      {"GET /api/campaigns/{id}/", "any user"},
      {"PATCH /api/campaigns/{id}/", "any user"},
      {"DELETE /api/campaigns/{id}/", "agent, admin"},
      {"POST /api/campaigns/{id}/change_status/", "agent, admin"},
      {"POST /api/campaigns/{id}/update_metrics/", "agent, admin"},
      {"POST /api/campaigns/{id}/add_content/", "agent, admin"},
      {"GET /api/content-schedule/", "any user"},
      {"POST /api/content-schedule/", "agent, admin"},
      {"GET /api/content-schedule/calendar/", "any user"},
      {"GET /api/content-schedule/upcoming/", "any user"},
      {"GET /api/content-schedule/overdue/", "any user"},
      {"GET /api/content-schedule/{id}/", "any user"},
      {"PATCH /api/content-schedule/{id}/", "agent, admin"},
      {"DELETE /api/content-schedule/{id}/", "agent, admin"},
      {"POST /api/content-schedule/{id}/approve/", "client, admin"},
      {"POST /api/content-schedule/{id}/publish/", "agent, admin"},
      {"POST /api/content-schedule/{id}/fail/", "agent, admin"},
      {"POST /api/content-schedule/{id}/cancel/", "any user"},
      {"POST /api/content-schedule/{id}/reject/", "client, admin"},
      {"GET /api/website-projects/", "any user"},
      {"POST /api/website-projects/", "client"},
      {"GET /api/website-projects/{id}/", "any user"},
      {"POST /api/website-projects/{id}/complete_phase/", "agent, admin"},
      {"POST /api/website-versions/", "agent"},
      {"GET /api/website-versions/", "any user"},
      {"GET /api/website-versions/my_uploads/", "agent"},
      {"GET /api/website-versions/{id}/", "any user"},
      {"PATCH /api/website-versions/{id}/", "agent, admin"},
      {"DELETE /api/website-versions/{id}/", "agent, admin"},
      {"GET /api/website-versions/{id}/file/", "any user"},
      {"POST /api/website-versions/{id}/start_testing/", "agent"},
      {"POST /api/website-versions/{id}/approve/", "client, admin"},
      {"POST /api/website-versions/{id}/deploy/", "agent"},
      {"POST /api/website-versions/{id}/add_feedback/", "any user"},
      {"GET /api/tasks/", "any user"},
      {"POST /api/tasks/", "agent, admin"},
      {"GET /api/tasks/{id}/", "any user"},
      {"PATCH /api/tasks/{id}/", "any user"},
      {"DELETE /api/tasks/{id}/", "agent, admin"},
      {"POST /api/tasks/{id}/complete/", "any user"},
      {"GET /api/agents/my-stats/", "agent"},
      {"POST /api/messages/", "any user"},
      {"GET /api/messages/", "any user"},
      {"GET /api/messages/conversations/", "any user"},
      {"POST /api/messages/{id}/mark_read/", "any user"},
      {"GET /api/support-tickets/", "any user"},
      {"POST /api/support-tickets/", "client"},
      {"GET /api/support-tickets/{id}/", "any user"},
      {"POST /api/support-tickets/{id}/reply/", "any user"},
      {"POST /api/support-tickets/{id}/change_status/", "any user"},
      {"GET /api/notifications/", "any user"},
      {"GET /api/notifications/unread_count/", "any user"},
      {"GET /api/notifications/stream/", "any user"},
      {"POST /api/notifications/stream-ticket/", "any user"},
      {"POST /api/notifications/{id}/mark_read/", "any user"},
      {"POST /api/notifications/mark_all_read/", "any user"},
      {"GET /api/admin/email-outbox/", "admin"},
      {"GET /api/admin/projections/", "admin"},
      {"POST /api/admin/projections/{name}/rebuild/", "admin"},
      {"POST /api/admin/backup/", "admin"},
      {"GET /api/admin/analytics/services/", "admin"},
      {"GET /api/admin/agents/performance/", "admin"},
      {"GET /api/ledger/head/", "public"},
      {"GET /api/ledger/events/", "admin"},
      {"GET /api/ledger/accounts/", "admin"},
      {"GET /api/ledger/accounts/{account}/statement/", "admin, client"},
  };
  return table;
}

std::string operation_key(boost::beast::http::verb method, const std::string& path) {
  return std::string(boost::beast::http::to_string(method)) + " " + path;
}

TEST_CASE("every declared route's audience and roles are the ones API.md gives it") {
  std::set<std::string> declared;
  for (const auto& route : http::route_table()) {
    const std::string key = operation_key(route.method, route.path);
    CAPTURE(key);
    declared.insert(key);
    const auto expected = who_may_call().find(key);
    REQUIRE(expected != who_may_call().end());
    std::string who;
    switch (route.audience) {
      case http::Audience::everyone:
        who = "public";
        break;
      case http::Audience::payment_provider:
        who = "payment provider";
        break;
      case http::Audience::users:
        for (http::Role role : {http::Role::agent, http::Role::client, http::Role::admin}) {
          if (std::find(route.roles.begin(), route.roles.end(), role) == route.roles.end())
            continue;
          who += std::string(who.empty() ? "" : ", ") + (role == http::Role::admin   ? "admin"
                                                         : role == http::Role::agent ? "agent"
                                                                                     : "client");
        }
        if (route.roles.empty() || route.roles.size() == 3) who = "any user";
        break;
    }
    std::string expected_who = expected->second;  // in any order
    auto sorted = [](const std::string& text) {
      std::vector<std::string> parts;
      for (std::size_t start = 0; start <= text.size();) {
        const auto comma = std::min(text.find(", ", start), text.size());
        parts.push_back(text.substr(start, comma - start));
        start = comma + 2;
      }
      std::sort(parts.begin(), parts.end());
      return parts;
    };
    CHECK(sorted(who) == sorted(expected_who));
  }
  CHECK(declared.size() == who_may_call().size());
}

TEST_CASE("authorization matrix: every endpoint, without a token and as each role") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "client@x.com", "client");
  f.create_user(admin, "agent@x.com", "agent", "website");
  const std::map<std::string, std::string> tokens = {{"admin", admin},
                                                     {"client", f.login_as("client@x.com")},
                                                     {"agent", f.login_as("agent@x.com")}};

  int checked = 0;
  for (const auto& key_and_who : who_may_call()) {
    const auto& key = key_and_who.first;
    const auto& who = key_and_who.second;
    if (who == "public" || who == "payment provider") continue;
    const auto space = key.find(' ');
    const auto method = boost::beast::http::string_to_verb(key.substr(0, space));
    REQUIRE(method != boost::beast::http::verb::unknown);
    const std::string path = key.substr(space + 1);
    std::string target = path;
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "00000000000000000000000000");
    }
    const bool get = method == boost::beast::http::verb::get;
    CAPTURE(key);
    CAPTURE(target);
    // Logging out with a token would revoke it: check only that it needs one.
    CHECK(f.call("", method, target, get ? "" : "{}").status == 401);
    // Logging out would revoke the token; a stream never ends (tested in notification_api_test).
    if (path == "/api/auth/logout/" || path == "/api/notifications/stream/") continue;
    for (const auto& role_and_token : tokens) {
      const auto& role = role_and_token.first;
      const auto& token = role_and_token.second;
      CAPTURE(role);
      const bool allowed = who == "any user" || who.find(role) != std::string::npos;
      const auto answer = f.call(token, method, target, get ? "" : "{}");
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
