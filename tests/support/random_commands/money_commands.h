// Random money commands for the property test (tests/support/random_ledger.h): top-ups (confirmed
// by an admin or by the provider's capture, matching or not, or failed), wallet payments, holds
// (placed, posted, voided, expired), auto-recharge (configured, disabled, triggered), redeem codes
// (redeemed, switched on and off), course purchases (by wallet or PayPal; confirmed, captured,
// failed, refunded, finished), lessons (added and removed by an admin, completed by learners with
// or without access) and invoices (issued, paid, voided, their deadlines marked). Some commands
// name ids never issued or carry malformed values, on purpose.
//
// Invariants (`check_invariants`, cheap enough for every step): the balances of all accounts sum
// to zero; no wallet is negative, and what its holds reserve is never negative nor more than it
// has.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/course_lesson.h"
#include "core/domain/course_progress.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/redeem_code.h"
#include "core/domain/wallet.h"
#include "core/domain/wallets_fold.h"
#include "events/timestamp.h"
#include "events/wallet_state.pb.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class MoneyCommands {
 public:
  explicit MoneyCommands(RandomLedger& ledger) : l_(ledger) {
    REQUIRE(l_.f.run<events::RedeemCodeBatch>([&](domain::UnitOfWork& uow) {
                  return domain::create_redeem_codes(
                      uow, {codes_, Money::from_minor(2'500), 3, 0, "", "admin", "b"});
                })
                .ok());
    // A paid course, a free one, and one sold only in bundles (not_for_sale on its own).
    create_course("course-a", Money::from_minor(4'000), false, true, 0);
    create_course("course-b", Money::from_minor(1'500), false, true, 30);
    create_course("course-free", Money::zero(), true, true, 0);
    create_course("course-bundle", Money::from_minor(9'000), false, false, 0);
    for (const char* course : {"course-a", "course-b", "course-free"}) {
      for (int i = 0; i < 2; ++i) add_lesson(course);
    }
    // Money to start with, so that holds, campaigns and subscriptions get past their first check.
    for (const auto& client : l_.clients) l_.f.fund(client, Money::from_minor(30'000));
  }

  void step() {
    using Command = void (MoneyCommands::*)();
    static constexpr Command kCommands[] = {
        &MoneyCommands::request_topup,
        &MoneyCommands::request_topup,
        &MoneyCommands::settle_topup,
        &MoneyCommands::pay,
        &MoneyCommands::pay,
        &MoneyCommands::place_hold,
        &MoneyCommands::post_hold,
        &MoneyCommands::close_hold,
        &MoneyCommands::auto_recharge,
        &MoneyCommands::redeem,
        &MoneyCommands::switch_code,
        &MoneyCommands::purchase_course,
        &MoneyCommands::settle_purchase,
        &MoneyCommands::learn,
        &MoneyCommands::learn,
        &MoneyCommands::change_lessons,
        &MoneyCommands::issue_invoice,
        &MoneyCommands::settle_invoice,
    };
    (this->*l_.pick(kCommands))();
  }

  void check_invariants() {
    REQUIRE(l_.f.sum_of_balances() == Money::zero());
    for (const auto& user : l_.clients) {
      const Money balance = l_.f.balance(domain::wallet_account(user));
      REQUIRE_FALSE(balance.is_negative());
      if (auto wallet =
              l_.f.row<events::WalletState>(domain::kWalletsKeyspace, domain::wallet_key(user))) {
        REQUIRE(wallet->held_minor() >= 0);
        REQUIRE(wallet->held_minor() <= balance.minor());  // holds never exceed the money
      }
    }
  }

 private:
  using UnitOfWork = domain::UnitOfWork;

  void create_course(const std::string& id, Money price, bool free, bool individual,
                     std::uint32_t access_days) {
    REQUIRE(l_.f.run<events::CourseState>([&](UnitOfWork& uow) {
                  return domain::create_course(
                      uow, {domain::CourseId{id}, "Course " + id, "", price, free, individual,
                            access_days, "admin"});
                })
                .ok());
    courses_.push_back(id);
  }

  void add_lesson(const std::string& course) {
    const std::string id = l_.f.id();
    REQUIRE(l_.f.run<events::LessonAnswer>([&](UnitOfWork& uow) {
                  return domain::add_lesson(uow,
                                            {domain::LessonId{id},
                                             domain::CourseId{course},
                                             {"Lesson " + id, "Module", 1, "Text", std::nullopt, 5},
                                             "admin"});
                })
                .ok());
    lessons_[course].push_back(id);
  }

  // A client completes a lesson (an unknown one now and then) or finishes a course: refused
  // without access, or for what remains to complete.
  void learn() {
    static const std::string kCoursesWithLessons[] = {"course-a", "course-b", "course-free"};
    const std::string course = l_.pick(kCoursesWithLessons);
    const std::string user = l_.pick(l_.clients);
    const std::string certificate = l_.f.id();
    if (l_.chance(20)) {
      l_.send<events::CourseProgressAnswer>({kRule}, [&](UnitOfWork& uow) {
        return domain::finish_course(uow, {domain::CourseId{course}, domain::UserId{user},
                                           domain::CertificateId{certificate}});
      });
      return;
    }
    const std::string lesson = l_.known_or_unknown(lessons_[course]);
    l_.send<events::CourseProgressAnswer>(
        RandomLedger::is_unknown(lesson) ? Refusable{kRule, kUnknown} : Refusable{kRule},
        [&](UnitOfWork& uow) {
          return domain::complete_lesson(
              uow, {domain::CourseId{course}, domain::LessonId{lesson}, domain::UserId{user},
                    domain::CertificateId{certificate}});
        });
  }

  // An admin adds a lesson to a paid course or removes one (learners' progress shrinks).
  void change_lessons() {
    const std::string course = l_.chance(50) ? "course-a" : "course-b";
    auto& lessons = lessons_[course];
    if (lessons.size() < 4 && l_.chance(50)) {
      add_lesson(course);
      return;
    }
    if (lessons.empty()) return;
    const std::string lesson = l_.pick(lessons);
    lessons.erase(std::find(lessons.begin(), lessons.end(), lesson));
    l_.send<events::LessonAnswer>({kRule}, [&](UnitOfWork& uow) {
      return domain::remove_lesson(uow,
                                   {domain::CourseId{course}, domain::LessonId{lesson}, "admin"});
    });
  }

  void request_topup() {
    const std::string user = l_.pick(l_.clients);
    const bool malformed = l_.chance(5);
    const bool reused = !malformed && !topups_.empty() && l_.chance(5);
    const std::string id = reused ? l_.pick(topups_) : l_.f.id();
    const Money value = malformed ? Money::zero() : l_.amount(20'000);
    const std::string method = l_.chance(50) ? "card" : "paypal";
    auto result = l_.run<
        events::TopUpRequested>(refused_as_if(malformed || reused, kInvalid), [&](UnitOfWork& uow) {
      return domain::request_topup(uow, {domain::UserId{user}, domain::TopUpId{id}, value, method});
    });
    if (result.ok()) topups_.push_back(id);
  }

  void settle_topup() {
    const std::string topup = l_.known_or_unknown(topups_);
    const std::string transaction = l_.f.id();
    switch (l_.between(0, 2)) {
      case 0:
        l_.send<events::WalletCredited>(RandomLedger::refusable_about(topup), [&](UnitOfWork& uow) {
          return domain::confirm_topup(
              uow, {domain::TopUpId{topup}, "ref", "admin", domain::TransactionId{transaction}});
        });
        break;
      case 1: {
        auto row = l_.f.row<events::TopUpState>(domain::kWalletsKeyspace, domain::topup_key(topup));
        // The provider's capture: the amount asked for, or a cent more, or in another currency.
        const std::int64_t asked = row ? row->amount_minor() : 1'000;
        const bool exact = l_.chance(70);
        const domain::CapturedPayment captured{Money::from_minor(asked + (exact ? 0 : 1)),
                                               l_.chance(90) ? "USD" : "EUR", "cap"};
        l_.send<events::TopUpPaymentAnswer>(
            RandomLedger::refusable_about(topup), [&](UnitOfWork& uow) {
              return domain::confirm_topup_payment(
                  uow, {domain::TopUpId{topup}, captured, domain::TransactionId{transaction}});
            });
        break;
      }
      default:
        l_.send<events::TopUpFailed>(RandomLedger::refusable_about(topup), [&](UnitOfWork& uow) {
          return domain::fail_topup(uow, {domain::TopUpId{topup}, "declined"});
        });
    }
  }

  void pay() {
    const std::string user = l_.pick(l_.clients);
    const std::string id = l_.f.id();
    const Money value = l_.amount(8'000);
    const std::string service = std::string(l_.pick(std::vector<std::string_view>(
        domain::known_services().begin(), domain::known_services().end())));
    l_.send<events::WalletDebited>({kRule}, [&](UnitOfWork& uow) {
      return domain::pay_from_wallet(
          uow, {domain::UserId{user}, domain::TransactionId{id}, value, "", service, "", ""});
    });
  }

  void place_hold() {
    const std::string user = l_.pick(l_.clients);
    const bool reused = !holds_.empty() && l_.chance(5);
    const std::string id = reused ? l_.pick(holds_) : l_.f.id();
    const Money value = l_.amount(5'000);
    const std::int64_t deadline = l_.chance(50) ? 0 : l_.f.clock.now_us() + kMicrosPerMinute;
    auto result = l_.run<events::HoldState>(refused_as_if(reused, kInvalid), [&](UnitOfWork& uow) {
      return domain::place_hold(uow, {domain::HoldId{id}, domain::UserId{user}, value, "campaign",
                                      "marketing", deadline});
    });
    if (result.ok()) holds_.push_back(id);
  }

  void post_hold() {
    const std::string hold = l_.known_or_unknown(holds_);
    const Money value = l_.amount(3'000);
    const std::string transaction = l_.f.id();
    l_.send<events::WalletDebited>(RandomLedger::refusable_about(hold), [&](UnitOfWork& uow) {
      return domain::post_hold(
          uow, {domain::HoldId{hold}, value, domain::TransactionId{transaction}, "spend"});
    });
  }

  void close_hold() {
    const std::string hold = l_.known_or_unknown(holds_);
    const auto kinds = RandomLedger::refusable_about(hold);
    if (l_.chance(50)) {
      l_.send<events::HoldState>(
          kinds, [&](UnitOfWork& uow) { return domain::void_hold(uow, {domain::HoldId{hold}}); });
    } else {
      l_.f.clock.advance_us(30 * kMicrosPerSecond);
      l_.send<events::HoldState>(
          kinds, [&](UnitOfWork& uow) { return domain::expire_hold(uow, {domain::HoldId{hold}}); });
    }
  }

  void auto_recharge() {
    const std::string user = l_.pick(l_.clients);
    switch (l_.between(0, 3)) {
      case 0: {
        // Below the 5.00 minimum threshold now and then: invalid_argument.
        const bool malformed = l_.chance(10);
        const Money threshold = Money::from_minor(malformed ? 499 : l_.between(500, 5'500));
        const Money recharge = Money::from_minor(l_.between(1'000, 6'000));
        l_.send<events::AutoRechargeState>(
            refused_as_if(malformed, kInvalid), [&](UnitOfWork& uow) {
              return domain::configure_auto_recharge(
                  uow, {domain::UserId{user}, threshold, recharge, "card"});
            });
        break;
      }
      case 1:
        l_.send<events::AutoRechargeState>({kRule}, [&](UnitOfWork& uow) {
          return domain::disable_auto_recharge(uow, {domain::UserId{user}});
        });
        break;
      default: {
        const std::string topup = l_.f.id();
        auto result = l_.run<events::TopUpState>({kRule}, [&](UnitOfWork& uow) {
          return domain::trigger_auto_recharge(uow, {domain::UserId{user}, domain::TopUpId{topup}});
        });
        if (result.ok()) topups_.push_back(result->answer.topup_id());
      }
    }
  }

  void redeem() {
    const std::string code = l_.chance(10) ? "NOSUCH1" : l_.pick(codes_);
    const std::string user = l_.pick(l_.clients);
    const std::string transaction = l_.f.id();
    l_.send<events::WalletCredited>({kRule}, [&](UnitOfWork& uow) {
      return domain::redeem_code(uow,
                                 {code, domain::UserId{user}, domain::TransactionId{transaction}});
    });
  }

  void switch_code() {
    const std::string code = l_.chance(10) ? "NOSUCH1" : l_.pick(codes_);
    const bool active = l_.chance(60);
    l_.send<events::RedeemCodeState>({kRule}, [&](UnitOfWork& uow) {
      return domain::set_redeem_code_active(uow, {code, active, "admin"});
    });
  }

  void purchase_course() {
    const bool unknown = l_.chance(5);
    const bool malformed = !unknown && l_.chance(5);
    const std::string course = unknown ? l_.unknown_id() : l_.pick(courses_);
    const std::string method = malformed ? "cash" : l_.chance(50) ? "wallet" : "paypal";
    const std::string user = l_.pick(l_.clients);
    const std::string id = l_.f.id();
    auto result = l_.run<events::CoursePurchaseState>(
        unknown ? Refusable::certain({kUnknown}) : refused_as_if(malformed, kInvalid),
        [&](UnitOfWork& uow) {
          return domain::purchase_course(
              uow, {domain::PurchaseId{id}, domain::CourseId{course}, domain::UserId{user}, method,
                    domain::TransactionId{id + "-tx"}});
        });
    if (result.ok()) purchases_.push_back(id);
  }

  void settle_purchase() {
    const std::string purchase = l_.known_or_unknown(purchases_);
    const auto kinds = RandomLedger::refusable_about(purchase);
    switch (l_.between(0, 6)) {
      case 0:
        l_.send<events::CoursePurchaseState>(kinds, [&](UnitOfWork& uow) {
          return domain::confirm_course_purchase(
              uow, {domain::PurchaseId{purchase}, "", "ref", "admin"});
        });
        break;
      case 1: {
        const Money captured = Money::from_minor(l_.chance(50) ? 4'000 : 1'500);
        l_.send<events::CoursePaymentAnswer>(kinds, [&](UnitOfWork& uow) {
          return domain::confirm_course_payment(
              uow, {domain::PurchaseId{purchase}, {captured, "USD", "cap"}});
        });
        break;
      }
      case 2:
        l_.send<events::CoursePurchaseState>(kinds, [&](UnitOfWork& uow) {
          return domain::fail_course_purchase(uow, {domain::PurchaseId{purchase}, "declined"});
        });
        break;
      case 3: {
        const std::string transaction = l_.f.id();
        l_.send<events::CoursePurchaseState>(kinds, [&](UnitOfWork& uow) {
          return domain::refund_course_purchase(
              uow, {domain::PurchaseId{purchase}, "admin", domain::TransactionId{transaction}});
        });
        break;
      }
      case 4: {
        // By a client who may not be the buyer: someone else's purchase is not_found.
        const std::string user = l_.pick(l_.clients);
        l_.send<events::CoursePurchaseState>(
            RandomLedger::is_unknown(purchase) ? kinds : Refusable{kRule, kUnknown},
            [&](UnitOfWork& uow) {
              return domain::cancel_course_purchase(
                  uow, {domain::PurchaseId{purchase}, domain::UserId{user}});
            });
        break;
      }
      case 5:
        l_.send<events::CoursePurchaseState>(kinds, [&](UnitOfWork& uow) {
          return domain::expire_course_purchase(uow, {domain::PurchaseId{purchase}});
        });
        break;
      default: {
        const std::string course = l_.pick(courses_);
        const std::string user = l_.pick(l_.clients);
        const std::string certificate = l_.f.id();
        l_.send<events::CourseProgressAnswer>({kRule}, [&](UnitOfWork& uow) {
          return domain::finish_course(uow, {domain::CourseId{course}, domain::UserId{user},
                                             domain::CertificateId{certificate}});
        });
      }
    }
  }

  void issue_invoice() {
    const bool reused = !invoices_.empty() && l_.chance(5);
    const bool past_due = !reused && l_.chance(5);
    const std::string id = reused ? l_.pick(invoices_) : l_.f.id();
    const std::string user = l_.pick(l_.clients);
    const std::int64_t due_at =
        l_.f.clock.now_us() + (past_due ? -2 : l_.between(1, 40)) * kMicrosPerDay;
    const std::string due_date = events::format_date(due_at);
    const Money value = l_.amount(6'000);
    auto result = l_.run<events::InvoiceState>(
        refused_as_if(reused || past_due, kInvalid), [&](UnitOfWork& uow) {
          return domain::issue_invoice(uow, {domain::InvoiceId{id}, domain::UserId{user}, "website",
                                             value, due_date, "", "admin"});
        });
    if (result.ok()) invoices_.push_back(id);
  }

  void settle_invoice() {
    const std::string invoice = l_.known_or_unknown(invoices_);
    switch (l_.between(0, 2)) {
      case 0: {
        auto state =
            l_.f.row<events::InvoiceState>(domain::kBillingKeyspace, domain::invoice_key(invoice));
        // Now and then another client than the invoice's: not_found, as for an unknown invoice.
        const bool stranger = l_.chance(10);
        const std::string payer = state && !stranger ? state->client_id() : "stranger";
        const std::string transaction = l_.f.id();
        l_.send<events::InvoiceState>(
            stranger ? Refusable::certain({kUnknown}) : RandomLedger::refusable_about(invoice),
            [&](UnitOfWork& uow) {
              return domain::pay_invoice(uow, {domain::InvoiceId{invoice}, domain::UserId{payer},
                                               domain::TransactionId{transaction}});
            });
        break;
      }
      case 1:
        l_.send<events::InvoiceState>(RandomLedger::refusable_about(invoice), [&](UnitOfWork& uow) {
          return domain::void_invoice(uow, {domain::InvoiceId{invoice}, "admin", "mistake"});
        });
        break;
      default:
        l_.send<events::InvoiceState>(RandomLedger::refusable_about(invoice), [&](UnitOfWork& uow) {
          return domain::mark_invoice_deadlines(uow, {domain::InvoiceId{invoice}});
        });
    }
  }

  RandomLedger& l_;
  std::vector<std::string> codes_ = {"PROMO1", "PROMO2"};
  std::vector<std::string> courses_;
  std::map<std::string, std::vector<std::string>> lessons_;  // by course: the current ones
  std::vector<std::string> topups_;
  std::vector<std::string> holds_;
  std::vector<std::string> purchases_;
  std::vector<std::string> invoices_;
};

}  // namespace ledger::testing
