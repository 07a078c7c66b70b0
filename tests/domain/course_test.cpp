// Course rules through the real sequencer and store: catalogue, wallet and PayPal purchases, one
// purchase per user and course, confirmation (by an admin, or by the payment provider with the
// captured amount checked), failed payments, cancelled and expired PayPal purchases (and the
// deadline sweeper expiring them), refunds, access, and a concurrent double purchase.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/domain/course.h"
#include "core/domain/course_progress.h"
#include "core/domain/courses_fold.h"
#include "core/domain/deadline_sweeper.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/id_generator.h"
#include "events/enum_names.h"
#include "events/lesson_events.pb.h"
#include "events/subscription_events.pb.h"
#include "replay/inline_rebuild.h"
#include "tests/support/course_steps.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::add_course;
using testing::LedgerFixture;
using testing::usd;

Result<domain::Executed<events::CoursePurchaseState>> buy(LedgerFixture& f,
                                                          const std::string& course,
                                                          const std::string& user,
                                                          const std::string& method = "wallet") {
  const std::string purchase = f.id();
  const std::string transaction = f.id();
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::purchase_course(
        uow, {domain::PurchaseId{purchase}, domain::CourseId{course}, domain::UserId{user}, method,
              domain::TransactionId{transaction}});
  });
}

Result<domain::Executed<events::CoursePurchaseState>> confirm(LedgerFixture& f,
                                                              const std::string& purchase) {
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::confirm_course_purchase(
        uow, {domain::PurchaseId{purchase}, "", "PAYPAL-1", "payment-provider"});
  });
}

Result<domain::Executed<events::CoursePaymentAnswer>> provider_confirms(LedgerFixture& f,
                                                                        const std::string& purchase,
                                                                        Money amount,
                                                                        std::string currency) {
  return f.run<events::CoursePaymentAnswer>([=](UnitOfWork& uow) {
    return domain::confirm_course_payment(
        uow, {domain::PurchaseId{purchase}, {amount, currency, "PAYPAL-7"}});
  });
}

Result<domain::Executed<events::CoursePurchaseState>> provider_fails(LedgerFixture& f,
                                                                     const std::string& purchase) {
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::fail_course_purchase(uow, {domain::PurchaseId{purchase}, "card declined"});
  });
}

Result<domain::Executed<events::CoursePurchaseState>> refund(LedgerFixture& f,
                                                             const std::string& purchase) {
  const std::string transaction = f.id();
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::refund_course_purchase(
        uow, {domain::PurchaseId{purchase}, "admin", domain::TransactionId{transaction}});
  });
}

Result<domain::Executed<events::CoursePurchaseState>> cancel(LedgerFixture& f,
                                                             const std::string& purchase,
                                                             const std::string& user) {
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::cancel_course_purchase(uow,
                                          {domain::PurchaseId{purchase}, domain::UserId{user}});
  });
}

Result<domain::Executed<events::CoursePurchaseState>> expire(LedgerFixture& f,
                                                             const std::string& purchase) {
  return f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
    return domain::expire_course_purchase(uow, {domain::PurchaseId{purchase}});
  });
}

bool has_pending_row(LedgerFixture& f, std::string_view purchase) {
  return f
      .row<events::CoursePurchaseState>(domain::kCoursesKeyspace,
                                        domain::pending_purchase_key(purchase))
      .has_value();
}

std::optional<events::CoursePurchaseState> current(LedgerFixture& f, std::string_view user,
                                                   std::string_view course) {
  return f.row<events::CoursePurchaseState>(domain::kCoursesKeyspace,
                                            domain::user_course_key(user, course));
}

events::CourseState course_row(LedgerFixture& f, std::string_view course) {
  auto row = f.row<events::CourseState>(domain::kCoursesKeyspace, domain::course_key(course));
  REQUIRE(row);
  return *row;
}

void check_refused_purchase(LedgerFixture& f, const std::string& course, const std::string& user,
                            const std::string& method, Errc expected) {
  const auto head = f.log->head().position;
  auto refused = buy(f, course, user, method);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == expected);
  CHECK(f.log->head().position == head);
}

TEST_CASE("a wallet purchase completes at once and pays revenue:courses") {
  LedgerFixture f;
  add_course(f, "seo", usd("49.99"), false, true, 30);
  f.fund("alice", usd("60.00"));
  auto bought = buy(f, "seo", "alice");
  REQUIRE(bought.ok());
  CHECK(events::enum_name(bought->answer.status()) == "completed");
  CHECK(bought->answer.amount_minor() == 4999);
  CHECK(bought->answer.access_expires_at_us() == testing::kTestEpochUs + 30 * kMicrosPerDay);
  CHECK(f.balance("wallet:alice") == usd("10.01"));
  CHECK(f.balance("revenue:courses") == usd("49.99"));
  CHECK(course_row(f, "seo").purchases() == 1);
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("a wallet purchase the balance cannot cover is insufficient_funds") {
  LedgerFixture f;
  add_course(f, "seo", usd("49.99"));
  f.fund("alice", usd("49.98"));
  check_refused_purchase(f, "seo", "alice", "wallet", Errc::insufficient_funds);
  CHECK_FALSE(current(f, "alice", "seo"));
  CHECK(f.balance("wallet:alice") == usd("49.98"));
}

TEST_CASE("a course not sold on its own is not_for_sale, an unknown one not_found") {
  LedgerFixture f;
  add_course(f, "bundle-only", usd("10.00"), false, /*individual=*/false);
  f.fund("alice", usd("20.00"));
  check_refused_purchase(f, "bundle-only", "alice", "wallet", Errc::not_for_sale);
  check_refused_purchase(f, "nope", "alice", "wallet", Errc::not_found);
  check_refused_purchase(f, "bundle-only", "alice", "bitcoin", Errc::invalid_argument);
}

TEST_CASE("buying a course twice is already_purchased, pending or completed") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_course(f, "ads", usd("10.00"));
  f.fund("alice", usd("50.00"));
  REQUIRE(buy(f, "seo", "alice").ok());
  check_refused_purchase(f, "seo", "alice", "wallet", Errc::already_purchased);
  REQUIRE(buy(f, "ads", "alice", "paypal").ok());
  check_refused_purchase(f, "ads", "alice", "wallet", Errc::already_purchased);
  CHECK(f.balance("wallet:alice") == usd("40.00"));
}

TEST_CASE("a PayPal purchase is pending, moves no money, and is confirmed once") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  CHECK(events::enum_name(bought->answer.status()) == "pending");
  CHECK(f.balance("revenue:courses") == Money::zero());
  CHECK_FALSE(domain::course_is_accessible(course_row(f, "seo"), domain::Learner{bought->answer},
                                           f.clock.now_us()));
  CHECK(course_row(f, "seo").purchases() == 0);

  const std::string purchase_id = bought->answer.purchase_id();
  auto confirmed = confirm(f, purchase_id);
  REQUIRE(confirmed.ok());
  CHECK(events::enum_name(confirmed->answer.status()) == "completed");
  CHECK(confirmed->answer.provider_reference() == "PAYPAL-1");
  CHECK(f.balance("revenue:courses") == usd("25.00"));
  CHECK(f.balance("clearing:paypal") == -usd("25.00"));
  CHECK(course_row(f, "seo").purchases() == 1);

  const auto head = f.log->head().position;
  auto again = confirm(f, purchase_id);  // a retry, as confirming a top-up twice
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::already_confirmed);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("revenue:courses") == usd("25.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("confirming a wallet, refunded, unknown or other course's purchase is refused") {
  LedgerFixture f;
  add_course(f, "seo", usd("5.00"));
  add_course(f, "ads", usd("5.00"));
  f.fund("alice", usd("5.00"));
  auto wallet_purchase = buy(f, "seo", "alice");
  REQUIRE(wallet_purchase.ok());
  auto not_paypal = confirm(f, wallet_purchase->answer.purchase_id());
  REQUIRE_FALSE(not_paypal.ok());
  CHECK(not_paypal.error().code == Errc::not_pending);
  auto unknown = confirm(f, "nope");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::not_found);

  auto paypal = buy(f, "ads", "bob", "paypal");
  REQUIRE(paypal.ok());
  auto wrong_course = f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
    return domain::confirm_course_purchase(
        uow, {domain::PurchaseId{paypal->answer.purchase_id()}, "seo", "P", "admin"});
  });
  REQUIRE_FALSE(wrong_course.ok());
  CHECK(wrong_course.error().code == Errc::not_found);
  REQUIRE(confirm(f, paypal->answer.purchase_id()).ok());
  REQUIRE(refund(f, paypal->answer.purchase_id()).ok());
  auto after_refund = confirm(f, paypal->answer.purchase_id());
  REQUIRE_FALSE(after_refund.ok());
  CHECK(after_refund.error().code == Errc::not_pending);
}

TEST_CASE("a refund puts the money back in the wallet and removes access, buying again works") {
  LedgerFixture f;
  add_course(f, "seo", usd("30.00"));
  f.fund("alice", usd("30.00"));
  auto bought = buy(f, "seo", "alice");
  REQUIRE(bought.ok());
  auto owned = current(f, "alice", "seo");
  REQUIRE(owned);
  CHECK(domain::course_is_accessible(course_row(f, "seo"), domain::Learner{*owned},
                                     f.clock.now_us()));
  auto refunded = refund(f, bought->answer.purchase_id());
  REQUIRE(refunded.ok());
  CHECK(events::enum_name(refunded->answer.status()) == "refunded");
  CHECK(f.balance("wallet:alice") == usd("30.00"));
  CHECK(f.balance("refunds") == -usd("30.00"));
  CHECK(course_row(f, "seo").purchases() == 0);
  auto after = current(f, "alice", "seo");
  REQUIRE(after);
  CHECK_FALSE(domain::course_is_accessible(course_row(f, "seo"), domain::Learner{*after},
                                           f.clock.now_us()));
  CHECK(f.sum_of_balances() == Money::zero());

  auto twice = refund(f, bought->answer.purchase_id());
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == Errc::not_refundable);
  CHECK(buy(f, "seo", "alice").ok());
  CHECK(f.balance("wallet:alice") == Money::zero());
}

TEST_CASE("pending and free purchases cannot be refunded") {
  LedgerFixture f;
  add_course(f, "seo", usd("30.00"));
  add_course(f, "intro", Money::zero(), /*is_free=*/true);
  auto pending = buy(f, "seo", "alice", "paypal");
  REQUIRE(pending.ok());
  auto refused = refund(f, pending->answer.purchase_id());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::not_refundable);
  auto free = buy(f, "intro", "alice", "paypal");
  REQUIRE(free.ok());
  CHECK(events::enum_name(free->answer.status()) == "completed");
  CHECK(free->answer.payment_method() == "free");
  auto free_refund = refund(f, free->answer.purchase_id());
  REQUIRE_FALSE(free_refund.ok());
  CHECK(free_refund.error().code == Errc::not_refundable);
}

TEST_CASE("access: free courses always, purchases until they expire") {
  LedgerFixture f;
  add_course(f, "intro", Money::zero(), true);
  add_course(f, "seo", usd("10.00"), false, true, 7);
  CHECK(domain::course_is_accessible(course_row(f, "intro"), domain::Learner{}, f.clock.now_us()));
  CHECK_FALSE(
      domain::course_is_accessible(course_row(f, "seo"), domain::Learner{}, f.clock.now_us()));
  f.fund("alice", usd("10.00"));
  REQUIRE(buy(f, "seo", "alice").ok());
  const auto purchase = *current(f, "alice", "seo");
  const auto course = course_row(f, "seo");
  CHECK(domain::course_is_accessible(course, domain::Learner{purchase},
                                     f.clock.now_us() + 7 * kMicrosPerDay - 1));
  CHECK_FALSE(domain::course_is_accessible(course, domain::Learner{purchase},
                                           f.clock.now_us() + 7 * kMicrosPerDay));
}

TEST_CASE("course creation validates title, price and id") {
  LedgerFixture f;
  auto refused = [&](domain::CreateCourse command, std::string_view field) {
    auto created = f.run<events::CourseState>(
        [&](UnitOfWork& uow) { return domain::create_course(uow, command); });
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == Errc::invalid_argument);
    CHECK(created.error().field == field);
  };
  refused({"c1", "", "", usd("1.00"), false, true, 0, "admin"}, "title");
  refused({"c1", "T", "", Money::zero(), false, true, 0, "admin"}, "price");
  refused({"c1", "T", "", usd("1.00"), true, true, 0, "admin"}, "price");
  refused({"", "T", "", usd("1.00"), false, true, 0, "admin"}, "course_id");
  refused({"c1", "T", "", usd("1.00"), false, true, 40000, "admin"}, "access_days");
  add_course(f, "c1", usd("1.00"));
  refused({"c1", "T", "", usd("1.00"), false, true, 0, "admin"}, "course_id");
}

TEST_CASE("a course bought twice at once by the same user: one purchase") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  f.fund("alice", usd("100.00"));
  std::atomic<int> succeeded{0};
  std::atomic<int> already{0};
  std::vector<std::thread> threads;
  threads.reserve(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      const std::string suffix = std::to_string(i);
      auto bought = f.ledger.execute_and_wait<events::CoursePurchaseState>(
          {"test", "", "", "", ""}, [suffix](UnitOfWork& uow) {
            return domain::purchase_course(uow, {domain::PurchaseId{"p-" + suffix}, "seo", "alice",
                                                 "wallet", domain::TransactionId{"tx-" + suffix}});
          });
      if (bought.ok()) {
        ++succeeded;
      } else if (bought.error().code == Errc::already_purchased) {
        ++already;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 1);
  CHECK(already == 15);
  CHECK(f.balance("wallet:alice") == usd("90.00"));
  CHECK(course_row(f, "seo").purchases() == 1);
}

}  // namespace
}  // namespace ledger

namespace ledger {
namespace {

Result<domain::Executed<events::CourseProgressAnswer>> finish(LedgerFixture& f,
                                                              const std::string& course,
                                                              const std::string& user) {
  const std::string certificate = f.id();
  return f.run<events::CourseProgressAnswer>([=](UnitOfWork& uow) {
    return domain::finish_course(
        uow, {domain::CourseId{course}, domain::UserId{user}, domain::CertificateId{certificate}});
  });
}

void check_refused_finish(LedgerFixture& f, const std::string& course, const std::string& user,
                          Errc expected) {
  const auto head = f.log->head().position;
  auto refused = finish(f, course, user);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == expected);
  CHECK(f.log->head().position == head);
}

TEST_CASE("finishing a course: with access, once, refused without access") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"), false, true, 7);
  add_course(f, "ads", usd("10.00"));
  add_course(f, "intro", Money::zero(), true);
  f.fund("alice", usd("30.00"));

  check_refused_finish(f, "seo", "alice", Errc::course_not_accessible);  // not bought
  check_refused_finish(f, "nope", "alice", Errc::not_found);
  check_refused_finish(f, "", "alice", Errc::invalid_argument);

  REQUIRE(buy(f, "seo", "alice").ok());
  auto finished = finish(f, "seo", "alice");
  REQUIRE(finished.ok());
  CHECK(finished->answer.progress().finished_at_us() == f.clock.now_us());
  CHECK(finished->answer.newly_completed());
  CHECK(finished->answer.purchase().purchase_id() == current(f, "alice", "seo")->purchase_id());
  CHECK(current(f, "alice", "seo")->finished_at_us() == f.clock.now_us());
  auto events = f.log->read_all(f.log->head().position - 1, 1);
  REQUIRE(events.ok());
  CHECK(events->front().event_type() == "CourseFinished");
  check_refused_finish(f, "seo", "alice", Errc::already_finished);

  // A free course is open to everyone, taken or not: finished without a purchase.
  auto free = finish(f, "intro", "alice");
  REQUIRE(free.ok());
  CHECK_FALSE(free->answer.has_purchase());
  REQUIRE(buy(f, "intro", "alice").ok());
  check_refused_finish(f, "intro", "alice", Errc::already_finished);

  // PayPal pending: no access yet. Refunded: access gone.
  auto pending = buy(f, "ads", "alice", "paypal");
  REQUIRE(pending.ok());
  check_refused_finish(f, "ads", "alice", Errc::course_not_accessible);
  REQUIRE(confirm(f, pending->answer.purchase_id()).ok());
  REQUIRE(refund(f, pending->answer.purchase_id()).ok());
  check_refused_finish(f, "ads", "alice", Errc::course_not_accessible);

  // Expired access.
  LedgerFixture g;
  add_course(g, "seo", usd("10.00"), false, true, 7);
  g.fund("bob", usd("10.00"));
  REQUIRE(buy(g, "seo", "bob").ok());
  g.clock.advance_us(7 * kMicrosPerDay);
  check_refused_finish(g, "seo", "bob", Errc::course_not_accessible);
}

// The mismatch events of a payment, in order.
std::vector<events::PaymentAmountMismatched> recorded_mismatches(LedgerFixture& f,
                                                                 std::string_view payment_id) {
  auto stored = f.log->read_stream(domain::payment_mismatch_stream(payment_id), 1,
                                   store::ReadDirection::forward, 100);
  REQUIRE(stored.ok());
  std::vector<events::PaymentAmountMismatched> mismatches;
  for (const auto& envelope : *stored) {
    REQUIRE(envelope.event_type() == "PaymentAmountMismatched");
    REQUIRE(mismatches.emplace_back().ParseFromString(envelope.payload()));
  }
  return mismatches;
}

TEST_CASE("a provider capture of another amount or currency confirms no purchase and is recorded") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  const std::string purchase_id = bought->answer.purchase_id();

  auto short_paid = provider_confirms(f, purchase_id, usd("10.00"), "USD");
  REQUIRE(short_paid.ok());
  REQUIRE(short_paid->answer.has_mismatch());
  CHECK_FALSE(short_paid->answer.has_purchase());
  auto other_currency = provider_confirms(f, purchase_id, usd("25.00"), "EUR");
  REQUIRE(other_currency.ok());
  REQUIRE(other_currency->answer.has_mismatch());
  CHECK(events::enum_name(current(f, "alice", "seo")->status()) == "pending");
  CHECK(f.balance("revenue:courses") == Money::zero());
  CHECK(f.balance("clearing:paypal") == Money::zero());
  CHECK(course_row(f, "seo").purchases() == 0);

  const auto mismatches = recorded_mismatches(f, purchase_id);
  REQUIRE(mismatches.size() == 2);
  CHECK(mismatches[0].payment_kind() == "course_purchase");
  CHECK(mismatches[0].payment_id() == purchase_id);
  CHECK(mismatches[0].user_id() == "alice");
  CHECK(mismatches[0].expected_minor() == 2500);
  CHECK(mismatches[0].expected_currency() == "USD");
  CHECK(mismatches[0].captured_minor() == 1000);
  CHECK(mismatches[0].captured_currency() == "USD");
  CHECK(mismatches[0].provider_reference() == "PAYPAL-7");
  CHECK(mismatches[1].captured_minor() == 2500);
  CHECK(mismatches[1].captured_currency() == "EUR");

  auto paid = provider_confirms(f, purchase_id, usd("25.00"), "USD");
  REQUIRE(paid.ok());
  REQUIRE(paid->answer.has_purchase());
  CHECK_FALSE(paid->answer.has_mismatch());
  CHECK(events::enum_name(paid->answer.purchase().status()) == "completed");
  CHECK(paid->answer.purchase().provider_reference() == "PAYPAL-7");
  CHECK(f.balance("revenue:courses") == usd("25.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("the provider confirming a purchase again is already_confirmed and writes nothing") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  REQUIRE(provider_confirms(f, bought->answer.purchase_id(), usd("25.00"), "USD").ok());
  const auto head = f.log->head().position;
  for (const Money amount : {usd("25.00"), usd("1.00")}) {
    auto again = provider_confirms(f, bought->answer.purchase_id(), amount, "USD");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::already_confirmed);
  }
  CHECK(f.log->head().position == head);
  CHECK(f.balance("revenue:courses") == usd("25.00"));
}

TEST_CASE(
    "a failed PayPal payment fails the pending purchase, moves no money, and frees the course") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  const std::string purchase_id = bought->answer.purchase_id();
  auto failed = provider_fails(f, purchase_id);
  REQUIRE(failed.ok());
  CHECK(events::enum_name(failed->answer.status()) == "failed");
  CHECK(events::enum_name(current(f, "alice", "seo")->status()) == "failed");
  CHECK_FALSE(domain::course_is_accessible(course_row(f, "seo"), domain::Learner{failed->answer},
                                           f.clock.now_us()));
  CHECK(f.balance("clearing:paypal") == Money::zero());
  CHECK(f.balance("revenue:courses") == Money::zero());

  const auto head = f.log->head().position;
  auto confirm_failed = confirm(f, purchase_id);
  REQUIRE_FALSE(confirm_failed.ok());
  CHECK(confirm_failed.error().code == Errc::already_failed);
  auto provider_confirm_failed = provider_confirms(f, purchase_id, usd("25.00"), "USD");
  REQUIRE_FALSE(provider_confirm_failed.ok());
  CHECK(provider_confirm_failed.error().code == Errc::already_failed);
  auto fail_again = provider_fails(f, purchase_id);
  REQUIRE_FALSE(fail_again.ok());
  CHECK(fail_again.error().code == Errc::already_failed);
  CHECK(f.log->head().position == head);

  auto bought_again = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought_again.ok());
  CHECK(events::enum_name(bought_again->answer.status()) == "pending");
}

TEST_CASE("only a pending PayPal purchase can fail") {
  LedgerFixture f;
  add_course(f, "seo", usd("5.00"));
  add_course(f, "ads", usd("5.00"));
  f.fund("alice", usd("5.00"));
  auto wallet_purchase = buy(f, "seo", "alice");
  REQUIRE(wallet_purchase.ok());
  auto paypal = buy(f, "ads", "alice", "paypal");
  REQUIRE(paypal.ok());
  REQUIRE(confirm(f, paypal->answer.purchase_id()).ok());
  const auto head = f.log->head().position;
  CHECK(provider_fails(f, wallet_purchase->answer.purchase_id()).error().code == Errc::not_pending);
  CHECK(provider_fails(f, paypal->answer.purchase_id()).error().code == Errc::already_confirmed);
  CHECK(provider_fails(f, "nope").error().code == Errc::not_found);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("revenue:courses") == usd("10.00"));
}

TEST_CASE(
    "the client cancels a pending PayPal purchase: no money moves, the course is free again") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  f.fund("alice", usd("30.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  const std::string purchase_id = bought->answer.purchase_id();
  CHECK(has_pending_row(f, purchase_id));
  check_refused_purchase(f, "seo", "alice", "paypal", Errc::already_purchased);

  auto cancelled = cancel(f, purchase_id, "alice");
  REQUIRE(cancelled.ok());
  CHECK(events::enum_name(cancelled->answer.status()) == "cancelled");
  CHECK(cancelled->answer.cancel_reason() == "client");
  CHECK(cancelled->answer.cancelled_at_us() == f.clock.now_us());
  CHECK(events::enum_name(current(f, "alice", "seo")->status()) == "cancelled");
  CHECK_FALSE(has_pending_row(f, purchase_id));
  CHECK_FALSE(domain::course_is_accessible(course_row(f, "seo"), domain::Learner{cancelled->answer},
                                           f.clock.now_us()));
  CHECK(f.balance("wallet:alice") == usd("30.00"));
  CHECK(f.balance("clearing:paypal") == Money::zero());
  CHECK(f.balance("revenue:courses") == Money::zero());
  CHECK(course_row(f, "seo").purchases() == 0);

  // Once only; and a cancelled purchase cannot be confirmed or failed afterwards.
  const auto head = f.log->head().position;
  auto again = cancel(f, purchase_id, "alice");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::not_pending);
  CHECK(confirm(f, purchase_id).error().code == Errc::not_pending);
  CHECK(provider_fails(f, purchase_id).error().code == Errc::not_pending);
  CHECK(provider_confirms(f, purchase_id, usd("25.00"), "USD").error().code == Errc::not_pending);
  CHECK(f.log->head().position == head);

  auto bought_again = buy(f, "seo", "alice");
  REQUIRE(bought_again.ok());
  CHECK(events::enum_name(bought_again->answer.status()) == "completed");
  CHECK(f.balance("wallet:alice") == usd("5.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("only the purchase's own client may cancel it: for anyone else it does not exist") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  const auto head = f.log->head().position;
  auto by_bob = cancel(f, bought->answer.purchase_id(), "bob");
  REQUIRE_FALSE(by_bob.ok());
  CHECK(by_bob.error().code == Errc::not_found);
  auto missing = cancel(f, "nope", "bob");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::not_found);
  CHECK(by_bob.error().message.find("alice") == std::string::npos);
  CHECK(f.log->head().position == head);
  CHECK(events::enum_name(current(f, "alice", "seo")->status()) == "pending");
}

TEST_CASE("a completed, failed, wallet or free purchase cannot be cancelled") {
  LedgerFixture f;
  add_course(f, "seo", usd("5.00"));
  add_course(f, "ads", usd("5.00"));
  add_course(f, "web", usd("5.00"));
  add_course(f, "intro", Money::zero(), true);
  f.fund("alice", usd("5.00"));
  auto wallet_purchase = buy(f, "seo", "alice");
  REQUIRE(wallet_purchase.ok());
  auto confirmed = buy(f, "ads", "alice", "paypal");
  REQUIRE(confirmed.ok());
  REQUIRE(confirm(f, confirmed->answer.purchase_id()).ok());
  auto failed = buy(f, "web", "alice", "paypal");
  REQUIRE(failed.ok());
  REQUIRE(provider_fails(f, failed->answer.purchase_id()).ok());
  auto free = buy(f, "intro", "alice", "paypal");
  REQUIRE(free.ok());
  const auto head = f.log->head().position;
  CHECK(cancel(f, wallet_purchase->answer.purchase_id(), "alice").error().code ==
        Errc::not_pending);
  CHECK(cancel(f, confirmed->answer.purchase_id(), "alice").error().code ==
        Errc::already_confirmed);
  CHECK(cancel(f, failed->answer.purchase_id(), "alice").error().code == Errc::already_failed);
  CHECK(cancel(f, free->answer.purchase_id(), "alice").error().code == Errc::not_pending);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("revenue:courses") == usd("10.00"));
}

TEST_CASE("a pending PayPal purchase expires 24 hours after it was made, once") {
  LedgerFixture f;
  add_course(f, "seo", usd("25.00"));
  auto bought = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought.ok());
  const std::string purchase_id = bought->answer.purchase_id();
  const auto made_at = bought->answer.purchased_at_us();

  f.clock.set_us(made_at + domain::kPendingPurchaseLifetimeUs - 1);
  const auto head = f.log->head().position;
  auto early = expire(f, purchase_id);
  REQUIRE(early.ok());
  CHECK(events::enum_name(early->answer.status()) == "pending");
  CHECK(f.log->head().position == head);
  check_refused_purchase(f, "seo", "alice", "paypal", Errc::already_purchased);

  f.clock.set_us(made_at + domain::kPendingPurchaseLifetimeUs);
  auto expired = expire(f, purchase_id);
  REQUIRE(expired.ok());
  CHECK(events::enum_name(expired->answer.status()) == "cancelled");
  CHECK(expired->answer.cancel_reason() == "expired");
  CHECK(f.log->head().position == head + 1);
  CHECK_FALSE(has_pending_row(f, purchase_id));

  auto twice = expire(f, purchase_id);
  REQUIRE(twice.ok());
  CHECK(events::enum_name(twice->answer.status()) == "cancelled");
  CHECK(f.log->head().position == head + 1);
  CHECK(expire(f, "nope").error().code == Errc::not_found);

  auto bought_again = buy(f, "seo", "alice", "paypal");
  REQUIRE(bought_again.ok());
  CHECK(events::enum_name(bought_again->answer.status()) == "pending");
  CHECK(f.balance("clearing:paypal") == Money::zero());
  CHECK(f.balance("revenue:courses") == Money::zero());
}

TEST_CASE("expiring answers a confirmed, failed or wallet purchase unchanged, writing nothing") {
  LedgerFixture f;
  add_course(f, "seo", usd("5.00"));
  add_course(f, "ads", usd("5.00"));
  add_course(f, "web", usd("5.00"));
  f.fund("alice", usd("5.00"));
  auto wallet_purchase = buy(f, "seo", "alice");
  REQUIRE(wallet_purchase.ok());
  auto confirmed = buy(f, "ads", "alice", "paypal");
  REQUIRE(confirmed.ok());
  REQUIRE(confirm(f, confirmed->answer.purchase_id()).ok());
  auto failed = buy(f, "web", "alice", "paypal");
  REQUIRE(failed.ok());
  REQUIRE(provider_fails(f, failed->answer.purchase_id()).ok());
  f.clock.advance_us(2 * kMicrosPerDay);
  const auto head = f.log->head().position;
  CHECK(events::enum_name(expire(f, wallet_purchase->answer.purchase_id())->answer.status()) ==
        "completed");
  CHECK(events::enum_name(expire(f, confirmed->answer.purchase_id())->answer.status()) ==
        "completed");
  CHECK(events::enum_name(expire(f, failed->answer.purchase_id())->answer.status()) == "failed");
  CHECK(f.log->head().position == head);
}

TEST_CASE("the deadline sweeper expires pending PayPal purchases after 24 hours, once") {
  LedgerFixture f;
  IdGenerator ids(f.clock);
  domain::DeadlineSweeper sweeper(*f.log, f.ledger, f.clock, ids);
  add_course(f, "seo", usd("25.00"));
  add_course(f, "ads", usd("25.00"));
  add_course(f, "web", usd("25.00"));
  auto old_purchase = buy(f, "seo", "alice", "paypal");
  REQUIRE(old_purchase.ok());
  auto confirmed = buy(f, "ads", "alice", "paypal");
  REQUIRE(confirmed.ok());
  REQUIRE(confirm(f, confirmed->answer.purchase_id()).ok());
  f.clock.advance_us(12 * kMicrosPerHour);
  auto newer = buy(f, "web", "alice", "paypal");
  REQUIRE(newer.ok());

  auto sweep = [&] {
    auto report = sweeper.sweep_once();
    REQUIRE(report.ok());
    CHECK(report->failures == 0);
    return *report;
  };
  auto early = sweep();
  CHECK(early.course_purchases_checked == 2);  // the confirmed one is not scanned
  CHECK(early.commands_submitted == 0);

  f.clock.advance_us(12 * kMicrosPerHour);
  const auto head = f.log->head().position;
  auto due = sweep();
  CHECK(due.course_purchases_checked == 2);
  CHECK(due.commands_submitted == 1);
  CHECK(f.log->head().position == head + 1);
  CHECK(current(f, "alice", "seo")->cancel_reason() == "expired");
  CHECK(events::enum_name(current(f, "alice", "web")->status()) == "pending");
  CHECK(events::enum_name(current(f, "alice", "ads")->status()) == "completed");

  auto again = sweep();
  CHECK(again.course_purchases_checked == 1);  // the expired one left the scanned rows
  CHECK(again.commands_submitted == 0);
  CHECK(f.log->head().position == head + 1);
  REQUIRE(buy(f, "seo", "alice", "paypal").ok());
}

TEST_CASE("the courses rows are the fold of the log: replayed alone they are the same bytes") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"), false, true, 7);
  add_course(f, "ads", usd("12.00"));
  add_course(f, "intro", Money::zero(), true);
  f.fund("alice", usd("30.00"));
  f.clock.advance_us(kMicrosPerMinute);
  REQUIRE(buy(f, "seo", "alice").ok());
  REQUIRE(buy(f, "intro", "alice").ok());
  REQUIRE(finish(f, "seo", "alice").ok());
  auto failed = buy(f, "ads", "alice", "paypal");
  REQUIRE(failed.ok());
  REQUIRE(provider_fails(f, failed->answer.purchase_id()).ok());
  f.clock.advance_us(kMicrosPerMinute);
  auto paypal = buy(f, "ads", "alice", "paypal");
  REQUIRE(paypal.ok());
  REQUIRE(provider_confirms(f, paypal->answer.purchase_id(), usd("12.00"), "USD").ok());
  REQUIRE(refund(f, paypal->answer.purchase_id()).ok());
  auto bob = buy(f, "ads", "bob", "paypal");
  REQUIRE(bob.ok());
  REQUIRE(confirm(f, bob->answer.purchase_id()).ok());
  auto cancelled = buy(f, "seo", "bob", "paypal");
  REQUIRE(cancelled.ok());
  REQUIRE(cancel(f, cancelled->answer.purchase_id(), "bob").ok());
  auto expired = buy(f, "seo", "carol", "paypal");
  REQUIRE(expired.ok());
  f.clock.advance_us(kMicrosPerDay);
  REQUIRE(expire(f, expired->answer.purchase_id()).ok());
  auto pending = buy(f, "seo", "dave", "paypal");
  REQUIRE(pending.ok());

  const auto stored = testing::stored_rows(*f.log, domain::kCoursesKeyspace);
  // courses, purchases, current purchase of a user and course, pending PayPal purchases, the
  // progress and certificate of alice's finished course
  CHECK(stored.size() == 3 + 8 + 7 + 1 + 2);
  CHECK(stored.count(domain::pending_purchase_key(pending->answer.purchase_id())) == 1);
  CHECK(testing::replayed_rows(*f.log, domain::kCoursesKeyspace) == stored);

  const domain::InlineFold* const folds[] = {domain::find_inline_fold(domain::kCoursesKeyspace)};
  REQUIRE(folds[0] != nullptr);
  auto rebuilt = replay::rebuild_inline(*f.log, folds);
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->keyspaces.size() == 1);
  CHECK(rebuilt->keyspaces[0].rows == stored.size());
  CHECK(testing::stored_rows(*f.log, domain::kCoursesKeyspace) == stored);
  CHECK(course_row(f, "ads").purchases() == 1);  // bob's; alice's was refunded
  CHECK(current(f, "alice", "ads")->course_title() == "Course ads");
}

TEST_CASE("the courses fold is total: events about what it never saw change nothing") {
  const auto keyspace = domain::kCoursesKeyspace;
  events::CoursePurchaseConfirmed confirmed;
  confirmed.set_purchase_id("ghost");
  confirmed.set_course_id("seo");
  events::CoursePurchaseFailed failed;
  failed.set_purchase_id("ghost");
  events::CoursePurchaseRefunded refunded;
  refunded.set_purchase_id("ghost");
  refunded.set_course_id("seo");
  events::CourseFinished finished;
  finished.set_purchase_id("ghost");
  finished.set_course_id("seo");
  finished.set_user_id("alice");
  finished.set_certificate_id("c1");
  events::CoursePurchaseCancelled cancelled;
  cancelled.set_purchase_id("ghost");
  cancelled.set_reason("expired");
  events::CourseUpdated updated;
  updated.set_course_id("seo");
  updated.set_title("SEO");
  events::CourseDeleted deleted;
  deleted.set_course_id("seo");
  events::LessonAdded added;
  added.set_course_id("seo");
  added.set_lesson_id("l1");
  added.set_body("text");
  events::LessonUpdated changed;
  changed.set_course_id("seo");
  changed.set_lesson_id("l1");
  events::LessonRemoved removed;
  removed.set_course_id("seo");
  removed.set_lesson_id("l1");
  events::LessonCompleted completed;
  completed.set_course_id("seo");
  completed.set_lesson_id("l1");
  completed.set_user_id("alice");
  events::SubscriptionCancelled unsubscribed;
  unsubscribed.set_subscription_id("s1");
  unsubscribed.set_client_id("alice");
  testing::check_folds_to_nothing(
      keyspace, {&confirmed, &failed, &refunded, &finished, &cancelled, &updated, &deleted, &added,
                 &changed, &removed, &completed, &unsubscribed});

  // A completed purchase of a course the fold does not know: the purchase, and no count.
  testing::MemoryFoldRows rows;
  events::CoursePurchased purchased;
  purchased.set_purchase_id("p1");
  purchased.set_course_id("unknown");
  purchased.set_user_id("alice");
  purchased.set_status(events::COURSE_PURCHASE_STATUS_COMPLETED);
  CHECK(testing::fold_one(rows, keyspace, purchased).ok());
  const auto written = rows.rows_of(domain::kCoursesKeyspace);
  CHECK(written.size() == 2);
  CHECK_FALSE(written.contains(domain::course_key("unknown")));
}

TEST_CASE("a CoursePurchased recorded without its title takes the course's on a rebuild") {
  const auto keyspace = domain::kCoursesKeyspace;
  testing::MemoryFoldRows rows;
  events::CourseCreated created;
  created.set_course_id("seo");
  created.set_title("SEO basics");
  REQUIRE(testing::fold_one(rows, keyspace, created).ok());
  events::CoursePurchased purchased;  // as recorded before the event carried course_title
  purchased.set_purchase_id("p1");
  purchased.set_course_id("seo");
  purchased.set_user_id("alice");
  purchased.set_status(events::COURSE_PURCHASE_STATUS_PENDING);
  REQUIRE(testing::fold_one(rows, keyspace, purchased).ok());
  events::CoursePurchaseState purchase;
  REQUIRE(purchase.ParseFromString(
      rows.rows_of(domain::kCoursesKeyspace).at(domain::course_purchase_key("p1"))));
  CHECK(purchase.course_title() == "SEO basics");
}

}  // namespace
}  // namespace ledger
