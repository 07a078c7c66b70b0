// Wallet rules, each through the real sequencer and store: top-ups, payments, holds,
// auto-recharge, affordability. Every refusal is checked to write nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "events/enum_names.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

Result<domain::Executed<events::WalletDebited>> pay(LedgerFixture& f, const std::string& user,
                                                    Money amount,
                                                    const std::string& service = "marketing") {
  const std::string transaction = f.id();
  return f.run<events::WalletDebited>([=](UnitOfWork& uow) {
    return domain::pay_from_wallet(uow, {domain::UserId{user}, domain::TransactionId{transaction},
                                         amount, "", service, "ref", "desc"});
  });
}

TEST_CASE("a top-up request moves no money until it is confirmed") {
  LedgerFixture f;
  auto requested = f.run<events::TopUpRequested>([&](UnitOfWork& uow) {
    return domain::request_topup(uow, {"alice", "t1", usd("50.00"), "paypal"});
  });
  REQUIRE(requested.ok());
  CHECK(requested->answer.amount_minor() == 5000);
  CHECK(f.balance("wallet:alice") == Money::zero());
  auto confirmed = f.run<events::WalletCredited>([&](UnitOfWork& uow) {
    return domain::confirm_topup(uow, {"t1", "PAY-123", "admin", "c1"});
  });
  REQUIRE(confirmed.ok());
  CHECK(confirmed->answer.balance_after_minor() == 5000);
  CHECK(f.balance("wallet:alice") == usd("50.00"));
  CHECK(f.balance("clearing:paypal") == -usd("50.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("confirming a top-up twice is refused with already_confirmed") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));  // request id-1, confirm id-2
  const auto head = f.log->head().position;
  auto again = f.run<events::WalletCredited>([&](UnitOfWork& uow) {
    return domain::confirm_topup(uow, {"id-1", "ref", "admin", "c2"});
  });
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::already_confirmed);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("wallet:alice") == usd("10.00"));
}

TEST_CASE("a failed top-up can be neither confirmed nor failed again") {
  LedgerFixture f;
  REQUIRE(f.run<events::TopUpRequested>([&](UnitOfWork& uow) {
             return domain::request_topup(uow, {"alice", "t1", usd("5.00"), "card"});
           }).ok());
  REQUIRE(f.run<events::TopUpFailed>([&](UnitOfWork& uow) {
             return domain::fail_topup(uow, {"t1", "card declined"});
           }).ok());
  auto confirm = f.run<events::WalletCredited>([&](UnitOfWork& uow) {
    return domain::confirm_topup(uow, {"t1", "ref", "admin", "c1"});
  });
  CHECK(confirm.error().code == Errc::already_failed);
  auto fail_again = f.run<events::TopUpFailed>([&](UnitOfWork& uow) {
    return domain::fail_topup(uow, {"t1", "again"});
  });
  CHECK(fail_again.error().code == Errc::already_failed);
  CHECK(f.balance("wallet:alice") == Money::zero());
}

Result<domain::Executed<events::TopUpPaymentAnswer>> provider_confirms(
    LedgerFixture& f, const std::string& topup, Money amount, const std::string& currency) {
  const std::string transaction = f.id();
  return f.run<events::TopUpPaymentAnswer>([=](UnitOfWork& uow) {
    return domain::confirm_topup_payment(
        uow,
        {domain::TopUpId{topup}, {amount, currency, "ch_1"}, domain::TransactionId{transaction}});
  });
}

std::string topup_status(LedgerFixture& f, const std::string& topup) {
  auto row = f.row<events::TopUpState>(domain::kWalletsKeyspace, "topup/" + topup);
  REQUIRE(row);
  return std::string(events::enum_name(row->status()));
}

TEST_CASE("the provider's capture credits a top-up only when amount and currency match it") {
  LedgerFixture f;
  REQUIRE(f.run<events::TopUpRequested>([&](UnitOfWork& uow) {
             return domain::request_topup(uow, {"alice", "t1", usd("1000.00"), "card"});
           }).ok());
  auto short_paid = provider_confirms(f, "t1", usd("10.00"), "USD");
  REQUIRE(short_paid.ok());
  REQUIRE(short_paid->answer.has_mismatch());
  CHECK_FALSE(short_paid->answer.has_credited());
  const auto& mismatch = short_paid->answer.mismatch();
  CHECK(mismatch.payment_kind() == "topup");
  CHECK(mismatch.payment_id() == "t1");
  CHECK(mismatch.user_id() == "alice");
  CHECK(mismatch.expected_minor() == 100000);
  CHECK(mismatch.expected_currency() == "USD");
  CHECK(mismatch.captured_minor() == 1000);
  CHECK(mismatch.captured_currency() == "USD");
  CHECK(mismatch.provider_reference() == "ch_1");
  auto other_currency = provider_confirms(f, "t1", usd("1000.00"), "EUR");
  REQUIRE(other_currency.ok());
  CHECK(other_currency->answer.has_mismatch());
  CHECK(f.balance("wallet:alice") == Money::zero());
  CHECK(f.balance("clearing:card") == Money::zero());
  CHECK(topup_status(f, "t1") == "pending");

  auto recorded = f.log->read_stream(domain::payment_mismatch_stream("t1"), 1,
                                     store::ReadDirection::forward, 10);
  REQUIRE(recorded.ok());
  REQUIRE(recorded->size() == 2);
  CHECK((*recorded)[0].event_type() == "PaymentAmountMismatched");
  CHECK((*recorded)[0].position() == short_paid->position);

  auto paid = provider_confirms(f, "t1", usd("1000.00"), "USD");
  REQUIRE(paid.ok());
  REQUIRE(paid->answer.has_credited());
  CHECK_FALSE(paid->answer.has_mismatch());
  CHECK(f.balance("wallet:alice") == usd("1000.00"));
  CHECK(topup_status(f, "t1") == "confirmed");
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE(
    "the provider confirming a settled top-up is refused like an admin, whatever it captured") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));  // request id-1, confirm id-2
  REQUIRE(f.run<events::TopUpRequested>([&](UnitOfWork& uow) {
             return domain::request_topup(uow, {"alice", "t2", usd("5.00"), "card"});
           }).ok());
  REQUIRE(f.run<events::TopUpFailed>([&](UnitOfWork& uow) {
             return domain::fail_topup(uow, {"t2", "card declined"});
           }).ok());
  const auto head = f.log->head().position;
  for (const Money amount : {usd("10.00"), usd("99.00")}) {
    auto confirmed_again = provider_confirms(f, "id-1", amount, "USD");
    REQUIRE_FALSE(confirmed_again.ok());
    CHECK(confirmed_again.error().code == Errc::already_confirmed);
  }
  auto failed = provider_confirms(f, "t2", usd("5.00"), "USD");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == Errc::already_failed);
  auto unknown = provider_confirms(f, "nope", usd("5.00"), "USD");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::not_found);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("wallet:alice") == usd("10.00"));
}

TEST_CASE("confirming an unknown top-up is not_found") {
  LedgerFixture f;
  auto confirm = f.run<events::WalletCredited>([&](UnitOfWork& uow) {
    return domain::confirm_topup(uow, {"nope", "ref", "admin", "c1"});
  });
  CHECK(confirm.error().code == Errc::not_found);
}

TEST_CASE("top-up requests validate amount, method and id") {
  LedgerFixture f;
  auto request = [&](Money amount, const std::string& method, const std::string& id) {
    return f.run<events::TopUpRequested>([=](UnitOfWork& uow) {
      return domain::request_topup(uow, {"alice", domain::TopUpId{id}, amount, method});
    });
  };
  CHECK(request(Money::zero(), "card", "a").error().code == Errc::invalid_argument);
  CHECK(request(usd("1.00"), "bitcoin", "b").error().field == "payment_method");
  CHECK(request(usd("1.00"), "card", "").error().field == "topup_id");
  REQUIRE(request(usd("1.00"), "card", "dup").ok());
  CHECK(request(usd("1.00"), "card", "dup").error().field == "topup_id");
  CHECK(f.log->head().position == 1);
}

TEST_CASE("a payment debits the wallet into the service's revenue") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  auto paid = pay(f, "alice", usd("30.25"), "website");
  REQUIRE(paid.ok());
  CHECK(paid->answer.balance_after_minor() == 6975);
  CHECK(paid->answer.paid_for_service() == "website");
  CHECK(paid->answer.source() == "payment");
  CHECK(f.balance("wallet:alice") == usd("69.75"));
  CHECK(f.balance("revenue:website") == usd("30.25"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("a payment of exactly the balance succeeds and leaves zero") {
  LedgerFixture f;
  f.fund("alice", usd("12.34"));
  REQUIRE(pay(f, "alice", usd("12.34")).ok());
  CHECK(f.balance("wallet:alice") == Money::zero());
}

TEST_CASE("a payment above the balance is refused with insufficient_funds and writes nothing") {
  LedgerFixture f;
  f.fund("alice", usd("12.34"));
  const auto head = f.log->head().position;
  auto paid = pay(f, "alice", usd("12.35"));
  REQUIRE_FALSE(paid.ok());
  CHECK(paid.error().code == Errc::insufficient_funds);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("wallet:alice") == usd("12.34"));
}

TEST_CASE("a payment for an unknown service or of zero is invalid") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));
  CHECK(pay(f, "alice", usd("1.00"), "gardening").error().code == Errc::invalid_argument);
  CHECK(pay(f, "alice", Money::zero()).error().code == Errc::invalid_argument);
}

TEST_CASE("a hold lowers the available balance but moves no money") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  auto held = f.run<events::HoldState>([&](UnitOfWork& uow) {
    return domain::place_hold(uow, {"h1", "alice", usd("80.00"), "campaign:c1", "marketing", 0});
  });
  REQUIRE(held.ok());
  CHECK(f.balance("wallet:alice") == usd("100.00"));
  auto paid = pay(f, "alice", usd("20.01"));
  CHECK(paid.error().code == Errc::insufficient_funds);
  CHECK(pay(f, "alice", usd("20.00")).ok());
  auto second_hold = f.run<events::HoldState>([&](UnitOfWork& uow) {
    return domain::place_hold(uow, {"h2", "alice", usd("0.01"), "x", "marketing", 0});
  });
  CHECK(second_hold.error().code == Errc::insufficient_funds);
}

TEST_CASE("posting a hold spends it into revenue, and more than is held is refused") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(f.run<events::HoldState>([&](UnitOfWork& uow) {
             return domain::place_hold(
                 uow, {"h1", "alice", usd("50.00"), "campaign:c1", "marketing", 0});
           }).ok());
  auto post = [&](Money amount) {
    const std::string transaction = f.id();
    return f.run<events::WalletDebited>([=](UnitOfWork& uow) {
      return domain::post_hold(uow, {"h1", amount, domain::TransactionId{transaction}, "spend"});
    });
  };
  REQUIRE(post(usd("30.00")).ok());
  CHECK(f.balance("wallet:alice") == usd("70.00"));
  CHECK(f.balance("revenue:marketing") == usd("30.00"));
  CHECK(post(usd("20.01")).error().code == Errc::hold_exceeded);
  REQUIRE(post(usd("20.00")).ok());
  CHECK(post(usd("0.01")).error().code == Errc::hold_not_open);  // fully posted
  CHECK(pay(f, "alice", usd("50.00")).ok());                     // nothing held any more
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("voiding a hold releases what is left, voiding twice or posting after is refused") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(f.run<events::HoldState>([&](UnitOfWork& uow) {
             return domain::place_hold(uow, {"h1", "alice", usd("60.00"), "p", "marketing", 0});
           }).ok());
  auto voided =
      f.run<events::HoldState>([&](UnitOfWork& uow) { return domain::void_hold(uow, {"h1"}); });
  REQUIRE(voided.ok());
  CHECK(events::enum_name(voided->answer.status()) == "voided");
  CHECK(pay(f, "alice", usd("100.00")).ok());
  auto again =
      f.run<events::HoldState>([&](UnitOfWork& uow) { return domain::void_hold(uow, {"h1"}); });
  CHECK(again.error().code == Errc::hold_not_open);
  auto post = f.run<events::WalletDebited>([&](UnitOfWork& uow) {
    return domain::post_hold(uow, {"h1", usd("1.00"), "t", ""});
  });
  CHECK(post.error().code == Errc::hold_not_open);
}

TEST_CASE("a hold past its deadline expires: it cannot be posted and its money is released") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));
  const auto deadline = f.clock.now_us() + 60 * kMicrosPerSecond;
  REQUIRE(
      f.run<events::HoldState>([&](UnitOfWork& uow) {
         return domain::place_hold(uow, {"h1", "alice", usd("10.00"), "p", "marketing", deadline});
       }).ok());
  auto early =
      f.run<events::HoldState>([&](UnitOfWork& uow) { return domain::expire_hold(uow, {"h1"}); });
  REQUIRE(early.ok());
  CHECK(events::enum_name(early->answer.status()) == "open");  // not yet due: nothing happens
  f.clock.advance_us(61 * kMicrosPerSecond);
  auto post = f.run<events::WalletDebited>([&](UnitOfWork& uow) {
    return domain::post_hold(uow, {"h1", usd("1.00"), "t", ""});
  });
  CHECK(post.error().code == Errc::hold_not_open);
  auto expired =
      f.run<events::HoldState>([&](UnitOfWork& uow) { return domain::expire_hold(uow, {"h1"}); });
  REQUIRE(expired.ok());
  CHECK(events::enum_name(expired->answer.status()) == "expired");
  CHECK(pay(f, "alice", usd("10.00")).ok());
}

TEST_CASE("a hold's deadline must be in the future") {
  LedgerFixture f;
  f.fund("alice", usd("10.00"));
  auto held = f.run<events::HoldState>([&](UnitOfWork& uow) {
    return domain::place_hold(uow,
                              {"h1", "alice", usd("1.00"), "p", "marketing", f.clock.now_us()});
  });
  CHECK(held.error().field == "expires_at");
}

TEST_CASE("auto-recharge limits: threshold at least 5.00, amount at least 10.00") {
  LedgerFixture f;
  auto configure = [&](Money threshold, Money amount) {
    return f.run<events::AutoRechargeState>([=](UnitOfWork& uow) {
      return domain::configure_auto_recharge(uow, {"alice", threshold, amount, "card"});
    });
  };
  CHECK(configure(usd("4.99"), usd("10.00")).error().field == "threshold_amount");
  CHECK(configure(usd("5.00"), usd("9.99")).error().field == "recharge_amount");
  auto ok = configure(usd("5.00"), usd("10.00"));
  REQUIRE(ok.ok());
  CHECK(ok->answer.is_enabled());
}

TEST_CASE("a debit below the threshold requests exactly one auto-recharge top-up") {
  LedgerFixture f;
  f.fund("alice", usd("30.00"));
  REQUIRE(
      f.run<events::AutoRechargeState>([&](UnitOfWork& uow) {
         return domain::configure_auto_recharge(uow, {"alice", usd("10.00"), usd("25.00"), "card"});
       }).ok());
  auto first = pay(f, "alice", usd("15.00"));  // 15.00 left: above the threshold
  REQUIRE(first.ok());
  auto second = pay(f, "alice", usd("6.00"));  // 9.00 left: below
  REQUIRE(second.ok());
  const std::string topup_id = second->answer.transaction_id() + "-auto-recharge";
  auto topup = f.log->read_state(domain::kWalletsKeyspace, "topup/" + topup_id);
  REQUIRE(topup.ok());
  REQUIRE(topup->has_value());
  auto third = pay(f, "alice", usd("1.00"));  // still below, but one is pending
  REQUIRE(third.ok());
  auto none = f.log->read_state(domain::kWalletsKeyspace,
                                "topup/" + third->answer.transaction_id() + "-auto-recharge");
  CHECK_FALSE(none->has_value());
  CHECK(f.balance("wallet:alice") == usd("8.00"));  // nothing moved yet

  auto confirmed = f.run<events::WalletCredited>([&](UnitOfWork& uow) {
    return domain::confirm_topup(uow, {domain::TopUpId{topup_id}, "ref", "payment-provider", "c9"});
  });
  REQUIRE(confirmed.ok());
  CHECK(f.balance("wallet:alice") == usd("33.00"));
  auto wallet_row = f.log->read_state(domain::kWalletsKeyspace, "wallet/alice");
  events::WalletState wallet;
  REQUIRE(wallet.ParseFromString(**wallet_row));
  CHECK(wallet.auto_recharge().total_recharges() == 1);
  CHECK(wallet.auto_recharge().total_recharged_minor() == 2500);
  CHECK(wallet.auto_recharge().pending_topup_id().empty());
  CHECK(wallet.auto_recharge().last_recharged_at_us() == f.clock.now_us());
}

TEST_CASE("a disabled auto-recharge requests nothing and cannot be triggered") {
  LedgerFixture f;
  f.fund("alice", usd("30.00"));
  REQUIRE(
      f.run<events::AutoRechargeState>([&](UnitOfWork& uow) {
         return domain::configure_auto_recharge(uow, {"alice", usd("10.00"), usd("25.00"), "card"});
       }).ok());
  REQUIRE(f.run<events::AutoRechargeState>([&](UnitOfWork& uow) {
             return domain::disable_auto_recharge(uow, {"alice"});
           }).ok());
  auto paid = pay(f, "alice", usd("25.00"));
  REQUIRE(paid.ok());
  auto topup = f.log->read_state(domain::kWalletsKeyspace,
                                 "topup/" + paid->answer.transaction_id() + "-auto-recharge");
  CHECK_FALSE(topup->has_value());
  auto trigger = f.run<events::TopUpState>([&](UnitOfWork& uow) {
    return domain::trigger_auto_recharge(uow, {"alice", "t9"});
  });
  CHECK(trigger.error().code == Errc::auto_recharge_disabled);
}

TEST_CASE("a manual trigger requests the recharge once and then answers the pending one") {
  LedgerFixture f;
  REQUIRE(f.run<events::AutoRechargeState>([&](UnitOfWork& uow) {
             return domain::configure_auto_recharge(uow,
                                                    {"alice", usd("5.00"), usd("10.00"), "paypal"});
           }).ok());
  auto first = f.run<events::TopUpState>([&](UnitOfWork& uow) {
    return domain::trigger_auto_recharge(uow, {"alice", "t1"});
  });
  REQUIRE(first.ok());
  CHECK(first->answer.amount_minor() == 1000);
  const auto head = f.log->head().position;
  auto second = f.run<events::TopUpState>([&](UnitOfWork& uow) {
    return domain::trigger_auto_recharge(uow, {"alice", "t2"});
  });
  REQUIRE(second.ok());
  CHECK(second->answer.topup_id() == "t1");
  CHECK(f.log->head().position == head);
}

TEST_CASE("affordability reports the shortfall and whether auto-recharge would cover it") {
  events::WalletState wallet;
  wallet.set_held_minor(1000);
  auto answer = domain::affordability(usd("50.00"), wallet, usd("45.00"));
  CHECK_FALSE(answer.can_afford);
  CHECK(answer.available == usd("40.00"));
  CHECK(answer.shortfall == usd("5.00"));
  CHECK_FALSE(answer.auto_recharge_would_cover);
  wallet.mutable_auto_recharge()->set_is_enabled(true);
  wallet.mutable_auto_recharge()->set_recharge_minor(500);
  CHECK(domain::affordability(usd("50.00"), wallet, usd("45.00")).auto_recharge_would_cover);
  CHECK_FALSE(domain::affordability(usd("50.00"), wallet, usd("45.01")).auto_recharge_would_cover);
  auto fine = domain::affordability(usd("50.00"), wallet, usd("40.00"));
  CHECK(fine.can_afford);
  CHECK(fine.shortfall == Money::zero());
}

TEST_CASE("64 concurrent debits of the full balance: exactly one succeeds") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  constexpr int kDebits = 64;
  std::vector<std::thread> threads;
  std::atomic<int> succeeded{0};
  std::atomic<int> refused{0};
  threads.reserve(kDebits);
  for (int i = 0; i < kDebits; ++i) {
    threads.emplace_back([&, i] {
      auto paid = f.run<events::WalletDebited>([i](UnitOfWork& uow) {
        return domain::pay_from_wallet(uow,
                                       {"alice", domain::TransactionId{"race-" + std::to_string(i)},
                                        Money::from_minor(10000), "", "marketing", "", ""});
      });
      if (paid.ok()) {
        ++succeeded;
      } else {
        CHECK(paid.error().code == Errc::insufficient_funds);
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 1);
  CHECK(refused == kDebits - 1);
  CHECK(f.balance("wallet:alice") == Money::zero());
  CHECK(f.sum_of_balances() == Money::zero());
}

}  // namespace
}  // namespace ledger
