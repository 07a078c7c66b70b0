// Redeem-code administration, courses, invoices, subscriptions and the ledger views end to end,
// with the object-level scope of each role.
#include <doctest/doctest.h>

#include "core/domain/course.h"
#include "core/domain/deadline_sweeper.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

struct World {
  ApiFixture f;
  std::string admin = f.admin();
  std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  std::string alice = f.login_as("alice@x.com");
  std::string bob_id = f.create_user(admin, "bob@x.com", "client");
  std::string bob = f.login_as("bob@x.com");
  std::string web_id = f.create_user(admin, "web@x.com", "agent", "website");
  std::string web = f.login_as("web@x.com");
  std::string mkt_id = f.create_user(admin, "mkt@x.com", "agent", "marketing");
  std::string mkt = f.login_as("mkt@x.com");

  World() {
    for (const auto& [agent, service] : {std::pair{web_id, "website"}, {mkt_id, "marketing"}}) {
      REQUIRE(f.post(admin, "/api/clients/" + alice_id + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
  }
};

TEST_CASE("redeem-code administration: batches, listing, deactivation, stats, history") {
  World w;
  auto batch = w.f.post(w.admin, "/api/redeem-codes/",
                        R"({"quantity":3,"prefix":"xmas","value":"5.00","usage_limit":2,
                            "description":"Christmas"})");
  REQUIRE_MESSAGE(batch.status == 201, batch.body);
  REQUIRE(batch.json()["codes"].size() == 3);
  const std::string code = batch.json()["codes"][0]["code"];
  CHECK(code.starts_with("XMAS"));
  CHECK(
      w.f.post(w.admin, "/api/redeem-codes/", R"({"quantity":101,"value":"1.00","usage_limit":1})")
          .status == 400);
  CHECK(
      w.f.post(w.admin, "/api/redeem-codes/", R"({"value":"1.00","usage_limit":1,"times_used":5})")
          .status == 400);
  CHECK(w.f.post(w.alice, "/api/redeem-codes/", R"({"value":"1.00","usage_limit":1})").status ==
        403);
  CHECK(w.f.get(w.admin, "/api/redeem-codes/").json()["count"] == 3);

  REQUIRE(w.f.post(w.alice, "/api/wallet/redeem/", nlohmann::json{{"code", code}}.dump()).status ==
          201);
  auto off =
      w.f.call(w.admin, verb::patch, "/api/redeem-codes/" + code + "/", R"({"is_active":false})");
  REQUIRE(off.status == 200);
  CHECK(off.json()["is_active"] == false);
  auto inactive = w.f.post(w.bob, "/api/wallet/redeem/", nlohmann::json{{"code", code}}.dump());
  CHECK(inactive.json()["code"] == "code_inactive");
  CHECK(w.f.call(w.admin, verb::patch, "/api/redeem-codes/NOPE1234/", R"({"is_active":true})")
            .status == 404);

  auto stats = w.f.get(w.admin, "/api/redeem-codes/stats/").json();
  CHECK(stats["total_codes"] == 3);
  CHECK(stats["active_codes"] == 2);
  CHECK(stats["total_redemptions"] == 1);
  CHECK(stats["total_value_redeemed"] == "5.00");
  auto history = w.f.get(w.admin, "/api/redeem-codes/" + code + "/usage_history/").json();
  CHECK(history["count"] == 1);
  CHECK(history["results"][0]["user_id"] == w.alice_id);
}

TEST_CASE("courses: catalogue per caller, wallet and PayPal purchases, refunds") {
  World w;
  auto course = w.f.post(w.admin, "/api/courses/",
                         R"({"title":"SEO basics","price":"25.00","access_days":30})");
  REQUIRE_MESSAGE(course.status == 201, course.body);
  const std::string id = course.json()["id"];
  auto free = w.f.post(w.admin, "/api/courses/", R"({"title":"Intro","is_free":true})");
  REQUIRE(free.status == 201);
  CHECK(w.f.post(w.admin, "/api/courses/", R"({"title":"No price"})").status == 400);
  CHECK(w.f.post(w.alice, "/api/courses/", R"({"title":"T","price":"1.00"})").status == 403);

  auto short_of_money =
      w.f.post(w.alice, "/api/courses/" + id + "/purchase/", R"({"payment_method":"wallet"})");
  CHECK(short_of_money.json()["code"] == "insufficient_funds");
  w.f.fund(w.admin, w.alice, "30.00");
  auto bought =
      w.f.post(w.alice, "/api/courses/" + id + "/purchase/", R"({"payment_method":"wallet"})");
  REQUIRE(bought.status == 201);
  CHECK(bought.json()["purchase"]["status"] == "completed");
  CHECK(bought.json()["balance"] == "5.00");
  CHECK(w.f.post(w.alice, "/api/courses/" + id + "/purchase/", R"({"payment_method":"wallet"})")
            .json()["code"] == "already_purchased");
  auto seen = w.f.get(w.alice, "/api/courses/" + id + "/").json();
  CHECK(seen["is_purchased"] == true);
  CHECK(seen["is_accessible"] == true);
  auto not_bob = w.f.get(w.bob, "/api/courses/" + id + "/").json();
  CHECK(not_bob["is_purchased"] == false);
  CHECK(not_bob["is_accessible"] == false);
  CHECK(w.f.get(w.bob, "/api/courses/").json()["count"] == 2);

  auto pending =
      w.f.post(w.bob, "/api/courses/" + id + "/purchase/", R"({"payment_method":"paypal"})");
  REQUIRE(pending.status == 201);
  CHECK(pending.json()["purchase"]["status"] == "pending");
  CHECK_FALSE(pending.json().contains("balance"));
  auto confirmed = w.f.post(w.admin, "/api/courses/" + id + "/confirm_paypal_purchase/",
                            nlohmann::json{{"purchase_id", pending.json()["purchase"]["id"]},
                                           {"provider_reference", "PP-9"}}
                                .dump());
  REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
  CHECK(w.f.get(w.bob, "/api/courses/" + id + "/").json()["is_accessible"] == true);

  // Bob finishes the course once; without access (Alice, once refunded) nobody can.
  CHECK(w.f.post(w.bob, "/api/courses/" + id + "/finish/", R"({"x":1})").status == 400);
  auto finished = w.f.post(w.bob, "/api/courses/" + id + "/finish/");
  REQUIRE_MESSAGE(finished.status == 200, finished.body);
  CHECK(finished.json()["purchase"]["finished_at"].is_string());
  CHECK(finished.json()["progress"]["is_completed"] == true);
  CHECK(w.f.post(w.bob, "/api/courses/" + id + "/finish/").json()["code"] == "already_finished");
  // A free course is open to everyone: finished without a purchase.
  auto free_finished =
      w.f.post(w.bob, "/api/courses/" + free.json()["id"].get<std::string>() + "/finish/");
  REQUIRE_MESSAGE(free_finished.status == 200, free_finished.body);
  CHECK_FALSE(free_finished.json().contains("purchase"));
  CHECK(w.f.post(w.admin, "/api/courses/" + id + "/finish/").status == 403);

  const std::string purchase_id = bought.json()["purchase"]["id"];
  CHECK(w.f.post(w.alice, "/api/courses/purchases/" + purchase_id + "/refund/").status == 403);
  auto refunded = w.f.post(w.admin, "/api/courses/purchases/" + purchase_id + "/refund/");
  REQUIRE(refunded.status == 200);
  CHECK(refunded.json()["purchase"]["status"] == "refunded");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "30.00");
  CHECK(w.f.get(w.alice, "/api/courses/" + id + "/").json()["is_accessible"] == false);
  CHECK(w.f.post(w.alice, "/api/courses/" + id + "/finish/").json()["code"] ==
        "course_not_accessible");
  CHECK(w.f.get(w.alice, "/api/courses/my_purchases/").json()["count"] == 1);
  // The seed's dashboards spell the path both ways: the same list.
  CHECK(w.f.get(w.alice, "/api/courses/my-purchases/").json() ==
        w.f.get(w.alice, "/api/courses/my_purchases/").json());
}

// A course at 25.00 and Bob's pending PayPal purchase of it: (course id, purchase id).
std::pair<std::string, std::string> pending_paypal_purchase(World& w) {
  auto course = w.f.post(w.admin, "/api/courses/", R"({"title":"Ads","price":"25.00"})");
  REQUIRE_MESSAGE(course.status == 201, course.body);
  const std::string course_id = course.json()["id"];
  auto pending =
      w.f.post(w.bob, "/api/courses/" + course_id + "/purchase/", R"({"payment_method":"paypal"})");
  REQUIRE_MESSAGE(pending.status == 201, pending.body);
  return {course_id, pending.json()["purchase"]["id"].get<std::string>()};
}

nlohmann::json purchase_capture(const std::string& purchase_id, const std::string& amount,
                                const std::string& currency = "USD") {
  return {{"event", "course_purchase.confirmed"},
          {"id", purchase_id},
          {"amount", amount},
          {"currency", currency},
          {"provider_reference", "PP-1"}};
}

TEST_CASE("a repeated PayPal confirmation is 422 already_confirmed, by the admin and the webhook") {
  World w;
  const auto [course_id, purchase_id] = pending_paypal_purchase(w);
  const std::string confirm = "/api/courses/" + course_id + "/confirm_paypal_purchase/";
  const std::string body =
      nlohmann::json{{"purchase_id", purchase_id}, {"provider_reference", "PP-1"}}.dump();
  REQUIRE(w.f.post(w.admin, confirm, body).status == 200);
  auto again = w.f.post(w.admin, confirm, body);
  CHECK(again.status == 422);
  CHECK(again.json()["code"] == "already_confirmed");
  auto by_provider = w.f.post_webhook(purchase_capture(purchase_id, "25.00"));
  CHECK(by_provider.status == 422);
  CHECK(by_provider.json()["code"] == "already_confirmed");
  auto revenue = w.f.get(w.admin, "/api/ledger/accounts/revenue:courses/statement/");
  REQUIRE_MESSAGE(revenue.status == 200, revenue.body);
  CHECK(revenue.json()["lines"].size() == 1);
  CHECK(revenue.json()["closing_balance"] == "25.00");
}

TEST_CASE(
    "the webhook confirms a course purchase only for its price in USD, a mismatch is "
    "recorded") {
  World w;
  const auto [course_id, purchase_id] = pending_paypal_purchase(w);
  for (const auto& amount_and_currency :
       {std::pair{"1.00", "USD"}, {"25.00", "EUR"}, {"250.00", "USD"}}) {
    const auto& [amount, currency] = amount_and_currency;
    CAPTURE(amount_and_currency.first);
    auto refused = w.f.post_webhook(purchase_capture(purchase_id, amount, currency));
    CHECK(refused.status == 422);
    CHECK(refused.json()["code"] == "amount_mismatch");
  }
  CHECK(w.f.get(w.bob, "/api/courses/" + course_id + "/").json()["is_accessible"] == false);
  auto recorded = w.f.get(w.admin, "/api/ledger/events/?stream=payment-mismatch:" + purchase_id);
  REQUIRE_MESSAGE(recorded.status == 200, recorded.body);
  const nlohmann::json mismatches = recorded.json()["results"];
  REQUIRE(mismatches.size() == 3);
  CHECK(mismatches[0]["type"] == "PaymentAmountMismatched");
  CHECK(mismatches[0]["data"]["payment_kind"] == "course_purchase");
  CHECK(mismatches[0]["data"]["user_id"] == w.bob_id);
  CHECK(mismatches[0]["data"]["expected_minor"] == "2500");
  CHECK(mismatches[0]["data"]["captured_minor"] == "100");
  CHECK(mismatches[1]["data"]["captured_currency"] == "EUR");

  auto paid = w.f.post_webhook(purchase_capture(purchase_id, "25.00"));
  REQUIRE_MESSAGE(paid.status == 200, paid.body);
  CHECK(paid.json()["purchase"]["status"] == "completed");
  CHECK(w.f.get(w.bob, "/api/courses/" + course_id + "/").json()["is_accessible"] == true);
}

TEST_CASE(
    "a failed PayPal payment fails the pending purchase and the course can be bought "
    "again") {
  World w;
  const auto [course_id, purchase_id] = pending_paypal_purchase(w);
  auto failed = w.f.post_webhook(
      {{"event", "course_purchase.failed"}, {"id", purchase_id}, {"reason", "payment declined"}});
  REQUIRE_MESSAGE(failed.status == 200, failed.body);
  CHECK(failed.json()["purchase"]["status"] == "failed");
  auto confirmed = w.f.post_webhook(purchase_capture(purchase_id, "25.00"));
  CHECK(confirmed.status == 422);
  CHECK(confirmed.json()["code"] == "already_failed");
  CHECK(w.f.get(w.bob, "/api/courses/" + course_id + "/").json()["is_accessible"] == false);
  auto again =
      w.f.post(w.bob, "/api/courses/" + course_id + "/purchase/", R"({"payment_method":"paypal"})");
  REQUIRE_MESSAGE(again.status == 201, again.body);
  CHECK(again.json()["purchase"]["status"] == "pending");
}

TEST_CASE("the client cancels a pending PayPal purchase, the course can be bought again") {
  World w;
  w.f.fund(w.admin, w.bob, "30.00");
  const auto [course_id, purchase_id] = pending_paypal_purchase(w);
  const std::string cancel = "/api/courses/purchases/" + purchase_id + "/cancel/";
  const std::string buy = "/api/courses/" + course_id + "/purchase/";
  CHECK(w.f.post(w.bob, buy, R"({"payment_method":"paypal"})").json()["code"] ==
        "already_purchased");
  const auto accounts_before = w.f.get(w.admin, "/api/ledger/accounts/").json();

  // Someone else's purchase is not there for them; admins do not cancel for the client.
  auto by_alice = w.f.post(w.alice, cancel);
  CHECK(by_alice.status == 404);
  CHECK(by_alice.json()["code"] == "not_found");
  CHECK(w.f.post(w.admin, cancel).status == 403);
  CHECK(w.f.post(w.bob, "/api/courses/purchases/nope/cancel/").status == 404);

  auto cancelled = w.f.post(w.bob, cancel);
  REQUIRE_MESSAGE(cancelled.status == 200, cancelled.body);
  CHECK(cancelled.json()["purchase"]["status"] == "cancelled");
  CHECK(cancelled.json()["purchase"]["cancel_reason"] == "client");
  CHECK(cancelled.json()["purchase"]["cancelled_at"].is_string());
  auto again = w.f.post(w.bob, cancel);
  CHECK(again.status == 422);
  CHECK(again.json()["code"] == "not_pending");
  auto confirmed = w.f.post_webhook(purchase_capture(purchase_id, "25.00"));
  CHECK(confirmed.status == 422);
  CHECK(confirmed.json()["code"] == "not_pending");

  // No money moved: the trial balance and the wallet are as before.
  CHECK(w.f.get(w.admin, "/api/ledger/accounts/").json() == accounts_before);
  CHECK(w.f.get(w.bob, "/api/wallet/").json()["balance"] == "30.00");
  CHECK(w.f.get(w.bob, "/api/courses/" + course_id + "/").json()["is_accessible"] == false);

  auto bought = w.f.post(w.bob, buy, R"({"payment_method":"wallet"})");
  REQUIRE_MESSAGE(bought.status == 201, bought.body);
  CHECK(bought.json()["purchase"]["status"] == "completed");
  CHECK(bought.json()["balance"] == "5.00");
  // A completed purchase is not the client's to cancel.
  auto completed =
      w.f.post(w.bob, "/api/courses/purchases/" +
                          bought.json()["purchase"]["id"].get<std::string>() + "/cancel/");
  CHECK(completed.status == 422);
  CHECK(completed.json()["code"] == "not_pending");
}

TEST_CASE("a PayPal purchase pending for 24 hours expires on the sweep, the course is free again") {
  World w;
  w.f.fund(w.admin, w.bob, "30.00");
  const auto [course_id, purchase_id] = pending_paypal_purchase(w);
  const auto accounts_before = w.f.get(w.admin, "/api/ledger/accounts/").json();
  domain::DeadlineSweeper sweeper(*w.f.log, w.f.ledger, w.f.clock, w.f.ids);

  w.f.clock.advance_us(domain::kPendingPurchaseLifetimeUs - 1);
  auto early = sweeper.sweep_once();
  REQUIRE(early.ok());
  CHECK(early->commands_submitted == 0);
  CHECK(
      w.f.post(w.bob, "/api/courses/" + course_id + "/purchase/", R"({"payment_method":"paypal"})")
          .json()["code"] == "already_purchased");

  w.f.clock.advance_us(1);
  auto swept = sweeper.sweep_once();
  REQUIRE(swept.ok());
  CHECK(swept->commands_submitted == 1);
  CHECK(swept->failures == 0);
  CHECK(sweeper.sweep_once()->commands_submitted == 0);
  auto mine = w.f.get(w.bob, "/api/courses/my_purchases/").json();
  REQUIRE(mine["results"].size() == 1);
  CHECK(mine["results"][0]["status"] == "cancelled");
  CHECK(mine["results"][0]["cancel_reason"] == "expired");
  auto cancel = w.f.post(w.bob, "/api/courses/purchases/" + purchase_id + "/cancel/");
  CHECK(cancel.json()["code"] == "not_pending");
  CHECK(w.f.get(w.admin, "/api/ledger/accounts/").json() == accounts_before);
  CHECK(w.f.get(w.bob, "/api/wallet/").json()["balance"] == "30.00");

  auto again =
      w.f.post(w.bob, "/api/courses/" + course_id + "/purchase/", R"({"payment_method":"paypal"})");
  REQUIRE_MESSAGE(again.status == 201, again.body);
  CHECK(again.json()["purchase"]["status"] == "pending");
}

TEST_CASE("invoices: issued by admins, paid by their client, seen only in scope") {
  World w;
  auto issued = w.f.post(w.admin, "/api/invoices/",
                         nlohmann::json{{"client_id", w.alice_id},
                                        {"amount", "40.00"},
                                        {"service", "website"},
                                        {"due_date", "2026-12-01"},
                                        {"description", "Landing page"}}
                             .dump());
  REQUIRE_MESSAGE(issued.status == 201, issued.body);
  const std::string id = issued.json()["id"];
  CHECK(w.f.post(w.admin, "/api/invoices/",
                 nlohmann::json{{"client_id", w.web_id},
                                {"amount", "1.00"},
                                {"service", "website"},
                                {"due_date", "2026-12-01"}}
                     .dump())
            .status == 400);  // not a client

  // Scope: alice, the website agent and the admin see it; bob and the marketing agent do not.
  CHECK(w.f.get(w.alice, "/api/invoices/" + id + "/").status == 200);
  CHECK(w.f.get(w.web, "/api/invoices/" + id + "/").status == 200);
  CHECK(w.f.get(w.admin, "/api/invoices/" + id + "/").status == 200);
  CHECK(w.f.get(w.bob, "/api/invoices/" + id + "/").status == 404);
  CHECK(w.f.get(w.mkt, "/api/invoices/" + id + "/").status == 404);
  CHECK(w.f.get(w.bob, "/api/invoices/").json()["count"] == 0);
  CHECK(w.f.get(w.mkt, "/api/invoices/").json()["count"] == 0);
  CHECK(w.f.get(w.web, "/api/invoices/").json()["count"] == 1);
  CHECK(w.f.get(w.alice, "/api/invoices/?status=paid").json()["count"] == 0);

  CHECK(w.f.post(w.bob, "/api/invoices/" + id + "/pay/").status == 404);
  CHECK(w.f.post(w.alice, "/api/invoices/" + id + "/pay/").json()["code"] == "insufficient_funds");
  w.f.fund(w.admin, w.alice, "40.00");
  auto paid = w.f.post(w.alice, "/api/invoices/" + id + "/pay/");
  REQUIRE(paid.status == 200);
  CHECK(paid.json()["status"] == "paid");
  CHECK(w.f.post(w.alice, "/api/invoices/" + id + "/pay/").json()["code"] == "already_paid");
  CHECK(w.f.post(w.admin, "/api/invoices/" + id + "/void/").json()["code"] == "already_paid");
}

TEST_CASE("subscriptions: activation charges the wallet, clients cancel their own") {
  World w;
  w.f.fund(w.admin, w.alice, "50.00");
  const auto body = [&](const std::string& client) {
    return nlohmann::json{{"client_id", client},
                          {"plan", "Growth"},
                          {"service", "marketing"},
                          {"price", "20.00"},
                          {"renews_on", "2026-12-23"}}
        .dump();
  };
  auto active = w.f.post(w.admin, "/api/subscriptions/", body(w.alice_id));
  REQUIRE_MESSAGE(active.status == 201, active.body);
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "30.00");
  CHECK(w.f.post(w.admin, "/api/subscriptions/", body(w.bob_id)).json()["code"] ==
        "insufficient_funds");
  const std::string id = active.json()["id"];
  CHECK(w.f.get(w.mkt, "/api/subscriptions/").json()["count"] == 1);
  CHECK(w.f.get(w.web, "/api/subscriptions/").json()["count"] == 0);
  CHECK(w.f.post(w.bob, "/api/subscriptions/" + id + "/cancel/").status == 404);
  auto cancelled = w.f.post(w.alice, "/api/subscriptions/" + id + "/cancel/");
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.json()["status"] == "cancelled");
}

TEST_CASE("the ledger views: events, a trial balance that sums to zero, statements") {
  World w;
  w.f.fund(w.admin, w.alice, "12.50");
  REQUIRE(
      w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"2.50","service":"website"})").status ==
      201);
  auto accounts = w.f.get(w.admin, "/api/ledger/accounts/").json();
  CHECK(accounts["sum_of_balances"] == "0.00");
  CHECK(accounts["count"] == 3);  // wallet, clearing:card, revenue:website
  CHECK(w.f.get(w.alice, "/api/ledger/accounts/").status == 403);

  const std::string account = "wallet:" + w.alice_id;
  auto statement = w.f.get(w.admin, "/api/ledger/accounts/" + account + "/statement/").json();
  CHECK(statement["opening_balance"] == "0.00");
  CHECK(statement["closing_balance"] == "10.00");
  REQUIRE(statement["lines"].size() == 2);
  CHECK(statement["lines"][1]["amount"] == "-2.50");
  CHECK(statement["lines"][1]["balance_after"] == "10.00");
  CHECK(w.f.get(w.alice, "/api/ledger/accounts/" + account + "/statement/").status == 200);
  CHECK(w.f.get(w.bob, "/api/ledger/accounts/" + account + "/statement/").status == 404);
  CHECK(w.f.get(w.admin, "/api/ledger/accounts/" + account + "/statement/?from=yesterday").status ==
        400);

  auto events = w.f.get(w.admin, "/api/ledger/events/?after=0&limit=2").json();
  REQUIRE(events["results"].size() == 2);
  CHECK(events["results"][0]["position"] == 1);
  CHECK(events["next"].is_string());
  auto stream = w.f.get(w.admin, "/api/ledger/events/?stream=wallet:" + w.alice_id).json();
  CHECK(stream["count"] == 2);
  CHECK(stream["results"][1]["type"] == "WalletDebited");
  CHECK(w.f.get(w.alice, "/api/ledger/events/").status == 403);
}

TEST_CASE("an online backup holds every acknowledged event and opens on its own") {
  World w;
  w.f.fund(w.admin, w.alice, "25.00");
  auto backup = w.f.post(w.admin, "/api/admin/backup/", R"({"name":"nightly-1"})");
  REQUIRE_MESSAGE(backup.status == 201, backup.body);
  const std::uint64_t position = backup.json()["contains_position"];
  CHECK(position == w.f.log->head().position);
  CHECK(w.f.post(w.admin, "/api/admin/backup/", R"({"name":"nightly-1"})").status == 400);
  CHECK(w.f.post(w.admin, "/api/admin/backup/", R"({"name":"../escape"})").status == 400);
  CHECK(w.f.post(w.alice, "/api/admin/backup/", R"({"name":"mine"})").status == 403);

  store::StoreOptions options;
  options.path = backup.json()["path"].get<std::string>() + "/store";
  options.read_only = true;
  auto copy = store::RocksDbEventLog::open(options);
  REQUIRE(copy.ok());
  CHECK((*copy)->head().position == position);
  CHECK((*copy)->head().hash == w.f.log->head().hash);
}

}  // namespace
}  // namespace ledger
