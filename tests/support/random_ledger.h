// A ledger driven by random commands, for property tests: a LedgerFixture, a seeded generator
// (the same seed, the same commands), the people and ids several aggregates' commands name,
// and `run`,
// which sends one command through the real writer and checks how it ends:
//   ledger.run<events::HoldState>({ErrorKind::refused}, [&](UnitOfWork& uow) { ... });
// an accepted command is counted; a refused one must fail as one of the kinds the caller listed
// (what that command may be refused as) and must have written nothing. A failure of any other
// kind (a storage error, a broken invariant, a malformed row) fails the test.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/ledger.h"
#include "core/error.h"
#include "core/money.h"
#include "tests/support/ledger_fixture.h"

namespace ledger::testing {

// The kinds of failure a command may end in, by what the generator chose to send; `certain`
// when it must fail (an unknown id, a reused one, a malformed value).
class Refusable {
 public:
  Refusable(std::initializer_list<ErrorKind> kinds) {
    for (ErrorKind kind : kinds) mask_ |= bit(kind);
  }
  static Refusable certain(std::initializer_list<ErrorKind> kinds) {
    Refusable refusable(kinds);
    refusable.certain_ = true;
    return refusable;
  }
  bool contains(ErrorKind kind) const { return (mask_ & bit(kind)) != 0; }
  bool is_certain() const { return certain_; }

 private:
  static std::uint32_t bit(ErrorKind kind) { return 1u << static_cast<unsigned>(kind); }
  std::uint32_t mask_ = 0;
  bool certain_ = false;
};

inline constexpr ErrorKind kRule = ErrorKind::refused;              // a business rule
inline constexpr ErrorKind kUnknown = ErrorKind::not_found;         // an id never issued
inline constexpr ErrorKind kInvalid = ErrorKind::invalid_argument;  // a malformed value

// As `kind`, certainly, when `sent` (the generator chose to send an unknown id or a malformed
// value); else as a business rule, if at all.
inline Refusable refused_as_if(bool sent, ErrorKind kind) {
  return sent ? Refusable::certain({kind}) : Refusable{kRule};
}

struct RandomLedger {
  LedgerFixture f;
  std::mt19937_64 random;
  // Clients: they have wallets, campaigns, posts, websites and subscriptions.
  std::vector<std::string> clients = {"u1", "u2", "u3", "u4"};
  // Agents by department (registered by the identity commands).
  std::vector<std::string> marketing_agents = {"mia", "max"};
  std::vector<std::string> website_agents = {"wes"};
  // Marketing ids handed out, deleted ones included (campaigns and posts name each other).
  std::vector<std::string> campaigns;
  std::vector<std::string> posts;
  static constexpr std::string_view kUnknownIdPrefix = "ghost-";
  int accepted = 0;
  std::map<ErrorKind, int> refused_by_kind;

  explicit RandomLedger(std::uint64_t seed) : random(seed) {}

  template <class T, std::size_t N>
  const T& pick(const T (&values)[N]) {
    return values[std::uniform_int_distribution<std::size_t>(0, N - 1)(random)];
  }
  template <class T>
  const T& pick(const std::vector<T>& values) {
    REQUIRE_FALSE(values.empty());
    return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(random)];
  }
  // True `percent` times in a hundred.
  bool chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(random) < percent; }
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
  }
  Money amount(std::int64_t max_minor) { return Money::from_minor(between(1, max_minor)); }
  // An id no command was ever given (fresh ids are "id-N").
  std::string unknown_id() {
    return std::string(kUnknownIdPrefix) + std::to_string(between(1, 999));
  }
  static bool is_unknown(std::string_view id) { return id.starts_with(kUnknownIdPrefix); }
  // A known id most of the time, else one never issued (always when none is known).
  std::string known_or_unknown(const std::vector<std::string>& known) {
    return known.empty() || chance(10) ? unknown_id() : pick(known);
  }
  // How a command about `id` may be refused: as not_found when it was never issued, else by a
  // business rule.
  static Refusable refusable_about(std::string_view id) {
    return is_unknown(id) ? Refusable::certain({kUnknown}) : Refusable{kRule};
  }

  int refused() const {
    int total = 0;
    for (const auto& [kind, count] : refused_by_kind) total += count;
    return total;
  }

  // Moves the clock on by up to two days: deadlines, renewals and expiries come due.
  void advance_clock() { f.clock.advance_us(between(kMicrosPerMinute, 2 * kMicrosPerDay)); }

  // Runs `decide` through the writer; a failure must be of one of `refusable_as` and must leave
  // the log as it was; a command certain to be refused must not be accepted.
  template <class Answer>
  Result<domain::Executed<Answer>> run(Refusable refusable_as,
                                       domain::DomainDecide<Answer> decide) {
    const auto head = f.log->head().position;
    auto result = f.run<Answer>(std::move(decide));
    if (result.ok()) {
      CHECK_FALSE_MESSAGE(refusable_as.is_certain(), "accepted a command it must refuse");
      ++accepted;
      return result;
    }
    const ErrorKind kind = result.error().kind();
    ++refused_by_kind[kind];
    CAPTURE(result.error().message);
    CAPTURE(errc_name(result.error().code));
    CHECK_MESSAGE(refusable_as.contains(kind), "refused as an unexpected kind");
    CHECK(f.log->head().position == head);  // a refused command writes nothing
    return result;
  }

  // `run`, when the answer is not needed.
  template <class Answer>
  void send(Refusable refusable_as, domain::DomainDecide<Answer> decide) {
    static_cast<void>(run<Answer>(refusable_as, std::move(decide)));
  }
};

}  // namespace ledger::testing
