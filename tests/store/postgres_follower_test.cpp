// A PostgreSQL follower: a second node of one log that never writes, keeps its inline state
// folded up to the writer's appends (LISTEN/NOTIFY and polling), and tells its readers.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/support/followed_log.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using namespace std::chrono_literals;
using testing::append_with_row;
using testing::fold_last_position;
using testing::TempDirectory;

std::unique_ptr<store::PostgresEventLog> open_node(const std::string& database_dir,
                                                   const std::string& state_dir,
                                                   store::PostgresRole role,
                                                   std::chrono::milliseconds poll_interval = 1s) {
  return testing::open_followed_node(database_dir, state_dir, role, poll_interval);
}

std::vector<std::string> records_of(const store::EventLog& log) {
  std::vector<std::string> records;
  REQUIRE(log.scan_records(0,
                           [&](std::uint64_t, std::string_view record) {
                             records.emplace_back(record);
                             return true;
                           })
              .ok());
  return records;
}

TEST_CASE("a follower folds the writer's appends: the same head, rows and records") {
  TempDirectory database, writer_state, follower_state;
  auto writer = open_node(database.string(), writer_state.string(), store::PostgresRole::writer);
  auto follower =
      open_node(database.string(), follower_state.string(), store::PostgresRole::follower);
  REQUIRE(append_with_row(*writer, "a").ok());
  REQUIRE(append_with_row(*writer, "b").ok());
  REQUIRE(append_with_row(*writer, "a").ok());

  REQUIRE(follower->wait_for(3, 10s));
  CHECK(follower->head().position == writer->head().position);
  CHECK(follower->head().hash == writer->head().hash);
  CHECK(follower->inline_state_position() == 3);
  CHECK(follower->following().ok());
  for (const std::string key : {"row/a", "row/b"}) {
    CAPTURE(key);
    CHECK(follower->read_state(testing::kTestKeyspace, key).value() ==
          writer->read_state(testing::kTestKeyspace, key).value());
  }
  CHECK(follower->read_state(testing::kTestKeyspace, "row/a").value() == std::string("3"));
  CHECK(records_of(*follower) == records_of(*writer));
  CHECK(follower->read_all(0, 10).value().size() == 3);

  // It never writes: commands go to the writer.
  auto refused = append_with_row(*follower, "c");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::store_read_only);
  CHECK(refused.error().message.find("follows the log's writer") != std::string::npos);
  CHECK(writer->head().position == 3);
}

TEST_CASE("a follower's wait_for returns once the writer's append is folded there") {
  TempDirectory database, writer_state, follower_state;
  auto writer = open_node(database.string(), writer_state.string(), store::PostgresRole::writer);
  // Polling once a minute: only the writer's notification can wake it in time.
  auto follower =
      open_node(database.string(), follower_state.string(), store::PostgresRole::follower, 60s);
  std::atomic<std::uint64_t> heard{0};
  follower->subscribe([&](std::uint64_t position) { heard = position; });

  CHECK_FALSE(follower->wait_for(1, 50ms));
  REQUIRE(append_with_row(*writer, "a").ok());
  REQUIRE(follower->wait_for(1, 20s));
  // Folded before it is announced.
  CHECK(follower->read_state(testing::kTestKeyspace, "row/a").value() == std::string("1"));
  // Subscribers are called just after waiters are woken.
  for (int i = 0; i < 1000 && heard.load() != 1; ++i) std::this_thread::sleep_for(10ms);
  CHECK(heard.load() == 1);
  CHECK_FALSE(follower->wait_for(2, 50ms));
}

TEST_CASE("a follower restarted from an empty state directory catches up, then follows") {
  TempDirectory database, writer_state, first_state, second_state;
  auto writer = open_node(database.string(), writer_state.string(), store::PostgresRole::writer);
  {
    auto follower =
        open_node(database.string(), first_state.string(), store::PostgresRole::follower);
    REQUIRE(append_with_row(*writer, "a").ok());
    REQUIRE(follower->wait_for(1, 10s));
  }
  for (int i = 0; i < 5; ++i) REQUIRE(append_with_row(*writer, fmt::format("s{}", i % 2)).ok());

  auto restarted =
      open_node(database.string(), second_state.string(), store::PostgresRole::follower);
  REQUIRE(restarted->wait_for(6, 10s));
  CHECK(restarted->head().hash == writer->head().hash);
  CHECK(restarted->read_state(testing::kTestKeyspace, "row/a").value() == std::string("1"));
  CHECK(restarted->read_state(testing::kTestKeyspace, "row/s0").value() == std::string("6"));
  CHECK(restarted->read_state(testing::kTestKeyspace, "row/s1").value() == std::string("5"));

  REQUIRE(append_with_row(*writer, "s1").ok());
  REQUIRE(restarted->wait_for(7, 10s));
  CHECK(restarted->read_state(testing::kTestKeyspace, "row/s1").value() == std::string("7"));
}

TEST_CASE("a follower whose fold fails stays where it was and says why") {
  TempDirectory database, writer_state, follower_state;
  auto writer = open_node(database.string(), writer_state.string(), store::PostgresRole::writer);
  REQUIRE(append_with_row(*writer, "a").ok());
  REQUIRE(append_with_row(*writer, "poison").ok());

  store::PostgresStoreOptions options;
  options.url = testing::test_postgres_database(database.string());
  options.store = testing::test_store_options(follower_state.string());
  options.role = store::PostgresRole::follower;
  options.follow_poll_interval = 50ms;
  options.fold_records = [](std::uint64_t position, const events::Envelope& envelope,
                            store::FoldedState& state) -> Status {
    if (envelope.stream_id() == "poison") {
      return make_error(Errc::corruption, "the fold refuses the poison stream");
    }
    return fold_last_position(position, envelope, state);
  };
  auto follower = store::PostgresEventLog::open(options);
  REQUIRE(follower.ok());
  CHECK_FALSE((*follower)->wait_for(1, 500ms));
  CHECK((*follower)->head().position == 0);
  CHECK((*follower)->read_state(testing::kTestKeyspace, "row/a").value() == std::nullopt);
  const auto status = (*follower)->following();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find("poison") != std::string::npos);
}

}  // namespace
}  // namespace ledger
