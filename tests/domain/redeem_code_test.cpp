// Redeem-code rules through the real sequencer and store: creation (single and batch), the five
// refusals of a redemption, activation, stats and usage history, and the races the usage limit
// and the once-per-user rule must survive.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <regex>
#include <set>
#include <thread>

#include "core/domain/keyspaces.h"
#include "core/domain/redeem_code.h"
#include "core/domain/redeem_codes_fold.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

Result<domain::Executed<events::RedeemCodeBatch>> create(LedgerFixture& f,
                                                         const std::vector<std::string>& codes,
                                                         Money value, std::uint32_t limit = 1,
                                                         std::int64_t expires_at_us = 0) {
  return f.run<events::RedeemCodeBatch>([=](UnitOfWork& uow) {
    return domain::create_redeem_codes(
        uow, {codes, value, limit, expires_at_us, "launch promo", "admin", "batch-1"});
  });
}

Result<domain::Executed<events::WalletCredited>> redeem(LedgerFixture& f, const std::string& code,
                                                        const std::string& user) {
  const std::string transaction = f.id();
  return f.run<events::WalletCredited>([=](UnitOfWork& uow) {
    return domain::redeem_code(uow,
                               {code, domain::UserId{user}, domain::TransactionId{transaction}});
  });
}

events::RedeemCodeStats stats(LedgerFixture& f) {
  return f.row<events::RedeemCodeStats>(domain::kRedeemCodesKeyspace, domain::kRedeemCodeStatsKey)
      .value_or(events::RedeemCodeStats{});
}

void check_refused(LedgerFixture& f, const std::string& code, const std::string& user,
                   Errc expected) {
  const auto head = f.log->head().position;
  const Money before = f.balance("wallet:" + user);
  auto refused = redeem(f, code, user);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == expected);
  CHECK(f.log->head().position == head);
  CHECK(f.balance("wallet:" + user) == before);
}

TEST_CASE("redeeming a code credits the wallet from promo:redeem-codes") {
  LedgerFixture f;
  REQUIRE(create(f, {"WELCOME50"}, usd("50.00"), 10).ok());
  auto redeemed = redeem(f, "welcome50", "alice");  // matched case-insensitively
  REQUIRE(redeemed.ok());
  CHECK(redeemed->answer.amount_minor() == 5000);
  CHECK(redeemed->answer.source() == "redeem_code");
  CHECK(redeemed->answer.reference() == "WELCOME50");
  CHECK(f.balance("wallet:alice") == usd("50.00"));
  CHECK(f.balance("promo:redeem-codes") == -usd("50.00"));
  CHECK(f.sum_of_balances() == Money::zero());

  auto code = f.row<events::RedeemCodeState>(domain::kRedeemCodesKeyspace,
                                             domain::redeem_code_key("WELCOME50"));
  REQUIRE(code);
  CHECK(code->times_used() == 1);
  CHECK(code->total_redeemed_minor() == 5000);
  auto usage = f.row<events::RedemptionState>(
      domain::kRedeemCodesKeyspace, domain::redeem_code_usage_prefix("WELCOME50") + "0000000001");
  REQUIRE(usage);
  CHECK(usage->user_id() == "alice");
  CHECK(usage->redeemed_at_us() == testing::kTestEpochUs);
  CHECK(f.count_rows(domain::kRedeemCodesKeyspace, domain::redeemed_by_user_prefix("alice")) == 1);
}

TEST_CASE("the documented code and prefix patterns are exactly the rules the domain applies") {
  const std::regex code_pattern{std::string(domain::kRedeemCodePattern)};
  const std::regex prefix_pattern{std::string(domain::kRedeemCodePrefixPattern)};
  const std::vector<std::string> samples = {"",
                                            "A",
                                            "ABC",
                                            "ABCD",
                                            "abcd",
                                            "Ab12",
                                            "SUMMER2026",
                                            std::string(20, 'Z'),
                                            std::string(21, 'Z'),
                                            std::string(40, '9'),
                                            std::string(41, '9'),
                                            "AB-CD",
                                            "AB CD",
                                            "ÄBCD",
                                            "ABCD\n",
                                            "ABC_",
                                            "12345",
                                            "abcdefghijklmnopqrstuvwxyz0123456789"};
  for (const auto& sample : samples) {
    CAPTURE(sample);
    CHECK(std::regex_match(sample, code_pattern) == domain::normalize_redeem_code(sample).ok());
    CHECK(std::regex_match(sample, prefix_pattern) ==
          domain::normalize_redeem_code_prefix(sample).ok());
  }
}

TEST_CASE("an unknown or malformed code is code_not_found") {
  LedgerFixture f;
  check_refused(f, "NOSUCHCODE", "alice", Errc::code_not_found);
  check_refused(f, "no such code!", "alice", Errc::code_not_found);
  check_refused(f, "", "alice", Errc::code_not_found);
}

TEST_CASE("an inactive code is code_inactive until it is activated again") {
  LedgerFixture f;
  REQUIRE(create(f, {"PAUSED1"}, usd("5.00"), 3).ok());
  auto off = f.run<events::RedeemCodeState>([](UnitOfWork& uow) {
    return domain::set_redeem_code_active(uow, {"paused1", false, "admin"});
  });
  REQUIRE(off.ok());
  CHECK_FALSE(off->answer.is_active());
  CHECK(stats(f).active_codes() == 0);
  check_refused(f, "PAUSED1", "alice", Errc::code_inactive);

  const auto head = f.log->head().position;
  auto off_again = f.run<events::RedeemCodeState>([](UnitOfWork& uow) {
    return domain::set_redeem_code_active(uow, {"PAUSED1", false, "admin"});
  });
  REQUIRE(off_again.ok());
  CHECK(f.log->head().position == head);  // no-op: nothing written
  CHECK(stats(f).active_codes() == 0);

  REQUIRE(f.run<events::RedeemCodeState>([](UnitOfWork& uow) {
             return domain::set_redeem_code_active(uow, {"PAUSED1", true, "admin"});
           }).ok());
  CHECK(stats(f).active_codes() == 1);
  CHECK(redeem(f, "PAUSED1", "alice").ok());
}

TEST_CASE("an expired code is code_expired") {
  LedgerFixture f;
  REQUIRE(create(f, {"SHORTLIVED"}, usd("5.00"), 3, f.clock.now_us() + kMicrosPerHour).ok());
  CHECK(redeem(f, "SHORTLIVED", "alice").ok());
  f.clock.advance_us(kMicrosPerHour);  // expiry is exclusive: at the deadline it has expired
  check_refused(f, "SHORTLIVED", "bob", Errc::code_expired);
}

TEST_CASE("a code used up to its limit is code_exhausted") {
  LedgerFixture f;
  REQUIRE(create(f, {"TWICE"}, usd("1.00"), 2).ok());
  CHECK(redeem(f, "TWICE", "alice").ok());
  CHECK(redeem(f, "TWICE", "bob").ok());
  check_refused(f, "TWICE", "carol", Errc::code_exhausted);
}

TEST_CASE("a user redeems a code at most once") {
  LedgerFixture f;
  REQUIRE(create(f, {"ONCEEACH"}, usd("2.00"), 100).ok());
  CHECK(redeem(f, "ONCEEACH", "alice").ok());
  check_refused(f, "ONCEEACH", "alice", Errc::code_already_redeemed);
  check_refused(f, "onceeach", "alice", Errc::code_already_redeemed);
}

TEST_CASE("creating a code that exists is code_exists, a batch is all or nothing") {
  LedgerFixture f;
  REQUIRE(create(f, {"TAKEN1"}, usd("1.00")).ok());
  const auto head = f.log->head().position;
  auto again = create(f, {"FRESH1", "TAKEN1"}, usd("1.00"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::code_exists);
  CHECK(f.log->head().position == head);
  CHECK_FALSE(f.row<events::RedeemCodeState>(domain::kRedeemCodesKeyspace,
                                             domain::redeem_code_key("FRESH1")));
  CHECK(stats(f).total_codes() == 1);
}

TEST_CASE("creation validates quantity, value, limit, expiry and code shape") {
  LedgerFixture f;
  auto refused = [&](const std::vector<std::string>& codes, Money value, std::uint32_t limit,
                     std::int64_t expires, std::string_view field) {
    auto created = create(f, codes, value, limit, expires);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == Errc::invalid_argument);
    CHECK(created.error().field == field);
  };
  refused({}, usd("1.00"), 1, 0, "quantity");
  std::vector<std::string> too_many;
  too_many.reserve(101);
  for (int i = 0; i < 101; ++i) too_many.push_back(fmt::format("CODE{:03}", i));
  refused(too_many, usd("1.00"), 1, 0, "quantity");
  refused({"GOOD1"}, Money::zero(), 1, 0, "value");
  refused({"GOOD1"}, Money::from_minor(Money::kApiAmountMinorMax + 1), 1, 0, "value");
  refused({"GOOD1"}, usd("1.00"), 0, 0, "usage_limit");
  refused({"GOOD1"}, usd("1.00"), 1, f.clock.now_us(), "expires_at");
  refused({"AB"}, usd("1.00"), 1, 0, "code");
  refused({"lower1"}, usd("1.00"), 1, 0, "code");  // deciders take normalized codes
  refused({"DUP1", "DUP1"}, usd("1.00"), 1, 0, "code");
  CHECK(f.log->head().position == 0);
}

TEST_CASE("a batch of 100 generated codes is created in one commit") {
  LedgerFixture f;
  std::vector<std::string> codes;
  codes.reserve(100);
  for (int i = 0; i < 100; ++i) codes.push_back(domain::generate_redeem_code("XMAS"));
  auto created = create(f, codes, usd("10.00"), 1);
  REQUIRE(created.ok());
  CHECK(created->answer.codes_size() == 100);
  CHECK(stats(f).total_codes() == 100);
  CHECK(stats(f).active_codes() == 100);
  CHECK(f.count_rows(domain::kRedeemCodesKeyspace, domain::kRedeemCodeKeyPrefix) == 100);
}

TEST_CASE("generated codes: prefix, length, alphabet without look-alikes, all distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string code = domain::generate_redeem_code("VIP");
    REQUIRE(code.size() == 3 + domain::kRedeemCodeRandomLength);
    CHECK(code.starts_with("VIP"));
    for (char c : code.substr(3)) {
      REQUIRE(domain::kRedeemCodeAlphabet.find(c) != std::string_view::npos);
      CHECK(std::string_view("01OIL").find(c) == std::string_view::npos);
    }
    CHECK(domain::normalize_redeem_code(code).ok());
    seen.insert(code);
  }
  CHECK(seen.size() == 10000);
  // At least 60 bits of randomness.
  CHECK(static_cast<double>(domain::kRedeemCodeRandomLength) *
            std::log2(static_cast<double>(domain::kRedeemCodeAlphabet.size())) >=
        60.0);
}

TEST_CASE("prefixes and codes are normalized to upper case and checked") {
  CHECK(domain::normalize_redeem_code_prefix("xmas").value() == "XMAS");
  CHECK(domain::normalize_redeem_code_prefix("").value().empty());
  CHECK_FALSE(domain::normalize_redeem_code_prefix("X-MAS").ok());
  CHECK_FALSE(domain::normalize_redeem_code_prefix(std::string(21, 'A')).ok());
  CHECK(domain::normalize_redeem_code("abc123").value() == "ABC123");
  CHECK_FALSE(domain::normalize_redeem_code("ABC").ok());
  CHECK_FALSE(domain::normalize_redeem_code(std::string(41, 'A')).ok());
  CHECK_FALSE(domain::normalize_redeem_code("ÄBCD").ok());
}

TEST_CASE("stats count codes, redemptions and value redeemed") {
  LedgerFixture f;
  REQUIRE(create(f, {"STATA", "STATB"}, usd("3.50"), 5).ok());
  CHECK(redeem(f, "STATA", "alice").ok());
  CHECK(redeem(f, "STATA", "bob").ok());
  CHECK(redeem(f, "STATB", "alice").ok());
  const auto s = stats(f);
  CHECK(s.total_codes() == 2);
  CHECK(s.active_codes() == 2);
  CHECK(s.total_redemptions() == 3);
  CHECK(s.total_value_redeemed_minor() == 1050);
  CHECK(f.count_rows(domain::kRedeemCodesKeyspace, domain::redeem_code_usage_prefix("STATA")) == 2);
  CHECK(-f.balance("promo:redeem-codes") == usd("10.50"));
}

TEST_CASE("a code with usage limit 5 redeemed by 256 users at once: exactly 5 succeed") {
  LedgerFixture f;
  REQUIRE(create(f, {"RACE5"}, usd("1.00"), 5).ok());
  std::atomic<int> succeeded{0};
  std::atomic<int> exhausted{0};
  std::vector<std::thread> threads;
  threads.reserve(256);
  for (int i = 0; i < 256; ++i) {
    threads.emplace_back([&, i] {
      auto redeemed = f.ledger.execute_and_wait<events::WalletCredited>(
          {"test", "", "", "", ""}, [i](UnitOfWork& uow) {
            return domain::redeem_code(uow, {"RACE5", domain::UserId{"user-" + std::to_string(i)},
                                             domain::TransactionId{"tx-" + std::to_string(i)}});
          });
      if (redeemed.ok()) {
        ++succeeded;
      } else if (redeemed.error().code == Errc::code_exhausted) {
        ++exhausted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 5);
  CHECK(exhausted == 251);
  CHECK(stats(f).total_redemptions() == 5);
  CHECK(-f.balance("promo:redeem-codes") == usd("5.00"));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("one user redeeming one code from 32 threads: exactly once") {
  LedgerFixture f;
  REQUIRE(create(f, {"SAMEUSER"}, usd("7.00"), 100).ok());
  std::atomic<int> succeeded{0};
  std::atomic<int> already{0};
  std::vector<std::thread> threads;
  threads.reserve(32);
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      auto redeemed = f.ledger.execute_and_wait<events::WalletCredited>(
          {"test", "", "", "", ""}, [i](UnitOfWork& uow) {
            return domain::redeem_code(
                uow, {"SAMEUSER", "alice", domain::TransactionId{"tx-" + std::to_string(i)}});
          });
      if (redeemed.ok()) {
        ++succeeded;
      } else if (redeemed.error().code == Errc::code_already_redeemed) {
        ++already;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(succeeded == 1);
  CHECK(already == 31);
  CHECK(f.balance("wallet:alice") == usd("7.00"));
}

TEST_CASE("the redeem_codes rows are the fold of the log: replayed alone they are the same bytes") {
  LedgerFixture f;
  REQUIRE(create(f, {"FOLDA", "FOLDB"}, usd("4.00"), 3, f.clock.now_us() + kMicrosPerDay).ok());
  f.clock.advance_us(kMicrosPerMinute);
  CHECK(redeem(f, "folda", "alice").ok());
  CHECK(redeem(f, "FOLDA", "bob").ok());
  REQUIRE(f.run<events::RedeemCodeState>([](UnitOfWork& uow) {
             return domain::set_redeem_code_active(uow, {"FOLDB", false, "admin"});
           }).ok());
  f.clock.advance_us(kMicrosPerMinute);
  REQUIRE(f.run<events::RedeemCodeState>([](UnitOfWork& uow) {
             return domain::set_redeem_code_active(uow, {"FOLDB", true, "admin"});
           }).ok());
  CHECK(redeem(f, "FOLDB", "alice").ok());

  const auto stored = testing::stored_rows(*f.log, domain::kRedeemCodesKeyspace);
  CHECK(stored.size() == 1 + 2 + 3 * 2);  // stats, two codes, three redemptions under two keys
  CHECK(testing::replayed_rows(*f.log, domain::kRedeemCodesKeyspace) == stored);
  const auto s = stats(f);
  CHECK(s.total_codes() == 2);
  CHECK(s.active_codes() == 2);
  CHECK(s.total_redemptions() == 3);
  CHECK(s.total_value_redeemed_minor() == 1200);
}

events::RedeemCodeRedeemed redeemed_event(std::string code, std::string user,
                                          std::int64_t amount_minor, std::uint32_t number) {
  events::RedeemCodeRedeemed redeemed;
  redeemed.set_code(std::move(code));
  redeemed.set_user_id(std::move(user));
  redeemed.set_amount_minor(amount_minor);
  redeemed.set_redemption_number(number);
  return redeemed;
}

TEST_CASE("the redeem_codes fold is total: events about a code it never saw change what they can") {
  const auto keyspace = domain::kRedeemCodesKeyspace;
  events::RedeemCodeActivated activated;
  activated.set_code("GHOST1");
  events::RedeemCodeDeactivated deactivated;
  deactivated.set_code("GHOST1");
  // No code, no count to move.
  testing::check_folds_to_nothing(keyspace, {&activated, &deactivated});

  testing::MemoryFoldRows rows;
  CHECK(testing::fold_one(rows, keyspace, redeemed_event("GHOST1", "alice", 500, 1),
                          "redeem-code:GHOST1", 7)
            .ok());
  const auto written = rows.rows_of(domain::kRedeemCodesKeyspace);
  CHECK_FALSE(written.contains(domain::redeem_code_key("GHOST1")));
  CHECK(written.contains(domain::redeem_code_usage_key("GHOST1", 1)));
  CHECK(written.contains(domain::redeemed_by_user_key("alice", "GHOST1")));
  events::RedeemCodeStats totals;
  REQUIRE(totals.ParseFromString(written.at(std::string(domain::kRedeemCodeStatsKey))));
  CHECK(totals.total_redemptions() == 1);
  CHECK(totals.active_codes() == 0);
}

TEST_CASE("the redeem_codes fold refuses a redeemed total that would overflow") {
  const auto keyspace = domain::kRedeemCodesKeyspace;
  testing::MemoryFoldRows rows;
  REQUIRE(testing::fold_one(rows, keyspace, redeemed_event("BIGONE", "alice", INT64_MAX, 1)).ok());
  auto overflowed =
      testing::fold_one(rows, keyspace, redeemed_event("BIGONE", "bob", INT64_MAX, 2));
  REQUIRE_FALSE(overflowed.ok());
  CHECK(overflowed.error().code == Errc::amount_overflow);
}

}  // namespace
}  // namespace ledger
