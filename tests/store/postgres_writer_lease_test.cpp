// The writer lease of a PostgreSQL log: of the nodes opened `leased` on one log, exactly one
// writes (it holds an advisory lock on its writing session); the others follow and take over
// when its session ends.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "core/store/postgres_connection.h"
#include "tests/support/followed_log.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using namespace std::chrono_literals;
using testing::append_with_row;
using testing::TempDirectory;

std::unique_ptr<store::PostgresEventLog> open_leased(const std::string& database_dir,
                                                     const std::string& state_dir) {
  return testing::open_followed_node(database_dir, state_dir, store::PostgresRole::leased, 50ms);
}

bool becomes_writable(const store::EventLog& log, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log.writable().ok()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST_CASE("the node holding the writer lease writes, another follows and takes over when it ends") {
  TempDirectory database, first_state, second_state;
  auto first = open_leased(database.string(), first_state.string());
  REQUIRE(becomes_writable(*first, 10s));
  auto second = open_leased(database.string(), second_state.string());

  REQUIRE(append_with_row(*first, "a").ok());
  REQUIRE(append_with_row(*first, "b").ok());
  REQUIRE(second->wait_for(2, 10s));
  CHECK_FALSE(becomes_writable(*second, 300ms));
  auto refused = append_with_row(*second, "c");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::store_read_only);
  CHECK(refused.error().message.find("writer lease") != std::string::npos);

  first.reset();  // its session ends, and the lease with it
  REQUIRE(becomes_writable(*second, 10s));
  auto appended = append_with_row(*second, "a");
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 3);
  CHECK(second->read_state(testing::kTestKeyspace, "row/a").value() == std::string("3"));
  CHECK(second->read_state(testing::kTestKeyspace, "row/b").value() == std::string("2"));
  const auto chain = testing::verify_whole_chain(*second);
  CHECK(chain.findings.empty());
  CHECK(chain.records_visited == 3);
}

TEST_CASE("of three leased nodes, one at a time is writable, through two successions") {
  TempDirectory database;
  TempDirectory states[3];
  std::unique_ptr<store::PostgresEventLog> nodes[3];
  for (int i = 0; i < 3; ++i) nodes[i] = open_leased(database.string(), states[i].string());

  std::uint64_t appended = 0;
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    int writable = -1;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (writable < 0 && std::chrono::steady_clock::now() < deadline) {
      for (int i = 0; i < 3; ++i) {
        if (nodes[i] && nodes[i]->writable().ok()) writable = i;
      }
      std::this_thread::sleep_for(5ms);
    }
    REQUIRE(writable >= 0);
    // For half a second, sampled: no other node is writable, and its appends fail.
    const auto watched_until = std::chrono::steady_clock::now() + 500ms;
    while (std::chrono::steady_clock::now() < watched_until) {
      for (int i = 0; i < 3; ++i) {
        if (i != writable && nodes[i]) CHECK_FALSE(nodes[i]->writable().ok());
      }
      std::this_thread::sleep_for(5ms);
    }
    for (int i = 0; i < 3; ++i) {
      if (i != writable && nodes[i]) CHECK_FALSE(append_with_row(*nodes[i], "other").ok());
    }
    REQUIRE(append_with_row(*nodes[writable], fmt::format("round{}", round)).ok());
    ++appended;
    CHECK(nodes[writable]->head().position == appended);
    nodes[writable].reset();
  }
  // Every node is gone now; the log holds one event per round, chained.
  TempDirectory last_state;
  auto last = open_leased(database.string(), last_state.string());
  REQUIRE(becomes_writable(*last, 10s));
  CHECK(last->head().position == appended);
  CHECK(testing::verify_whole_chain(*last).findings.empty());
}

TEST_CASE("a writer whose session is cut stops writing and another node takes the lease") {
  TempDirectory database, first_state, second_state;
  auto first = open_leased(database.string(), first_state.string());
  REQUIRE(becomes_writable(*first, 10s));
  auto second = open_leased(database.string(), second_state.string());
  REQUIRE(append_with_row(*first, "a").ok());

  testing::end_lease_holder_session(database.string());

  // Its next append cannot reach the log: the lock and the writes share the session.
  auto stale = append_with_row(*first, "a");
  CHECK_FALSE(stale.ok());
  REQUIRE(becomes_writable(*second, 10s));
  REQUIRE(second->wait_for(1, 10s));
  auto appended = append_with_row(*second, "b");
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 2);
  // The old writer stepped down: it follows the new one.
  REQUIRE(first->wait_for(2, 10s));
  CHECK_FALSE(first->writable().ok());
  CHECK(first->read_state(testing::kTestKeyspace, "row/b").value() == std::string("2"));
  CHECK(testing::verify_whole_chain(*second).findings.empty());
}

}  // namespace
}  // namespace ledger
