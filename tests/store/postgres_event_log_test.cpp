// What the PostgreSQL log promises beyond the conformance suite: the position fence against a
// second writer, and local inline state that is never served behind the log.
#include <doctest/doctest.h>

#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using testing::append_one;
using testing::commit_to;
using testing::TempDirectory;

// A PostgreSQL log on the database made for `database_dir`, with its inline state under
// `state_dir`: two of them on one database are two nodes of one log.
std::unique_ptr<store::PostgresEventLog> open_node(const std::string& database_dir,
                                                   const std::string& state_dir) {
  store::PostgresStoreOptions options;
  options.url = testing::test_postgres_database(database_dir);
  options.store = testing::test_store_options(state_dir);
  auto log = store::PostgresEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
}

store::CommitRequest commit_with_row(const std::string& stream_id, const std::string& value) {
  store::CommitRequest commit = commit_to(stream_id, 1);
  commit.state_writes.push_back({testing::kTestKeyspace, "row/" + stream_id, value});
  return commit;
}

TEST_CASE("a second writer's append fails on the position fence and leaves the log unforked") {
  TempDirectory database, first_state, second_state;
  auto first = open_node(database.string(), first_state.string());
  auto second = open_node(database.string(), second_state.string());
  REQUIRE(append_one(*first, commit_to("a", 2)).ok());

  // The second writer still believes the log ends at 0: its positions 1.. are taken.
  auto forked = append_one(*second, commit_to("b", 1));
  REQUIRE_FALSE(forked.ok());
  CHECK(forked.error().code == Errc::store_read_only);
  CHECK(forked.error().message.find("another writer") != std::string::npos);
  CHECK(second->writable().error().code == Errc::store_read_only);
  // It never retries: a later append fails the same way, writing nothing.
  CHECK(append_one(*second, commit_to("b", 1)).error().code == Errc::store_read_only);

  REQUIRE(append_one(*first, commit_to("a", 1)).ok());
  const auto chain = testing::verify_whole_chain(*first);
  CHECK(chain.findings.empty());
  CHECK(chain.records_visited == 3);
  CHECK(first->stream_version("b").value() == 0);
}

TEST_CASE("a node with no local state reports it behind the log until a rebuild folds it") {
  TempDirectory database, first_state, second_state;
  {
    auto first = open_node(database.string(), first_state.string());
    REQUIRE(append_one(*first, commit_with_row("a", "1")).ok());
    REQUIRE(append_one(*first, commit_with_row("b", "2")).ok());
    CHECK(first->inline_state_position() == 2);
  }
  auto restarted = open_node(database.string(), second_state.string());
  CHECK(restarted->head().position == 2);
  CHECK(restarted->inline_state_position() == 0);
  // Never stale in silence: state reads and appends say what is missing.
  auto read = restarted->read_state(testing::kTestKeyspace, "row/a");
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().code == Errc::store_read_only);
  CHECK(read.error().message.find("folded up to position 0 but the log is at 2") !=
        std::string::npos);
  CHECK(append_one(*restarted, commit_to("c", 1)).error().code == Errc::store_read_only);

  // The rebuild folds the log (here: one row per event, as the first node wrote them).
  const std::vector<store::KeyspaceRebuild> every = {{testing::kTestKeyspace, 1}};
  auto rebuilt = restarted->rebuild_keyspaces(every, [&](store::FreshRows& rows) -> Status {
    auto all = restarted->read_all(0, 100);
    if (!all) return std::move(all).error();
    for (const auto& envelope : *all) {
      const std::vector<store::StateWrite> row = {{testing::kTestKeyspace,
                                                   "row/" + envelope.stream_id(),
                                                   std::to_string(envelope.position())}};
      if (auto written = rows.write(row); !written) return written;
    }
    return {};
  });
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.error().message);
  CHECK(restarted->inline_state_position() == 2);
  CHECK(restarted->read_state(testing::kTestKeyspace, "row/b").value() == std::string("2"));
  REQUIRE(append_one(*restarted, commit_with_row("c", "3")).ok());
  CHECK(restarted->inline_state_position() == 3);
}

TEST_CASE("local state folded from another log is refused on open") {
  TempDirectory first_database, second_database, state;
  { open_node(first_database.string(), state.string()); }
  store::PostgresStoreOptions options;
  options.url = testing::test_postgres_database(second_database.string());
  options.store = testing::test_store_options(state.string());
  auto other = store::PostgresEventLog::open(options);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == Errc::invalid_argument);
  CHECK(other.error().message.find("was folded from the log") != std::string::npos);
}

TEST_CASE("a PostgreSQL log refuses a RocksDB checkpoint, saying how to back it up") {
  TempDirectory database, state, copy;
  auto log = open_node(database.string(), state.string());
  auto status = log->checkpoint_to((std::filesystem::path(copy.string()) / "copy").string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("pg_basebackup") != std::string::npos);
}

}  // namespace
}  // namespace ledger
