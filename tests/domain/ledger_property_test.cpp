// Property test: random sequences of money commands over a few wallets. After every step the
// balances of all accounts sum to zero and no wallet is negative or over-held; every 100 steps
// every inline row equals the fold of the log; at the end, balances folded from the log alone
// equal the inline read model row for row, and a rebuild of every inline keyspace rewrites every
// row byte for byte.
#include <doctest/doctest.h>

#include <random>

#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/invoice.h"
#include "core/domain/redeem_code.h"
#include "replay/balance_replay.h"
#include "tests/support/fold_checks.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;

struct RandomLedger {
  testing::LedgerFixture f;
  std::mt19937_64 random;
  std::vector<std::string> users = {"u1", "u2", "u3", "u4"};
  std::vector<std::string> pending_topups;
  std::vector<std::string> holds;
  std::vector<std::string> codes = {"PROMO1", "PROMO2"};
  std::vector<std::string> courses = {"course-a", "course-b"};
  std::vector<std::string> purchases;
  std::vector<std::string> invoices;
  int accepted = 0;
  int refused = 0;

  explicit RandomLedger(std::uint64_t seed) : random(seed) {
    REQUIRE(f.run<events::RedeemCodeBatch>([&](UnitOfWork& uow) {
               return domain::create_redeem_codes(
                   uow, {codes, Money::from_minor(2'500), 3, 0, "", "admin", "b"});
             }).ok());
    for (const auto& course : courses) {
      REQUIRE(f.run<events::CourseState>([&](UnitOfWork& uow) {
                 return domain::create_course(
                     uow, {course, course, "", Money::from_minor(4'000), false, true, 0, "admin"});
               }).ok());
    }
  }

  template <class T>
  const T& pick(const std::vector<T>& values) {
    return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(random)];
  }
  Money amount(std::int64_t max_minor) {
    return Money::from_minor(std::uniform_int_distribution<std::int64_t>(1, max_minor)(random));
  }
  template <class Answer>
  void count(const Result<domain::Executed<Answer>>& result) {
    if (result.ok()) {
      ++accepted;
    } else {
      ++refused;
      // Refusals must be business rules, never storage or invariant trouble.
      CHECK(result.error().kind() == ErrorKind::refused);
    }
  }

  void step() {
    const std::string user = pick(users);
    const std::string id = f.id();
    switch (std::uniform_int_distribution<int>(0, 14)(random)) {
      case 0:
      case 1: {
        const Money value = amount(20'000);
        const std::string method = random() % 2 ? "card" : "paypal";
        auto result = f.run<events::TopUpRequested>([&](UnitOfWork& uow) {
          return domain::request_topup(uow, {user, id, value, method});
        });
        count(result);
        if (result.ok()) pending_topups.push_back(id);
        break;
      }
      case 2:
        if (!pending_topups.empty()) {
          const std::string topup = pick(pending_topups);
          count(f.run<events::WalletCredited>([&](UnitOfWork& uow) {
            return domain::confirm_topup(uow, {topup, "ref", "admin", id});
          }));
        }
        break;
      case 3:
        if (!pending_topups.empty()) {
          const std::string topup = pick(pending_topups);
          count(f.run<events::TopUpFailed>(
              [&](UnitOfWork& uow) { return domain::fail_topup(uow, {topup, "declined"}); }));
        }
        break;
      case 4:
      case 5: {
        const Money value = amount(8'000);
        const std::string service = std::string(pick(std::vector<std::string_view>(
            domain::known_services().begin(), domain::known_services().end())));
        count(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
          return domain::pay_from_wallet(uow, {user, id, value, "", service, "", ""});
        }));
        break;
      }
      case 6: {
        const Money value = amount(5'000);
        const std::int64_t deadline = random() % 2 ? 0 : f.clock.now_us() + kMicrosPerMinute;
        auto result = f.run<events::HoldState>([&](UnitOfWork& uow) {
          return domain::place_hold(uow, {id, user, value, "campaign", "marketing", deadline});
        });
        count(result);
        if (result.ok()) holds.push_back(id);
        break;
      }
      case 7:
        if (!holds.empty()) {
          const std::string hold = pick(holds);
          const Money value = amount(3'000);
          count(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
            return domain::post_hold(uow, {hold, value, id, "spend"});
          }));
        }
        break;
      case 8:
        if (!holds.empty()) {
          const std::string hold = pick(holds);
          if (random() % 2) {
            count(f.run<events::HoldState>(
                [&](UnitOfWork& uow) { return domain::void_hold(uow, {hold}); }));
          } else {
            f.clock.advance_us(30 * kMicrosPerSecond);
            count(f.run<events::HoldState>(
                [&](UnitOfWork& uow) { return domain::expire_hold(uow, {hold}); }));
          }
        }
        break;
      case 9: {
        const bool enable = random() % 3 != 0;
        if (enable) {
          count(f.run<events::AutoRechargeState>([&](UnitOfWork& uow) {
            return domain::configure_auto_recharge(
                uow, {user, Money::from_minor(500 + static_cast<std::int64_t>(random() % 5000)),
                      Money::from_minor(1000 + static_cast<std::int64_t>(random() % 5000)),
                      "card"});
          }));
        } else {
          count(f.run<events::AutoRechargeState>(
              [&](UnitOfWork& uow) { return domain::disable_auto_recharge(uow, {user}); }));
        }
        break;
      }
      case 10:
        count(f.run<events::WalletCredited>([&](UnitOfWork& uow) {
          return domain::redeem_code(uow, {pick(codes), user, id});
        }));
        break;
      case 11: {
        const std::string method = random() % 2 ? "wallet" : "paypal";
        auto result = f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
          return domain::purchase_course(uow, {id, pick(courses), user, method, id + "-tx"});
        });
        count(result);
        if (result.ok()) purchases.push_back(id);
        break;
      }
      case 12:
        if (!purchases.empty()) {
          const std::string purchase = pick(purchases);
          if (random() % 2) {
            count(f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
              return domain::confirm_course_purchase(uow, {purchase, "", "ref", "admin"});
            }));
          } else {
            count(f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
              return domain::refund_course_purchase(uow, {purchase, "admin", id});
            }));
          }
        }
        break;
      case 13: {
        auto result = f.run<events::InvoiceState>([&](UnitOfWork& uow) {
          return domain::issue_invoice(uow, {id, user, "website", amount(6'000), "2026-12-31",
                                             "", "admin"});
        });
        count(result);
        if (result.ok()) invoices.push_back(id);
        break;
      }
      case 14:
        if (!invoices.empty()) {
          const std::string invoice = pick(invoices);
          auto state = f.row<events::InvoiceState>(domain::kBillingKeyspace,
                                                   domain::invoice_key(invoice));
          REQUIRE(state);
          count(f.run<events::InvoiceState>([&](UnitOfWork& uow) {
            return domain::pay_invoice(uow, {invoice, state->client_id(), id});
          }));
        }
        break;
    }
  }

  void check_invariants() {
    REQUIRE(f.sum_of_balances() == Money::zero());
    for (const auto& user : users) {
      const Money balance = f.balance(domain::wallet_account(user));
      REQUIRE_FALSE(balance.is_negative());
      auto row = f.log->read_state(domain::kWalletsKeyspace, "wallet/" + user);
      REQUIRE(row.ok());
      if (row->has_value()) {
        events::WalletState wallet;
        REQUIRE(wallet.ParseFromString(**row));
        REQUIRE(wallet.held_minor() >= 0);
        REQUIRE(wallet.held_minor() <= balance.minor());  // holds never exceed the money
      }
    }
  }
};

TEST_CASE("random command sequences keep every invariant, and replay equals the read model") {
  for (std::uint64_t seed : {1u, 2u, 3u, 42u, 2026u}) {
    CAPTURE(seed);
    RandomLedger ledger(seed);
    for (int i = 0; i < 400; ++i) {
      ledger.step();
      ledger.check_invariants();
      if (i % 100 == 99) testing::check_rows_are_the_fold(*ledger.f.log);
    }
    CHECK(ledger.accepted > 100);
    CHECK(ledger.refused > 0);  // the sequences do exercise the refusals

    auto replayed = replay::replay_balances(*ledger.f.log);
    auto stored = replay::stored_balances(*ledger.f.log);
    REQUIRE(replayed.ok());
    REQUIRE(stored.ok());
    REQUIRE(replayed->size() == stored->size());
    for (const auto& [account, row] : *replayed) {
      CAPTURE(account);
      REQUIRE(stored->contains(account));
      CHECK(row.SerializeAsString() == stored->at(account).SerializeAsString());
    }
    testing::check_rebuild_reproduces_rows(*ledger.f.log);
    testing::check_rows_are_the_fold(*ledger.f.log);
  }
}

}  // namespace
}  // namespace ledger
