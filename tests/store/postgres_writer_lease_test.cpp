// The writer lease of a PostgreSQL log: of the nodes opened `leased` on one log, exactly one
// writes (it holds an advisory lock on its writing session); the others follow and take over
// when its session ends.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

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

// A leased node polling (and, holding the lease, renewing it) every `poll_interval`, whose lease
// timeout for the holders it sees is `lease_timeout`.
std::unique_ptr<store::PostgresEventLog> open_leased_with(const std::string& database_dir,
                                                          const std::string& state_dir,
                                                          std::chrono::milliseconds poll_interval,
                                                          std::chrono::milliseconds lease_timeout) {
  store::PostgresStoreOptions options;
  options.url = testing::test_postgres_database(database_dir);
  options.store = testing::test_store_options(state_dir);
  options.role = store::PostgresRole::leased;
  options.fold_records = testing::fold_last_position;
  options.follow_poll_interval = poll_interval;
  options.lease_timeout = lease_timeout;
  auto log = store::PostgresEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
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

TEST_CASE("a lease holder that stops renewing loses the lease after the lease timeout") {
  TempDirectory database, first_state, second_state;
  // The first node renews once an hour: as far as the others can tell, it froze.
  auto first = open_leased_with(database.string(), first_state.string(), 1h, 3h);
  REQUIRE(becomes_writable(*first, 10s));
  REQUIRE(append_with_row(*first, "a").ok());
  const auto last_renewed = std::chrono::steady_clock::now();
  auto second = open_leased_with(database.string(), second_state.string(), 50ms, 500ms);
  REQUIRE(second->wait_for(1, 10s));

  REQUIRE(becomes_writable(*second, 10s));
  // Not before the holder was idle for the lease timeout (less the poll it may have missed).
  CHECK(std::chrono::steady_clock::now() - last_renewed >= 450ms);
  // The old holder's session is gone: its next append cannot reach the log.
  auto stale = append_with_row(*first, "stale");
  CHECK_FALSE(stale.ok());
  CHECK_FALSE(first->writable().ok());
  auto appended = append_with_row(*second, "b");
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 2);
  REQUIRE(first->wait_for(2, 10s));
  CHECK(first->read_state(testing::kTestKeyspace, "row/b").value() == std::string("2"));
  CHECK_FALSE(first->read_state(testing::kTestKeyspace, "row/stale").value().has_value());
  const auto chain = testing::verify_whole_chain(*second);
  CHECK(chain.findings.empty());
  CHECK(chain.records_visited == 2);
}

TEST_CASE("a lease holder that renews keeps the lease well past the lease timeout") {
  TempDirectory database, first_state, second_state;
  auto first = open_leased_with(database.string(), first_state.string(), 50ms, 300ms);
  REQUIRE(becomes_writable(*first, 10s));
  auto second = open_leased_with(database.string(), second_state.string(), 50ms, 300ms);
  // Five lease timeouts without an append: only the renewals keep the lease.
  const auto watched_until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < watched_until) {
    CHECK_FALSE(second->writable().ok());
    std::this_thread::sleep_for(20ms);
  }
  CHECK(first->writable().ok());
  auto appended = append_with_row(*first, "a");
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 1);
}

TEST_CASE("after the server ends every session of the log, the nodes reconnect and write on") {
  TempDirectory database, first_state, second_state;
  // The writer polls once an hour: whatever it does next, it does on its own reads and appends.
  auto first = open_leased_with(database.string(), first_state.string(), 1h, 3h);
  REQUIRE(becomes_writable(*first, 10s));
  auto second = open_leased(database.string(), second_state.string());
  REQUIRE(append_with_row(*first, "a").ok());
  REQUIRE(second->wait_for(1, 10s));
  // The writer's readers have connections idle in its pool.
  REQUIRE(first->read_all(0, 10).ok());

  // As a server restarting or failing over does: every session of this database ends (the
  // call waits until each is gone).
  auto admin = store::PgConnection::connect(testing::test_postgres_database(database.string()));
  REQUIRE(admin.ok());
  store::PgResult cut = (*admin)->exec(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  REQUIRE(cut.ok());
  CHECK(cut.number(0, 0) >= 4);  // at least each node's reader and lease sessions

  // Reads reconnect at once: the pool drops the connections the server closed.
  auto read = first->read_all(0, 10);
  REQUIRE_MESSAGE(read.ok(), read.error().message);
  CHECK(read->size() == 1);

  // The lock went with the writer's session: the other node takes the lease over new sessions.
  REQUIRE(becomes_writable(*second, 10s));
  // The old writer's append cannot reach the log; it steps down and follows.
  CHECK_FALSE(append_with_row(*first, "stale").ok());
  auto appended = append_with_row(*second, "b");
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 2);
  REQUIRE(first->wait_for(2, 10s));
  CHECK_FALSE(first->writable().ok());
  CHECK(first->read_state(testing::kTestKeyspace, "row/b").value() == std::string("2"));
  CHECK_FALSE(first->read_state(testing::kTestKeyspace, "row/stale").value().has_value());
  CHECK(testing::verify_whole_chain(*first).findings.empty());
}

TEST_CASE("nodes opening a new database at the same moment all open it, with one log id") {
  constexpr int kNodes = 6;
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    TempDirectory database;
    const std::string url = testing::test_postgres_database(database.string());
    TempDirectory states[kNodes];
    std::unique_ptr<store::PostgresEventLog> nodes[kNodes];
    std::string failures[kNodes];
    std::vector<std::thread> openers;
    openers.reserve(kNodes);
    for (int i = 0; i < kNodes; ++i) {
      openers.emplace_back([&, i] {
        store::PostgresStoreOptions options;
        options.url = url;
        options.store = testing::test_store_options(states[i].string());
        auto opened = store::PostgresEventLog::open(options);
        if (opened) {
          nodes[i] = std::move(opened).value();
        } else {
          failures[i] = opened.error().message;
        }
      });
    }
    for (auto& opener : openers) opener.join();
    for (int i = 0; i < kNodes; ++i) {
      CAPTURE(i);
      REQUIRE_MESSAGE(nodes[i] != nullptr, failures[i]);
      CHECK(nodes[i]->log_id() == nodes[0]->log_id());
    }
  }
}

TEST_CASE("a node that took the lease refuses commits decided before the head it caught up to") {
  TempDirectory database, first_state, second_state;
  auto first = open_leased(database.string(), first_state.string());
  REQUIRE(becomes_writable(*first, 10s));
  auto second = open_leased(database.string(), second_state.string());
  REQUIRE(append_with_row(*first, "a").ok());
  REQUIRE(second->wait_for(1, 10s));
  // Decided on the follower at position 1; meanwhile the writer appends position 2 and leaves.
  store::CommitRequest decided = testing::commit_to("b", 1);
  decided.decided_at_position = 1;
  REQUIRE(append_with_row(*first, "c").ok());
  first.reset();
  REQUIRE(becomes_writable(*second, 10s));
  CHECK(second->head().position == 2);

  auto refused = testing::append_one(*second, decided);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::store_read_only);
  CHECK(second->head().position == 2);
  CHECK(second->writable().ok());  // refused, not failed: the next decision goes through
  decided.decided_at_position = 2;
  auto appended = testing::append_one(*second, decided);
  REQUIRE_MESSAGE(appended.ok(), appended.error().message);
  CHECK(appended->first_position == 3);
}

TEST_CASE("a follower rebuilds its inline keyspaces while the writer appends: the head holds") {
  TempDirectory database, writer_state, follower_state;
  auto writer = open_leased(database.string(), writer_state.string());
  REQUIRE(becomes_writable(*writer, 10s));
  auto follower = open_leased(database.string(), follower_state.string());
  for (int i = 0; i < 20; ++i) REQUIRE(append_with_row(*writer, fmt::format("s{}", i)).ok());
  REQUIRE(follower->wait_for(20, 10s));

  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread appender([&] {
    for (int i = 0; !stop; ++i) {
      if (append_with_row(*writer, fmt::format("t{}", i % 5)).ok()) ++appended;
      std::this_thread::sleep_for(5ms);
    }
  });
  // The fill takes a while, as a rebuild of a long log does; the follower is notified of
  // appends meanwhile.
  const store::KeyspaceRebuild keyspaces[] = {{testing::kTestKeyspace, 1}};
  const std::uint64_t head = follower->head().position;
  Status rebuilt = follower->rebuild_keyspaces(keyspaces, [&](store::FreshRows& rows) -> Status {
    auto scanned = follower->scan_records(
        0, [&](std::uint64_t position, std::string_view) { return position <= head; });
    if (!scanned) return scanned;
    std::this_thread::sleep_for(300ms);
    if (follower->head().position != head) {
      return make_error(Errc::version_conflict, "the log grew during the rebuild");
    }
    const store::StateWrite row[] = {{testing::kTestKeyspace, "rebuilt", "yes"}};
    return rows.write(row);
  });
  stop = true;
  appender.join();
  CHECK(appended.load() > 10);  // the writer did append during the rebuild
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.error().message);
  CHECK(follower->read_state(testing::kTestKeyspace, "rebuilt").value() == std::string("yes"));
  // The follower goes on following once the rebuild is done.
  REQUIRE(follower->wait_for(writer->head().position, 10s));
}

}  // namespace
}  // namespace ledger
