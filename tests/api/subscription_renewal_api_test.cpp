// Renewals of subscriptions not paid from the wallet, end to end: the server's timer (the deadline
// sweeper) bills each renewal with an invoice the client pays over HTTP; the trial balance shows
// the revenue only once it is paid; access ends when the grace period passes unpaid and comes
// back when the invoice is paid; the client hears of each renewal by notification and email.
#include <doctest/doctest.h>

#include "core/domain/deadline_sweeper.h"
#include "core/domain/subscription.h"
#include "events/timestamp.h"
#include "tests/support/api_agency.h"
#include "tests/support/delivered_emails.h"

namespace ledger {
namespace {

using testing::ApiAgency;
using testing::position_of;

// An agency whose admin subscribed alice to Growth (marketing, 20.00 a month, first renewal
// 2026-12-23, billed by invoice), with the server's timer at hand.
struct Renewals : ApiAgency {
  domain::DeadlineSweeper sweeper{*f.log, f.ledger, f.clock, f.ids};
  std::string subscription_id;
  std::int64_t logged_in_at_us = f.clock.now_us();

  Renewals() {
    auto active = f.post(admin, "/api/subscriptions/",
                         nlohmann::json{{"client_id", alice_id},
                                        {"plan", "Growth"},
                                        {"service", "marketing"},
                                        {"price", "20.00"},
                                        {"renews_on", "2026-12-23"},
                                        {"pays_from_wallet", false}}
                             .dump());
    REQUIRE_MESSAGE(active.status == 201, active.body);
    subscription_id = active.json()["id"];
    CHECK(active.json()["open_invoice_id"].is_null());
  }

  // The timer at `time`: one pass, nothing refused. Tokens last 30 days: the people log in
  // again when weeks have passed.
  void sweep_at(std::string_view time) {
    f.clock.set_us(*events::parse_rfc3339(time));
    auto report = sweeper.sweep_once();
    REQUIRE(report.ok());
    CHECK(report->failures == 0);
    if (f.clock.now_us() - logged_in_at_us >= 20 * kMicrosPerDay) {
      admin = f.admin();
      alice = f.login_as("alice@x.com");
      bob = f.login_as("bob@x.com");
      mia = f.login_as("mia@x.com");
      logged_in_at_us = f.clock.now_us();
    }
  }

  nlohmann::json subscription(const std::string& token) {
    auto list = f.get(token, "/api/subscriptions/");
    REQUIRE(list.status == 200);
    REQUIRE(list.json()["results"].size() == 1);
    return list.json()["results"][0];
  }

  // The trial balance's balance of `account` ("0.00" when it has none yet).
  std::string balance_of(const std::string& account) {
    auto answer = f.get(admin, "/api/ledger/accounts/");
    REQUIRE(answer.status == 200);
    const nlohmann::json accounts = answer.json();
    CHECK(accounts["sum_of_balances"] == "0.00");
    for (const auto& row : accounts["results"]) {
      if (row["account"] == account) return row["balance"];
    }
    return "0.00";
  }
};

TEST_CASE("a renewal not paid from the wallet is an invoice, its revenue is posted when paid") {
  Renewals r;
  r.sweep_at("2026-12-22T12:00:00Z");  // a reminder, no invoice yet
  CHECK(r.f.get(r.alice, "/api/invoices/").json()["count"] == 0);

  r.sweep_at("2026-12-23T00:00:00Z");
  auto invoices = r.f.get(r.alice, "/api/invoices/").json();
  REQUIRE(invoices["count"] == 1);
  const auto invoice = invoices["results"][0];
  CHECK(invoice["amount"] == "20.00");
  CHECK(invoice["service"] == "marketing");
  CHECK(invoice["due_date"] == "2026-12-30");
  CHECK(invoice["subscription_id"] == r.subscription_id);
  CHECK(invoice["renewal_date"] == "2026-12-23");
  CHECK(invoice["status"] == "issued");
  const std::string invoice_id = invoice["id"];
  CHECK(r.f.get(r.mia, "/api/invoices/" + invoice_id + "/").status == 200);  // her agent
  CHECK(r.f.get(r.bob, "/api/invoices/" + invoice_id + "/").status == 404);
  auto subscription = r.subscription(r.alice);
  CHECK(subscription["status"] == "active");
  CHECK(subscription["renews_on"] == "2027-01-23");
  CHECK(subscription["open_invoice_id"] == invoice_id);
  CHECK(subscription["open_invoice_due_date"] == "2026-12-30");

  // The timer again, and again: still one invoice, and no money moved.
  r.sweep_at("2026-12-23T00:00:00Z");
  r.sweep_at("2026-12-29T00:00:00Z");
  CHECK(r.f.get(r.alice, "/api/invoices/").json()["count"] == 1);
  CHECK(r.balance_of("revenue:marketing") == "0.00");

  r.f.fund(r.admin, r.alice, "50.00");
  auto paid = r.f.post(r.alice, "/api/invoices/" + invoice_id + "/pay/");
  REQUIRE_MESSAGE(paid.status == 200, paid.body);
  CHECK(paid.json()["status"] == "paid");
  CHECK(r.balance_of("revenue:marketing") == "20.00");
  CHECK(r.balance_of("wallet:" + r.alice_id) == "30.00");
  subscription = r.subscription(r.alice);
  CHECK(subscription["status"] == "active");
  CHECK(subscription["open_invoice_id"].is_null());

  // Paid in time: the grace end changes nothing, and the next renewal bills again.
  r.sweep_at("2026-12-31T00:00:00Z");
  CHECK(r.subscription(r.admin)["status"] == "active");
  r.sweep_at("2027-01-23T00:00:00Z");
  CHECK(r.f.get(r.alice, "/api/invoices/?status=issued").json()["count"] == 1);
  CHECK(r.f.get(r.alice, "/api/invoices/").json()["count"] == 2);
  CHECK(r.balance_of("revenue:marketing") == "20.00");

  // The client heard of both renewals, and of the first by email.
  const auto position = r.f.log->head().position;
  const auto renewed = r.notifications(r.alice, "subscription_renewed", position);
  REQUIRE(renewed.size() == 2);
  CHECK(renewed[1]["message"] ==
        "Growth renewed until 2027-01-23: its invoice of $20.00 is due 2026-12-30");
  CHECK(renewed[0]["message"] ==
        "Growth renewed until 2027-02-23: its invoice of $20.00 is due 2027-01-30");
  CHECK(r.notifications(r.mia, "subscription_renewed", position).empty());
  const auto emails = testing::delivered_emails(r.f, position);
  int renewal_emails = 0;
  for (auto it = emails.find("alice@x.com"); it != emails.end() && it->first == "alice@x.com";
       ++it) {
    if (testing::header_value(it->second, "Subject") == "Your Growth subscription renewed") {
      ++renewal_emails;
    }
  }
  CHECK(renewal_emails == 2);
}

TEST_CASE("unpaid at the end of the grace period the subscription is past due until paid") {
  Renewals r;
  r.sweep_at("2026-12-23T09:00:00Z");
  const std::string invoice_id = r.subscription(r.alice)["open_invoice_id"];

  r.sweep_at("2026-12-30T23:59:59Z");
  CHECK(r.subscription(r.alice)["status"] == "active");
  r.sweep_at("2026-12-31T00:00:00Z");
  auto subscription = r.subscription(r.alice);
  CHECK(subscription["status"] == "past_due");
  CHECK(subscription["open_invoice_id"] == invoice_id);
  CHECK(r.f.get(r.admin, "/api/subscriptions/?status=past_due").json()["count"] == 1);
  auto invoice = r.f.get(r.alice, "/api/invoices/" + invoice_id + "/").json();
  CHECK(invoice["overdue"] == true);
  CHECK(invoice["status"] == "issued");

  // Past due, the next renewal date bills nothing more.
  r.sweep_at("2027-01-24T00:00:00Z");
  CHECK(r.f.get(r.alice, "/api/invoices/").json()["count"] == 1);
  CHECK(r.balance_of("revenue:marketing") == "0.00");
  const auto ended = r.notifications(r.alice, "subscription_past_due", r.f.log->head().position);
  REQUIRE(ended.size() == 1);
  CHECK(ended[0]["link"] == "/invoices/" + invoice_id);

  // Paying late posts the revenue and brings access back; the missed date is billed at once.
  CHECK(r.f.post(r.alice, "/api/invoices/" + invoice_id + "/pay/").json()["code"] ==
        "insufficient_funds");
  CHECK(r.subscription(r.alice)["status"] == "past_due");
  r.f.fund(r.admin, r.alice, "20.00");
  auto paid = r.f.post(r.alice, "/api/invoices/" + invoice_id + "/pay/");
  REQUIRE_MESSAGE(paid.status == 200, paid.body);
  CHECK(r.subscription(r.alice)["status"] == "active");
  CHECK(r.balance_of("revenue:marketing") == "20.00");
  const auto back =
      r.notifications(r.alice, "subscription_reinstated", std::to_string(position_of(paid)));
  REQUIRE(back.size() == 1);
  CHECK(back[0]["message"] ==
        "Growth is active again: the invoice of the renewal on 2026-12-23 is paid");

  r.sweep_at("2027-01-24T00:00:00Z");
  subscription = r.subscription(r.alice);
  CHECK(subscription["renews_on"] == "2027-02-23");
  CHECK(subscription["open_invoice_due_date"] == "2027-01-31");
  CHECK(r.f.get(r.alice, "/api/invoices/?status=issued").json()["count"] == 1);
}

TEST_CASE("a subscription paid from the wallet notifies each renewal with what it charged") {
  ApiAgency a;
  a.f.fund(a.admin, a.bob, "100.00");
  auto active = a.f.post(a.admin, "/api/subscriptions/",
                         nlohmann::json{{"client_id", a.bob_id},
                                        {"plan", "Starter"},
                                        {"service", "marketing"},
                                        {"price", "30.00"},
                                        {"renews_on", "2026-12-23"}}
                             .dump());
  REQUIRE_MESSAGE(active.status == 201, active.body);
  domain::DeadlineSweeper sweeper(*a.f.log, a.f.ledger, a.f.clock, a.f.ids);
  a.f.clock.set_us(*events::parse_rfc3339("2026-12-23T00:00:00Z"));
  REQUIRE(sweeper.sweep_once().ok());
  CHECK(a.f.get(a.bob, "/api/wallet/").json()["balance"] == "40.00");
  CHECK(a.f.get(a.bob, "/api/invoices/").json()["count"] == 0);
  const auto renewed = a.notifications(a.bob, "subscription_renewed", a.f.log->head().position);
  REQUIRE(renewed.size() == 1);
  CHECK(renewed[0]["message"] == "Starter renewed until 2027-01-23: $30.00 paid from your wallet");
  CHECK(a.f.get(a.bob, "/api/notifications/?category=payments&type=subscription_renewed")
            .json()["count"] == 1);
}

}  // namespace
}  // namespace ledger
