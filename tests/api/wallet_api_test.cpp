// Wallet endpoints end to end: top-ups, confirmations and the signed webhook, payments with
// idempotency keys, money parsing and mass assignment, transactions with cursors, redeeming,
// auto-recharge, read-your-writes.
#include <doctest/doctest.h>

#include <thread>

#include "core/hex.h"
#include "core/secret_token.h"
#include "events/timestamp.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;
using testing::HttpAnswer;

struct WalletWorld {
  ApiFixture f;
  std::string admin = f.admin();
  std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  std::string alice = f.login_as("alice@x.com");
  std::string bob_id = f.create_user(admin, "bob@x.com", "client");
  std::string bob = f.login_as("bob@x.com");
};

TEST_CASE("a top-up is pending until the admin confirms it, once") {
  WalletWorld w;
  auto topup =
      w.f.post(w.alice, "/api/wallet/topup/", R"({"amount":"50.00","payment_method":"paypal"})");
  REQUIRE(topup.status == 201);
  CHECK(topup.json()["status"] == "pending");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "0.00");
  const std::string confirm =
      "/api/wallet/topups/" + topup.json()["id"].get<std::string>() + "/confirm/";
  CHECK(w.f.post(w.alice, confirm, R"({"provider_reference":"X"})").status == 403);
  auto confirmed = w.f.post(w.admin, confirm, R"({"provider_reference":"PAY-1"})");
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.json()["balance"] == "50.00");
  CHECK(confirmed.header("X-Ledger-Position") ==
        std::to_string(confirmed.json()["position"].get<std::uint64_t>()));
  auto twice = w.f.post(w.admin, confirm, R"({"provider_reference":"PAY-1"})");
  CHECK(twice.status == 422);
  CHECK(twice.json()["code"] == "already_confirmed");
  auto wallet = w.f.get(w.alice, "/api/wallet/").json();
  CHECK(wallet["balance"] == "50.00");
  CHECK(wallet["available_balance"] == "50.00");
  CHECK(wallet["total_credited"] == "50.00");
  CHECK(wallet["currency"] == "USD");
}

TEST_CASE("the payment webhook needs the right HMAC signature") {
  WalletWorld w;
  auto topup =
      w.f.post(w.alice, "/api/wallet/topup/", R"({"amount":"20.00","payment_method":"card"})");
  REQUIRE(topup.status == 201);
  const std::string body = nlohmann::json{
      {"event", "topup.confirmed"},
      {"id", topup.json()["id"]},
      {"amount", "20.00"},
      {"currency", "USD"},
      {"provider_reference",
       "ch_1"}}.dump();
  const std::string good = "sha256=" + to_hex(hmac_sha256(testing::kWebhookSecret, body));
  const std::string bad = "sha256=" + to_hex(hmac_sha256("another secret", body));
  CHECK(w.f.post("", "/api/payments/webhook/", body).status == 401);
  CHECK(w.f.post("", "/api/payments/webhook/", body, {{"X-Signature", bad}}).status == 401);
  CHECK(w.f.post("", "/api/payments/webhook/", body + " ", {{"X-Signature", good}}).status ==
        401);  // the signature covers the exact bytes
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "0.00");
  auto accepted = w.f.post("", "/api/payments/webhook/", body, {{"X-Signature", good}});
  REQUIRE_MESSAGE(accepted.status == 200, accepted.body);
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "20.00");
}

std::string request_topup(WalletWorld& w, const std::string& amount) {
  auto topup = w.f.post(w.alice, "/api/wallet/topup/",
                        nlohmann::json{{"amount", amount}, {"payment_method", "card"}}.dump());
  REQUIRE_MESSAGE(topup.status == 201, topup.body);
  return topup.json()["id"].get<std::string>();
}

nlohmann::json capture(const std::string& event, const std::string& id, const std::string& amount,
                       const std::string& currency = "USD") {
  return {{"event", event},
          {"id", id},
          {"amount", amount},
          {"currency", currency},
          {"provider_reference", "ch_9"}};
}

TEST_CASE(
    "a webhook capturing less than the top-up is 422 amount_mismatch, credits nothing, and "
    "is recorded in the ledger") {
  WalletWorld w;
  const std::string topup_id = request_topup(w, "1000.00");
  auto short_paid = w.f.post_webhook(capture("topup.confirmed", topup_id, "10.00"));
  REQUIRE_MESSAGE(short_paid.status == 422, short_paid.body);
  CHECK(short_paid.json()["code"] == "amount_mismatch");
  auto euros = w.f.post_webhook(capture("topup.confirmed", topup_id, "1000.00", "EUR"));
  CHECK(euros.status == 422);
  CHECK(euros.json()["code"] == "amount_mismatch");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "0.00");
  CHECK(w.f.get(w.alice, "/api/wallet/transactions/").json()["count"] == 0);

  auto recorded = w.f.get(w.admin, "/api/ledger/events/?stream=payment-mismatch:" + topup_id);
  REQUIRE_MESSAGE(recorded.status == 200, recorded.body);
  const nlohmann::json mismatches = recorded.json()["results"];
  REQUIRE(mismatches.size() == 2);
  const nlohmann::json& first = mismatches[0];
  CHECK(first["type"] == "PaymentAmountMismatched");
  CHECK(first["actor"] == "payment-provider");
  CHECK(first["data"]["payment_kind"] == "topup");
  CHECK(first["data"]["payment_id"] == topup_id);
  CHECK(first["data"]["user_id"] == w.alice_id);
  CHECK(first["data"]["expected_minor"] == "100000");
  CHECK(first["data"]["expected_currency"] == "USD");
  CHECK(first["data"]["captured_minor"] == "1000");
  CHECK(first["data"]["captured_currency"] == "USD");
  CHECK(first["data"]["provider_reference"] == "ch_9");
  CHECK(mismatches[1]["data"]["captured_currency"] == "EUR");

  // A confirmation without the captured amount or currency is not taken on trust.
  auto no_amount = capture("topup.confirmed", topup_id, "1000.00");
  no_amount.erase("amount");
  CHECK(w.f.post_webhook(no_amount).json()["errors"].contains("amount"));
  auto no_currency = capture("topup.confirmed", topup_id, "1000.00");
  no_currency.erase("currency");
  CHECK(w.f.post_webhook(no_currency).json()["errors"].contains("currency"));

  auto paid = w.f.post_webhook(capture("topup.confirmed", topup_id, "1000.00"));
  REQUIRE_MESSAGE(paid.status == 200, paid.body);
  CHECK(paid.json()["balance"] == "1000.00");
}

TEST_CASE("a webhook retrying a confirmation is 422 already_confirmed, like the admin's confirm") {
  WalletWorld w;
  const std::string topup_id = request_topup(w, "20.00");
  REQUIRE(w.f.post_webhook(capture("topup.confirmed", topup_id, "20.00")).status == 200);
  auto retried = w.f.post_webhook(capture("topup.confirmed", topup_id, "20.00"));
  CHECK(retried.status == 422);
  CHECK(retried.json()["code"] == "already_confirmed");
  auto by_admin = w.f.post(w.admin, "/api/wallet/topups/" + topup_id + "/confirm/",
                           R"({"provider_reference":"PAY-2"})");
  CHECK(by_admin.status == 422);
  CHECK(by_admin.json()["code"] == "already_confirmed");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "20.00");
}

TEST_CASE("a failed payment fails the pending top-up, which then cannot be confirmed") {
  WalletWorld w;
  const std::string topup_id = request_topup(w, "30.00");
  auto failed =
      w.f.post_webhook({{"event", "topup.failed"}, {"id", topup_id}, {"reason", "card declined"}});
  REQUIRE_MESSAGE(failed.status == 200, failed.body);
  CHECK(failed.json()["status"] == "failed");
  auto confirmed = w.f.post_webhook(capture("topup.confirmed", topup_id, "30.00"));
  CHECK(confirmed.status == 422);
  CHECK(confirmed.json()["code"] == "already_failed");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "0.00");
}

// The transaction the wallet's list shows under `id`.
nlohmann::json listed_transaction(WalletWorld& w, const nlohmann::json& id) {
  auto listed = w.f.get(w.alice, "/api/wallet/transactions/");
  REQUIRE(listed.status == 200);
  const nlohmann::json transactions = listed.json()["results"];
  for (const auto& transaction : transactions) {
    if (transaction["id"] == id) return transaction;
  }
  FAIL("transaction ", id.dump(), " is not listed");
  return nullptr;
}

void check_answers_stored_transaction(WalletWorld& w, const HttpAnswer& answer) {
  REQUIRE_MESSAGE(answer.status / 100 == 2, answer.body);
  const nlohmann::json answered = answer.json()["transaction"];
  const nlohmann::json listed = listed_transaction(w, answered["id"]);
  for (const char* field : {"id", "type", "amount", "balance_after", "source", "paid_for_service",
                            "reference", "description", "created_at", "position"}) {
    CAPTURE(field);
    REQUIRE(answered.contains(field));
    CHECK(answered[field] == listed[field]);
  }
  CHECK(answered == listed);
  CHECK(answered["created_at"].is_string());
  CHECK(answered["position"].get<std::uint64_t>() > 0);
}

TEST_CASE(
    "the transaction answered by pay, top-up confirm and the webhook is the stored one, as "
    "listed") {
  WalletWorld w;
  const std::string by_admin = request_topup(w, "40.00");
  auto confirmed = w.f.post(w.admin, "/api/wallet/topups/" + by_admin + "/confirm/",
                            R"({"provider_reference":"PAY-3"})");
  check_answers_stored_transaction(w, confirmed);
  // The credit is the commit's last event (after TopUpConfirmed): its position is the answer's.
  CHECK(confirmed.json()["transaction"]["position"] == confirmed.json()["position"]);

  const std::string by_provider = request_topup(w, "15.00");
  check_answers_stored_transaction(
      w, w.f.post_webhook(capture("topup.confirmed", by_provider, "15.00")));

  auto paid = w.f.post(w.alice, "/api/wallet/pay/",
                       R"({"amount":"5.00","service":"website","reference":"site-9"})");
  check_answers_stored_transaction(w, paid);
  CHECK(paid.json()["transaction"]["position"] == paid.json()["position"]);

  // A replayed payment answers the same stored transaction.
  const auto key = std::vector<std::pair<std::string, std::string>>{{"Idempotency-Key", "p-1"}};
  auto first =
      w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"1.00","service":"website"})", key);
  check_answers_stored_transaction(w, first);
  auto replayed =
      w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"1.00","service":"website"})", key);
  CHECK(replayed.json()["transaction"] == first.json()["transaction"]);
}

TEST_CASE("payments: exact balance works, one cent more is insufficient_funds") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "30.00");
  auto over = w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"30.01","service":"website"})");
  CHECK(over.status == 422);
  CHECK(over.json()["code"] == "insufficient_funds");
  auto exact = w.f.post(w.alice, "/api/wallet/pay/",
                        R"({"amount":"30.00","service":"website","reference":"site-1"})");
  REQUIRE(exact.status == 201);
  CHECK(exact.json()["balance"] == "0.00");
  CHECK(exact.json()["transaction"]["paid_for_service"] == "website");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["total_spent"] == "30.00");
}

TEST_CASE("money must obey the decimal grammar, unknown and privileged fields are refused") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "10.00");
  for (const char* body :
       {R"({"amount":5.001,"service":"website"})", R"({"amount":"5.001","service":"website"})",
        R"({"amount":1e3,"service":"website"})", R"({"amount":"1e3","service":"website"})",
        R"({"amount":"-1","service":"website"})", R"({"amount":" 1","service":"website"})",
        R"({"amount":"NaN","service":"website"})", R"({"amount":"","service":"website"})",
        R"({"amount":"1000000000.01","service":"x"})",
        R"({"amount":"1.00","service":"website","balance":"99.00"})",
        R"({"amount":"1.00","service":"website","user_id":"someone-else"})", R"({"amount":"1.00"})",
        R"(not json)", R"([1,2])"}) {
    CAPTURE(body);
    auto answer = w.f.post(w.alice, "/api/wallet/pay/", body);
    CHECK(answer.status == 400);
    CHECK(answer.header("Content-Type") == "application/problem+json");
  }
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "10.00");
}

TEST_CASE("an idempotency key replays the first answer, another body with it is 409") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "10.00");
  const auto key = std::vector<std::pair<std::string, std::string>>{{"Idempotency-Key", "k-1"}};
  const std::string body = R"({"amount":"4.00","service":"marketing"})";
  auto first = w.f.post(w.alice, "/api/wallet/pay/", body, key);
  REQUIRE(first.status == 201);
  auto again = w.f.post(w.alice, "/api/wallet/pay/", body, key);
  REQUIRE(again.status == 201);
  CHECK(again.json() == first.json());
  CHECK(again.header("Idempotent-Replayed") == "true");
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "6.00");
  auto different =
      w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"5.00","service":"marketing"})", key);
  CHECK(different.status == 409);
  CHECK(different.json()["code"] == "idempotency_conflict");
  // Keys are per user: bob's k-1 is his own.
  w.f.fund(w.admin, w.bob, "10.00");
  CHECK(w.f.post(w.bob, "/api/wallet/pay/", body, key).status == 201);
  CHECK(w.f.get(w.bob, "/api/wallet/").json()["balance"] == "6.00");
  CHECK(w.f.post(w.alice, "/api/wallet/pay/", body, {{"Idempotency-Key", ""}}).status == 400);
  CHECK(w.f.post(w.alice, "/api/wallet/pay/", body, {{"Idempotency-Key", std::string(201, 'k')}})
            .status == 400);
}

TEST_CASE("transactions page newest first with next and previous cursors") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "100.00");
  for (int i = 1; i <= 4; ++i) {
    REQUIRE(
        w.f.post(
               w.alice, "/api/wallet/pay/",
               nlohmann::json{{"amount", std::to_string(i) + ".00"}, {"service", "website"}}.dump())
            .status == 201);
  }
  auto first = w.f.get(w.alice, "/api/wallet/transactions/?limit=2").json();
  CHECK(first["count"] == 5);
  REQUIRE(first["results"].size() == 2);
  CHECK(first["results"][0]["amount"] == "4.00");
  CHECK(first["results"][0]["type"] == "debit");
  CHECK(first["results"][0]["balance_after"] == "90.00");
  CHECK(first["results"][1]["amount"] == "3.00");
  CHECK(first["previous"].is_null());
  REQUIRE(first["next"].is_string());
  auto second = w.f.get(w.alice, first["next"].get<std::string>()).json();
  REQUIRE(second["results"].size() == 2);
  CHECK(second["results"][0]["amount"] == "2.00");
  CHECK(second["results"][1]["amount"] == "1.00");
  auto third = w.f.get(w.alice, second["next"].get<std::string>()).json();
  REQUIRE(third["results"].size() == 1);
  CHECK(third["results"][0]["type"] == "credit");
  CHECK(third["next"].is_null());
  auto back = w.f.get(w.alice, third["previous"].get<std::string>()).json();
  CHECK(back["results"] == second["results"]);
  CHECK(w.f.get(w.alice, "/api/wallet/transactions/?limit=0").status == 400);
  CHECK(w.f.get(w.alice, "/api/wallet/transactions/?limit=501").status == 400);
  CHECK(w.f.get(w.alice, "/api/wallet/transactions/?cursor=zz").status == 400);
  // Bob sees only his own; an admin names the wallet.
  CHECK(w.f.get(w.bob, "/api/wallet/transactions/").json()["count"] == 0);
  CHECK(w.f.get(w.bob, "/api/wallet/transactions/?user_id=" + w.alice_id).status == 400);
  CHECK(w.f.get(w.admin, "/api/wallet/transactions/?user_id=" + w.alice_id).json()["count"] == 5);
}

TEST_CASE("transactions filter by type, service and day, filtered lists count and page alike") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "100.00");  // day 1: a credit
  const std::string day1 = events::format_date(w.f.clock.now_us());
  auto pay = [&](const char* amount, const char* service) {
    REQUIRE(w.f.post(w.alice, "/api/wallet/pay/",
                     nlohmann::json{{"amount", amount}, {"service", service}}.dump())
                .status == 201);
  };
  pay("1.00", "website");
  w.f.clock.advance_us(kMicrosPerDay);  // day 2
  const std::string day2 = events::format_date(w.f.clock.now_us());
  pay("2.00", "marketing");
  pay("3.00", "website");
  auto amounts = [&](const std::string& query) {
    auto listed = w.f.get(w.alice, "/api/wallet/transactions/" + query);
    REQUIRE_MESSAGE(listed.status == 200, listed.body);
    const auto json = listed.json();
    std::string text;
    for (const auto& item : json["results"]) text += item["amount"].get<std::string>() + " ";
    CHECK(json["count"] == json["results"].size());
    return text;
  };
  CHECK(amounts("") == "3.00 2.00 1.00 100.00 ");
  CHECK(amounts("?type=credit") == "100.00 ");
  CHECK(amounts("?type=debit") == "3.00 2.00 1.00 ");
  CHECK(amounts("?service=website") == "3.00 1.00 ");
  CHECK(amounts("?type=debit&service=marketing") == "2.00 ");
  CHECK(amounts("?from=" + day2) == "3.00 2.00 ");
  CHECK(amounts("?to=" + day1) == "1.00 100.00 ");
  CHECK(amounts("?from=" + day1 + "&to=" + day1) == "1.00 100.00 ");
  CHECK(amounts("?from=" + day2 + "&to=" + day2 + "&service=website") == "3.00 ");
  // A filtered list pages like the whole one.
  auto page = w.f.get(w.alice, "/api/wallet/transactions/?type=debit&limit=2").json();
  CHECK(page["count"] == 3);
  REQUIRE(page["next"].is_string());
  auto rest = w.f.get(w.alice, page["next"].get<std::string>()).json();
  REQUIRE(rest["results"].size() == 1);
  CHECK(rest["results"][0]["amount"] == "1.00");
  // Bad filters are 400 naming the parameter.
  const std::vector<std::pair<std::string, std::string>> bad_filters = {
      {"?type=refund", "type"},
      {"?from=2026-13-01", "from"},
      {"?from=" + day2 + "&to=" + day1, "from"}};
  for (const auto& query_and_field : bad_filters) {
    const std::string& query = query_and_field.first;
    CAPTURE(query);
    auto bad = w.f.get(w.alice, "/api/wallet/transactions/" + query);
    CHECK(bad.status == 400);
    CHECK(bad.json()["errors"].contains(query_and_field.second));
  }
}

TEST_CASE("redeeming codes through the API, with refusals and throttling") {
  WalletWorld w;
  auto created = w.f.post(w.admin, "/api/redeem-codes/",
                          R"({"code":"welcome10","value":"10.00","usage_limit":1})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.json()["codes"][0]["code"] == "WELCOME10");
  auto redeemed = w.f.post(w.alice, "/api/wallet/redeem/", R"({"code":"Welcome10"})");
  REQUIRE(redeemed.status == 201);
  CHECK(redeemed.json()["amount"] == "10.00");
  CHECK(redeemed.json()["balance"] == "10.00");
  auto again = w.f.post(w.alice, "/api/wallet/redeem/", R"({"code":"WELCOME10"})");
  CHECK(again.json()["code"] == "code_already_redeemed");
  auto exhausted = w.f.post(w.bob, "/api/wallet/redeem/", R"({"code":"WELCOME10"})");
  CHECK(exhausted.status == 422);
  CHECK(exhausted.json()["code"] == "code_exhausted");
  CHECK(w.f.get(w.alice, "/api/wallet/my-redeemed-codes/").json()["count"] == 1);
  int throttled = 0;
  for (int i = 0; i < 12; ++i) {
    auto guess = w.f.post(w.bob, "/api/wallet/redeem/",
                          nlohmann::json{{"code", "GUESS" + std::to_string(i)}}.dump());
    if (guess.status == 429) ++throttled;
  }
  CHECK(throttled > 0);
}

TEST_CASE(
    "validating a code says whether it would redeem, redeems nothing, and is throttled "
    "with redemptions") {
  WalletWorld w;
  REQUIRE(w.f.post(w.admin, "/api/redeem-codes/",
                   R"({"code":"spring5","value":"5.00","usage_limit":1})")
              .status == 201);
  const auto head = w.f.log->head().position;
  auto check = [&](const std::string& token, const std::string& code) {
    auto answer =
        w.f.post(token, "/api/redeem-codes/validate/", nlohmann::json{{"code", code}}.dump());
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return answer.json();
  };
  const auto valid = check(w.alice, "Spring5");
  CHECK(valid["valid"] == true);
  CHECK(valid["code"] == "SPRING5");
  CHECK(valid["value"] == "5.00");
  CHECK(valid["reason"].is_null());
  CHECK(w.f.log->head().position == head);  // nothing written
  CHECK(w.f.get(w.alice, "/api/wallet/").json()["balance"] == "0.00");
  CHECK(check(w.alice, "NOPE1234")["reason"] == "code_not_found");
  const auto malformed = check(w.alice, "no!");
  CHECK(malformed["reason"] == "code_not_found");
  CHECK(malformed["code"].is_null());

  REQUIRE(w.f.post(w.alice, "/api/wallet/redeem/", R"({"code":"SPRING5"})").status == 201);
  CHECK(check(w.alice, "SPRING5")["reason"] == "code_already_redeemed");
  const auto used_up = check(w.bob, "SPRING5");
  CHECK(used_up["valid"] == false);
  CHECK(used_up["reason"] == "code_exhausted");
  CHECK_FALSE(used_up.contains("value"));
  CHECK(w.f.post(w.admin, "/api/redeem-codes/validate/", R"({"code":"SPRING5"})").status == 403);

  // Validations and redemptions draw on the same allowance: guessing by validating is throttled.
  int throttled = 0;
  for (int i = 0; i < 12; ++i) {
    auto guess = w.f.post(w.bob, "/api/redeem-codes/validate/",
                          nlohmann::json{{"code", "GUESS" + std::to_string(i)}}.dump());
    if (guess.status == 429) ++throttled;
  }
  CHECK(throttled > 0);
  CHECK(w.f.post(w.bob, "/api/wallet/redeem/", R"({"code":"GUESS99"})").status == 429);
}

TEST_CASE("auto-recharge: configure, a low balance requests one top-up, disable") {
  WalletWorld w;
  w.f.fund(w.admin, w.alice, "20.00");
  CHECK(w.f.post(w.alice, "/api/wallet-auto-recharge/configure/",
                 R"({"threshold_amount":"4.99","recharge_amount":"10.00","payment_method":"card"})")
            .status == 400);  // below the 5.00 minimum
  auto configured =
      w.f.post(w.alice, "/api/wallet-auto-recharge/configure/",
               R"({"threshold_amount":"5.00","recharge_amount":"25.00","payment_method":"card"})");
  REQUIRE_MESSAGE(configured.status == 200, configured.body);
  CHECK(configured.json()["is_enabled"] == true);
  REQUIRE(
      w.f.post(w.alice, "/api/wallet/pay/", R"({"amount":"16.00","service":"website"})").status ==
      201);
  auto rule = w.f.get(w.alice, "/api/wallet-auto-recharge/").json();
  CHECK(rule["pending_topup_id"].is_string());
  auto affordable =
      w.f.post(w.alice, "/api/wallet/check_affordability/", R"({"amount":"20.00"})").json();
  CHECK(affordable["can_afford"] == false);
  CHECK(affordable["shortfall"] == "16.00");
  CHECK(affordable["auto_recharge_would_cover"] == true);
  CHECK(w.f.post(w.alice, "/api/wallet-auto-recharge/disable/").json()["is_enabled"] == false);
}

TEST_CASE("queries wait for X-Min-Position, bounded") {
  WalletWorld w;
  const auto head = w.f.log->head().position;
  auto now =
      w.f.call(w.alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", std::to_string(head)}});
  CHECK(now.status == 200);
  CHECK(now.header("X-Ledger-Position") == std::to_string(head));
  auto future = w.f.call(w.alice, verb::get, "/api/wallet/", "",
                         {{"X-Min-Position", std::to_string(head + 1000)}});
  CHECK(future.status == 503);
  CHECK(w.f.call(w.alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", "soon"}}).status ==
        400);
}

TEST_CASE(
    "an X-Min-Position no write can reach while the query waits is refused at once with 400") {
  WalletWorld w;
  w.f.api.options.min_position_wait = std::chrono::minutes(1);  // a wait would stall the test
  const auto head = w.f.log->head().position;
  for (const std::string& far : {std::to_string(head + 10'001), std::string("99999999999")}) {
    CAPTURE(far);
    auto refused = w.f.call(w.alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", far}});
    CHECK(refused.status == 400);
    CHECK(refused.json()["errors"].contains("X-Min-Position"));
  }
  CHECK(w.f.api.min_position_waiters.waiting() == 0);
}

TEST_CASE(
    "beyond the bound of waiting queries X-Min-Position answers 503 with Retry-After, and a write "
    "answers the waiting ones") {
  WalletWorld w;
  w.f.api.options.min_position_wait = std::chrono::minutes(1);
  w.f.api.options.min_position_waiters_max = 2;
  const std::string next = std::to_string(w.f.log->head().position + 1);
  std::vector<testing::HttpAnswer> answers(2);
  {
    std::vector<std::jthread> waiters;
    waiters.reserve(answers.size());
    for (auto& answer : answers) {
      waiters.emplace_back([&] {
        answer = w.f.call(w.alice, verb::get, "/api/wallet/", "", {{"X-Min-Position", next}});
      });
    }
    while (w.f.api.min_position_waiters.waiting() < 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto overloaded = w.f.call(w.bob, verb::get, "/api/wallet/", "", {{"X-Min-Position", next}});
    CHECK(overloaded.status == 503);
    CHECK(overloaded.json()["code"] == "overloaded");
    CHECK(overloaded.header("Retry-After") == "1");
    CHECK(w.f.get(w.bob, "/api/wallet/").status == 200);  // without the header: not parked
    auto topup =
        w.f.post(w.bob, "/api/wallet/topup/", R"({"amount":"5.00","payment_method":"card"})");
    REQUIRE(topup.status == 201);
  }
  for (const auto& answer : answers) {
    CHECK(answer.status == 200);
    CHECK(std::stoull(answer.header("X-Ledger-Position")) >= std::stoull(next));
  }
}

}  // namespace
}  // namespace ledger
