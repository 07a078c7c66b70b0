// The EventLog conformance suite: what every storage backend must do. Written against the
// EventLog interface; every case runs once per backend (tests/support/store_fixtures.h): RocksDB,
// and PostgreSQL on the server named by LEDGER_TEST_PG (ctest's fixture starts one).
#include <doctest/doctest.h>

#include <thread>

#include "core/store/chain_verifier.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

TYPE_TO_STRING_AS("rocksdb", ledger::testing::RocksDbBackend);
TYPE_TO_STRING_AS("postgresql", ledger::testing::PostgresBackend);

// A case of the conformance suite, instantiated for every backend as `Backend`.
#define STORE_TEST_CASE(name)                                        \
  TEST_CASE_TEMPLATE(name, Backend, ledger::testing::RocksDbBackend, \
                     ledger::testing::PostgresBackend)

namespace ledger {
namespace {

using store::ExpectedVersion;
using store::ReadDirection;
using testing::append_one;
using testing::commit_to;
using testing::open_log;
using testing::TempDirectory;

STORE_TEST_CASE("an empty log has head 0 with the zero hash") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  CHECK(log->head().position == 0);
  CHECK(log->head().hash == kZeroHash);
  CHECK(log->stream_version("wallet:a").value() == 0);
}

STORE_TEST_CASE("appends get contiguous positions and per-stream versions") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  auto first = append_one(*log, commit_to("a", 2));
  REQUIRE(first.ok());
  CHECK(first->first_position == 1);
  CHECK(first->last_position == 2);
  auto second = append_one(*log, commit_to("b", 1));
  REQUIRE(second.ok());
  CHECK(second->first_position == 3);
  auto third = append_one(*log, commit_to("a", 1));
  REQUIRE(third.ok());
  CHECK(third->first_position == 4);
  CHECK(log->head().position == 4);
  CHECK(log->stream_version("a").value() == 3);
  CHECK(log->stream_version("b").value() == 1);

  auto all = log->read_all(0, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  for (std::size_t i = 0; i < all->size(); ++i) CHECK((*all)[i].position() == i + 1);
  CHECK((*all)[3].stream_id() == "a");
  CHECK((*all)[3].stream_version() == 3);
}

STORE_TEST_CASE("a stream reads forward from a version and backward from the end") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  REQUIRE(append_one(*log, commit_to("a", 5)).ok());
  REQUIRE(append_one(*log, commit_to("ab", 2)).ok());  // a prefix of another stream's id
  auto forward = log->read_stream("a", 2, ReadDirection::forward, 10);
  REQUIRE(forward.ok());
  REQUIRE(forward->size() == 4);
  CHECK(forward->front().stream_version() == 2);
  CHECK(forward->back().stream_version() == 5);
  auto backward = log->read_stream("a", 0, ReadDirection::backward, 2);
  REQUIRE(backward.ok());
  REQUIRE(backward->size() == 2);
  CHECK((*backward)[0].stream_version() == 5);
  CHECK((*backward)[1].stream_version() == 4);
  auto missing = log->read_stream("nope", 0, ReadDirection::backward, 10);
  REQUIRE(missing.ok());
  CHECK(missing->empty());
}

STORE_TEST_CASE("expected version no_stream refuses an existing stream and writes nothing") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  REQUIRE(append_one(*log, commit_to("a", 1, ExpectedVersion::no_stream())).ok());
  auto again = append_one(*log, commit_to("a", 1, ExpectedVersion::no_stream()));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::version_conflict);
  CHECK(again.error().field == "a");
  CHECK(log->head().position == 1);
}

STORE_TEST_CASE("expected version exact must match the stream's current version") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  REQUIRE(append_one(*log, commit_to("a", 2, ExpectedVersion::exact(0))).ok());
  CHECK(append_one(*log, commit_to("a", 1, ExpectedVersion::exact(1))).error().code ==
        Errc::version_conflict);
  CHECK(append_one(*log, commit_to("a", 1, ExpectedVersion::exact(3))).error().code ==
        Errc::version_conflict);
  CHECK(append_one(*log, commit_to("a", 1, ExpectedVersion::exact(2))).ok());
  CHECK(log->stream_version("a").value() == 3);
}

STORE_TEST_CASE("a commit over several streams is atomic: one broken expectation writes nothing") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  REQUIRE(append_one(*log, commit_to("b", 1)).ok());
  store::CommitRequest commit = commit_to("a", 1, ExpectedVersion::no_stream());
  commit.expectations.push_back({"b", ExpectedVersion::no_stream()});  // b exists: conflict
  commit.events.push_back(testing::synthetic_event("b", 9));
  commit.state_writes.push_back({testing::kTestKeyspace, "k", std::string("v")});
  auto outcome = append_one(*log, commit);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().field == "b");
  CHECK(log->head().position == 1);
  CHECK(log->stream_version("a").value() == 0);
  CHECK(log->stream_version("b").value() == 1);
  CHECK_FALSE(log->read_state(testing::kTestKeyspace, "k").value().has_value());
}

STORE_TEST_CASE("an append of several commits is all or nothing") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  std::vector<store::CommitRequest> commits = {commit_to("a", 1), commit_to("b", 1),
                                               commit_to("a", 1, ExpectedVersion::exact(7))};
  auto outcomes = log->append(commits);
  REQUIRE_FALSE(outcomes.ok());
  CHECK(log->head().position == 0);
  commits.pop_back();
  outcomes = log->append(commits);
  REQUIRE(outcomes.ok());
  CHECK(outcomes->size() == 2);
  CHECK((*outcomes)[1].first_position == 2);
}

STORE_TEST_CASE("state writes land with their events and can be deleted") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest commit = commit_to("a", 1);
  commit.state_writes.push_back({testing::kTestKeyspace, "balance/a", std::string("100")});
  commit.state_writes.push_back({testing::kTestKeyspace, "balance/b", std::string("7")});
  REQUIRE(append_one(*log, commit).ok());
  CHECK(log->read_state(testing::kTestKeyspace, "balance/a").value() == std::string("100"));
  std::vector<std::string> keys;
  REQUIRE(log->scan_state(testing::kTestKeyspace, "balance/", ReadDirection::backward,
                          [&](std::string_view key, std::string_view) {
                            keys.emplace_back(key);
                            return true;
                          })
              .ok());
  CHECK(keys == std::vector<std::string>{"balance/b", "balance/a"});
  store::CommitRequest removal = commit_to("a", 1);
  removal.state_writes.push_back({testing::kTestKeyspace, "balance/a", std::nullopt});
  REQUIRE(append_one(*log, removal).ok());
  CHECK_FALSE(log->read_state(testing::kTestKeyspace, "balance/a").value().has_value());
}

STORE_TEST_CASE("state scans resume just past a key, in either direction") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest commit = commit_to("a", 1);
  for (const char* key : {"row/1", "row/2", "row/3", "row/4", "rox/9"}) {
    commit.state_writes.push_back({testing::kTestKeyspace, key, std::string("v")});
  }
  REQUIRE(append_one(*log, commit).ok());
  auto scan = [&](ReadDirection direction, std::string_view after) {
    std::vector<std::string> keys;
    REQUIRE(log->scan_state(
                   testing::kTestKeyspace, "row/", direction,
                   [&](std::string_view key, std::string_view) {
                     keys.emplace_back(key);
                     return true;
                   },
                   after)
                .ok());
    return keys;
  };
  CHECK(scan(ReadDirection::forward, "row/2") == std::vector<std::string>{"row/3", "row/4"});
  CHECK(scan(ReadDirection::backward, "row/3") == std::vector<std::string>{"row/2", "row/1"});
  CHECK(scan(ReadDirection::backward, "row/1").empty());
  CHECK(scan(ReadDirection::forward, "row/4").empty());
  CHECK(scan(ReadDirection::forward, "row/25") == std::vector<std::string>{"row/3", "row/4"});
}

STORE_TEST_CASE("a read-only open of an existing store sees its events and state") {
  TempDirectory dir;
  {
    auto log = open_log<Backend>(dir.string());
    store::CommitRequest commit = commit_to("a", 2);
    commit.state_writes.push_back({testing::kTestKeyspace, "k", std::string("v")});
    REQUIRE(append_one(*log, commit).ok());
  }
  store::StoreOptions options;
  options.path = dir.string();
  options.read_only = true;
  options.state_keyspaces = {testing::kTestKeyspace};
  auto reader = Backend::open(options);
  REQUIRE_MESSAGE(reader.ok(), reader.error().message);
  CHECK((*reader)->head().position == 2);
  CHECK((*reader)->read_state(testing::kTestKeyspace, "k").value() == std::string("v"));
}

namespace keyspace_rebuild {

const char kOther[] = "other_state";

template <class Backend>
std::unique_ptr<store::EventLog> open_two(const std::string& path) {
  auto options = testing::test_store_options(path);
  options.state_keyspaces.push_back(kOther);
  auto log = Backend::open(options);
  REQUIRE(log.ok());
  return std::move(log).value();
}

void seed(store::EventLog& log) {
  store::CommitRequest commit = commit_to("a", 1);
  commit.state_writes.push_back({testing::kTestKeyspace, "old/1", std::string("x")});
  commit.state_writes.push_back({testing::kTestKeyspace, "old/2", std::string("y")});
  commit.state_writes.push_back({kOther, "kept", std::string("z")});
  REQUIRE(append_one(log, commit).ok());
}

std::vector<std::string> keys(const store::EventLog& log, std::string_view keyspace) {
  std::vector<std::string> found;
  REQUIRE(log.scan_state(keyspace, "", ReadDirection::forward,
                         [&](std::string_view key, std::string_view) {
                           found.emplace_back(key);
                           return true;
                         })
              .ok());
  return found;
}

}  // namespace keyspace_rebuild

STORE_TEST_CASE("a keyspace rebuild fills a fresh generation and switches to it whole") {
  using namespace keyspace_rebuild;
  TempDirectory dir;
  {
    auto log = open_two<Backend>(dir.string());
    seed(*log);
    CHECK(log->keyspace_generation(testing::kTestKeyspace).value() == 0);
    CHECK(log->keyspace_version(testing::kTestKeyspace).value() == 1);
    const std::vector<store::KeyspaceRebuild> rebuilt = {{testing::kTestKeyspace, 3}};
    auto status = log->rebuild_keyspaces(rebuilt, [&](store::FreshRows& rows) -> Status {
      // The fresh generation starts empty, reads back what was written to it, and the live
      // rows stay readable meanwhile.
      CHECK_FALSE(rows.get(testing::kTestKeyspace, "old/1").value().has_value());
      const std::vector<store::StateWrite> writes = {
          {testing::kTestKeyspace, "new/1", std::string("n")}};
      if (auto written = rows.write(writes); !written) return written;
      CHECK(rows.get(testing::kTestKeyspace, "new/1").value() == std::string("n"));
      CHECK(log->read_state(testing::kTestKeyspace, "old/1").value() == std::string("x"));
      CHECK_FALSE(rows.get(kOther, "kept").ok());  // not being rebuilt
      return {};
    });
    REQUIRE_MESSAGE(status.ok(), status.error().message);
    CHECK(keys(*log, testing::kTestKeyspace) == std::vector<std::string>{"new/1"});
    CHECK(keys(*log, kOther) == std::vector<std::string>{"kept"});
    CHECK(log->keyspace_generation(testing::kTestKeyspace).value() == 1);
    CHECK(log->keyspace_generation(kOther).value() == 0);
    CHECK(log->keyspace_version(testing::kTestKeyspace).value() == 3);
    CHECK(log->keyspace_version(kOther).value() == 1);
    // The writer goes on writing the new generation.
    store::CommitRequest commit = commit_to("a", 1);
    commit.state_writes.push_back({testing::kTestKeyspace, "new/2", std::string("m")});
    REQUIRE(append_one(*log, commit).ok());
  }
  auto reopened = open_two<Backend>(dir.string());
  CHECK(keys(*reopened, testing::kTestKeyspace) == std::vector<std::string>{"new/1", "new/2"});
  CHECK(reopened->keyspace_generation(testing::kTestKeyspace).value() == 1);
  CHECK(reopened->keyspace_version(testing::kTestKeyspace).value() == 3);
  const std::vector<store::KeyspaceRebuild> again = {{testing::kTestKeyspace, 4}};
  REQUIRE(reopened->rebuild_keyspaces(again, [](store::FreshRows&) { return Status(); }).ok());
  CHECK(keys(*reopened, testing::kTestKeyspace).empty());
  CHECK(reopened->keyspace_generation(testing::kTestKeyspace).value() == 2);
  CHECK(reopened->keyspace_version(testing::kTestKeyspace).value() == 4);
}

STORE_TEST_CASE("a keyspace rebuild that fails leaves every row as it was") {
  using namespace keyspace_rebuild;
  TempDirectory dir;
  auto log = open_two<Backend>(dir.string());
  seed(*log);
  const std::vector<store::KeyspaceRebuild> rebuilt = {{testing::kTestKeyspace, 2}, {kOther, 2}};
  auto status = log->rebuild_keyspaces(rebuilt, [](store::FreshRows& rows) -> Status {
    const std::vector<store::StateWrite> writes = {{kOther, "half", std::string("h")}};
    REQUIRE(rows.write(writes).ok());
    return make_error(Errc::corruption, "the fold failed");
  });
  CHECK(status.error().message == "the fold failed");
  CHECK(keys(*log, testing::kTestKeyspace) == std::vector<std::string>{"old/1", "old/2"});
  CHECK(keys(*log, kOther) == std::vector<std::string>{"kept"});
  CHECK(log->keyspace_generation(kOther).value() == 0);
  CHECK(log->keyspace_version(kOther).value() == 1);

  const std::vector<store::KeyspaceRebuild> unknown = {{"nope"}};
  CHECK(log->rebuild_keyspaces(unknown, [](store::FreshRows&) { return Status(); }).error().code ==
        Errc::invalid_argument);
  const std::vector<store::KeyspaceRebuild> twice = {{kOther}, {kOther}};
  CHECK(log->rebuild_keyspaces(twice, [](store::FreshRows&) { return Status(); }).error().code ==
        Errc::invalid_argument);
  const std::vector<store::KeyspaceRebuild> no_version = {{kOther, 0}};
  CHECK(
      log->rebuild_keyspaces(no_version, [](store::FreshRows&) { return Status(); }).error().code ==
      Errc::invalid_argument);
  CHECK(log->keyspace_version("nope").error().code == Errc::invalid_argument);
  CHECK(keys(*log, kOther) == std::vector<std::string>{"kept"});
}

STORE_TEST_CASE("an unknown state keyspace is refused") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest commit = commit_to("a", 1);
  commit.state_writes.push_back({"nope", "k", std::string("v")});
  CHECK(append_one(*log, commit).error().code == Errc::invalid_argument);
  CHECK(log->head().position == 0);
}

STORE_TEST_CASE("malformed commits are refused with invalid_argument") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest empty;
  CHECK(append_one(*log, empty).error().code == Errc::invalid_argument);
  store::CommitRequest nul_stream = commit_to(std::string("a\0b", 3), 1);
  CHECK(append_one(*log, nul_stream).error().code == Errc::invalid_argument);
  store::CommitRequest twice = commit_to("a", 1);
  twice.expectations.push_back({"a", ExpectedVersion::any()});
  CHECK(append_one(*log, twice).error().code == Errc::invalid_argument);
  CHECK(log->head().position == 0);
}

STORE_TEST_CASE("a repeated idempotency key with the same fingerprint answers the first result") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest commit = commit_to("a", 2);
  commit.idempotency_key = "user-1/key-1";
  commit.request_fingerprint = "fingerprint-1";
  commit.result = "first answer";
  auto first = append_one(*log, commit);
  REQUIRE(first.ok());
  CHECK_FALSE(first->replayed);
  commit.result = "second answer";
  auto repeat = append_one(*log, commit);
  REQUIRE(repeat.ok());
  CHECK(repeat->replayed);
  CHECK(repeat->result == "first answer");
  CHECK(repeat->first_position == 1);
  CHECK(repeat->last_position == 2);
  CHECK(log->head().position == 2);
}

STORE_TEST_CASE(
    "a repeated idempotency key with another fingerprint is a conflict and writes nothing") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  store::CommitRequest commit = commit_to("a", 1);
  commit.idempotency_key = "k";
  commit.request_fingerprint = "one";
  REQUIRE(append_one(*log, commit).ok());
  commit.request_fingerprint = "two";
  auto conflict = append_one(*log, commit);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().code == Errc::idempotency_conflict);
  CHECK(log->head().position == 1);
}

// A commit admitted by its writer: every event carries its stream version.
store::CommitRequest admitted_to(const std::string& stream_id, std::size_t event_count,
                                 std::uint64_t first_version) {
  store::CommitRequest commit = commit_to(stream_id, event_count);
  for (auto& event : commit.events) event.stream_version = first_version++;
  return commit;
}

STORE_TEST_CASE("an admitted append writes the versions and records it is given, reading none") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  REQUIRE(append_one(*log, commit_to("a", 2)).ok());
  store::CommitRequest keyed = admitted_to("a", 2, 3);
  keyed.expectations = {{"a", ExpectedVersion::exact(7)}};  // the writer checked it, not the store
  keyed.idempotency_key = "k";
  keyed.request_fingerprint = "f";
  keyed.result = "answer";
  const store::CommitRequest batch[] = {keyed, admitted_to("b", 1, 1), admitted_to("a", 1, 5)};
  auto written = log->append_admitted(batch);
  REQUIRE(written.ok());
  REQUIRE(written->size() == 3);
  CHECK((*written)[0].first_position == 3);
  CHECK((*written)[0].last_position == 4);
  CHECK_FALSE((*written)[0].replayed);
  CHECK((*written)[2].first_position == 6);
  CHECK(log->stream_version("a").value() == 5);
  CHECK(log->stream_version("b").value() == 1);
  auto a = log->read_stream("a", 1, ReadDirection::forward, 10).value();
  REQUIRE(a.size() == 5);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].stream_version() == i + 1);
  auto remembered = log->find_idempotency("k").value();
  REQUIRE(remembered.has_value());
  CHECK(remembered->result() == "answer");
  CHECK(remembered->first_position() == 3);
  CHECK(remembered->last_position() == 4);
  // A plain append after it checks against what the admitted one wrote.
  CHECK(append_one(*log, commit_to("a", 1, ExpectedVersion::exact(5))).ok());
  store::CommitRequest repeat = commit_to("c", 1);
  repeat.idempotency_key = "k";
  repeat.request_fingerprint = "f";
  auto replayed = append_one(*log, repeat);
  REQUIRE(replayed.ok());
  CHECK(replayed->replayed);
  CHECK(replayed->result == "answer");
  CHECK(testing::verify_whole_chain(*log).findings.empty());
}

STORE_TEST_CASE("an admitted append without versions, with gaps or a key twice writes nothing") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  auto refused = [&](std::vector<store::CommitRequest> commits) {
    auto written = log->append_admitted(commits);
    return !written && written.error().code == Errc::invalid_argument;
  };
  CHECK(refused({commit_to("a", 1)}));                               // no version
  CHECK(refused({admitted_to("a", 1, 1), admitted_to("a", 1, 3)}));  // a gap in the append
  CHECK(refused({admitted_to("a", 2, 1), admitted_to("a", 1, 2)}));  // a version given twice
  store::CommitRequest keyed = admitted_to("a", 1, 1);
  keyed.idempotency_key = "k";
  store::CommitRequest again = admitted_to("b", 1, 1);
  again.idempotency_key = "k";
  CHECK(refused({keyed, again}));
  CHECK(log->head().position == 0);
  CHECK_FALSE(log->find_idempotency("k").value().has_value());
  // And a plain append does not take versions: the store assigns them.
  CHECK(append_one(*log, admitted_to("a", 1, 1)).error().code == Errc::invalid_argument);
  CHECK(log->head().position == 0);
}

STORE_TEST_CASE("the log, its streams, state and idempotency records survive a reopen") {
  TempDirectory dir;
  store::LogHead head_before;
  {
    auto log = open_log<Backend>(dir.string());
    store::CommitRequest commit = commit_to("a", 3);
    commit.idempotency_key = "k";
    commit.request_fingerprint = "f";
    commit.state_writes.push_back({testing::kTestKeyspace, "x", std::string("1")});
    REQUIRE(append_one(*log, commit).ok());
    REQUIRE(append_one(*log, commit_to("b", 1)).ok());
    head_before = log->head();
  }
  auto log = open_log<Backend>(dir.string());
  CHECK(log->head().position == head_before.position);
  CHECK(log->head().hash == head_before.hash);
  CHECK(log->stream_version("a").value() == 3);
  CHECK(log->read_state(testing::kTestKeyspace, "x").value() == std::string("1"));
  CHECK(log->find_idempotency("k").value().has_value());
  auto next = append_one(*log, commit_to("a", 1, ExpectedVersion::exact(3)));
  REQUIRE(next.ok());
  CHECK(next->first_position == 5);
  auto all = log->read_all(0, 100).value();
  const auto chain = testing::verify_whole_chain(*log);
  CHECK(chain.findings.empty());
  CHECK(chain.records_visited == 5);
}

STORE_TEST_CASE("each record is chained to the one before it") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  for (int i = 0; i < 5; ++i) REQUIRE(append_one(*log, commit_to("a", 2)).ok());
  auto all = log->read_all(0, 100).value();
  REQUIRE(all.size() == 10);
  CHECK(all[0].previous_hash() == std::string(32, '\0'));
  for (std::size_t i = 1; i < all.size(); ++i) {
    CHECK(all[i].previous_hash() == all[i - 1].hash());
  }
  CHECK(all.back().hash() == std::string(hash_bytes(log->head().hash)));
}

STORE_TEST_CASE("wait_for returns when another thread appends, and times out otherwise") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  CHECK_FALSE(log->wait_for(1, std::chrono::milliseconds(20)));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(append_one(*log, commit_to("a", 1)).ok());
  });
  CHECK(log->wait_for(1, std::chrono::seconds(10)));
  writer.join();
}

STORE_TEST_CASE("subscribers hear of every durable append") {
  TempDirectory dir;
  auto log = open_log<Backend>(dir.string());
  std::vector<std::uint64_t> heard;
  const auto handle = log->subscribe([&](std::uint64_t position) { heard.push_back(position); });
  REQUIRE(append_one(*log, commit_to("a", 2)).ok());
  REQUIRE(append_one(*log, commit_to("a", 1)).ok());
  log->unsubscribe(handle);
  REQUIRE(append_one(*log, commit_to("a", 1)).ok());
  CHECK(heard == std::vector<std::uint64_t>{2, 3});
}

}  // namespace
}  // namespace ledger
