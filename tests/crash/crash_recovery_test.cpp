// Crash tests with real processes: a child appends under load and reports every acknowledged
// command; the parent kills it with SIGKILL at a random moment, reopens the store and checks
// that every acknowledged event is there, that the whole chain verifies with no gap, and that the
// inline state written with each commit matches its stream.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>

#include <rocksdb/db.h>

#include <algorithm>

#include "core/store/chain_verifier.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

extern char** environ;

namespace ledger {
namespace {

struct Acknowledged {
  std::uint64_t position_max = 0;
  std::map<std::string, std::uint64_t> stream_versions;
  std::size_t commands = 0;
};

void parse_acks(const std::string& text, Acknowledged* acknowledged) {
  std::istringstream lines(text);
  std::string word, stream;
  std::uint64_t position = 0, version = 0;
  while (lines >> word >> position >> stream >> version) {
    REQUIRE(word == "ack");
    acknowledged->position_max = std::max(acknowledged->position_max, position);
    auto& known = acknowledged->stream_versions[stream];
    known = std::max(known, version);
    ++acknowledged->commands;
  }
}

// Runs the child until it has acknowledged at least `acks_before_kill` commands and a further
// random delay has passed, then kills it with SIGKILL. Returns everything it printed.
// With `postgres_url`, the child appends to that PostgreSQL database.
std::string run_and_kill(const std::string& data_dir, std::size_t acks_before_kill,
                         std::chrono::milliseconds extra_delay,
                         const std::string& postgres_url = {}) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  const std::string program = LEDGER_CRASH_APPEND_CHILD;
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(data_dir.c_str()),
                  postgres_url.empty() ? nullptr : const_cast<char*>(postgres_url.c_str()),
                  nullptr};
  pid_t child = 0;
  REQUIRE(posix_spawn(&child, program.c_str(), &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);

  std::string output;
  char buffer[4096];
  std::size_t lines = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  bool killed = false;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && kill_at && now >= *kill_at) {
      ::kill(child, SIGKILL);
      killed = true;
    }
    if (!killed && now >= give_up) {
      ::kill(child, SIGKILL);
      killed = true;
      FAIL("the child acknowledged too little within 60 s");
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    ::poll(&poll_fd, 1, 5);
    if (poll_fd.revents & (POLLIN | POLLHUP)) {
      const ssize_t count = ::read(pipe_fds[0], buffer, sizeof(buffer));
      if (count <= 0) break;  // the child is gone and the pipe drained
      output.append(buffer, static_cast<std::size_t>(count));
      for (ssize_t i = 0; i < count; ++i) lines += buffer[i] == '\n';
      if (!kill_at && lines >= acks_before_kill) {
        kill_at = std::chrono::steady_clock::now() + extra_delay;
      }
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                "the child died of something other than our SIGKILL");
  // Only whole lines are acknowledgements: a line cut by the kill is dropped.
  const auto last_newline = output.rfind('\n');
  return last_newline == std::string::npos ? std::string() : output.substr(0, last_newline + 1);
}

void verify_after_crash(const std::string& data_dir, const Acknowledged& acknowledged) {
  auto options = testing::test_store_options(data_dir);
  auto log = store::RocksDbEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? "" : log.error().message));
  CHECK((*log)->head().position >= acknowledged.position_max);

  const auto chain = testing::verify_whole_chain(**log);
  CHECK(chain.findings.empty());
  CHECK(chain.last.position == (*log)->head().position);

  for (const auto& [stream, version] : acknowledged.stream_versions) {
    const auto stored = (*log)->stream_version(stream).value();
    CHECK(stored >= version);
    const auto count = (*log)->read_state(testing::kTestKeyspace, "count/" + stream).value();
    REQUIRE(count.has_value());
    CHECK(std::stoull(*count) == stored);  // state and events landed together
  }
}

// The PostgreSQL log after a kill: every acknowledged event in PostgreSQL, the chain whole, and
// the local state either folded up to the head with every count matching its stream, or behind
// it (killed between the commit and the local write) and refusing to be read.
bool verify_postgres_after_crash(const std::string& database_url, const std::string& state_dir,
                                 const Acknowledged& acknowledged) {
  store::PostgresStoreOptions options;
  options.url = database_url;
  options.store = testing::test_store_options(state_dir);
  auto log = store::PostgresEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? "" : log.error().message));
  CHECK((*log)->head().position >= acknowledged.position_max);
  const auto chain = testing::verify_whole_chain(**log);
  CHECK(chain.findings.empty());
  CHECK(chain.last.position == (*log)->head().position);
  const bool behind = (*log)->inline_state_position() < (*log)->head().position;
  for (const auto& [stream, version] : acknowledged.stream_versions) {
    const auto stored = (*log)->stream_version(stream).value();
    CHECK(stored >= version);
    const auto count = (*log)->read_state(testing::kTestKeyspace, "count/" + stream);
    if (behind) {
      CHECK(count.error().code == Errc::store_read_only);
      continue;
    }
    REQUIRE(count.ok());
    REQUIRE(count->has_value());
    CHECK(std::stoull(**count) == stored);
  }
  return behind;
}

TEST_CASE("acknowledged appends to PostgreSQL survive SIGKILL, with the local state never stale") {
  testing::TempDirectory dir;
  const std::string database_url = testing::test_postgres_database(dir.string());
  const std::string state_dir = dir.string() + "/state";
  std::mt19937 random(20261203);
  Acknowledged acknowledged;
  constexpr int kCycles = 8;
  int cycles_behind = 0;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto acks = std::uniform_int_distribution<std::size_t>(1, 200)(random);
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(random));
    parse_acks(run_and_kill(state_dir, acks, delay, database_url), &acknowledged);
    cycles_behind += verify_postgres_after_crash(database_url, state_dir, acknowledged) ? 1 : 0;
  }
  MESSAGE("acknowledged commands: " << acknowledged.commands << ", cycles that left the local "
                                    << "state behind (folded again by the next child): "
                                    << cycles_behind);
  CHECK(acknowledged.commands >= kCycles);
}

TEST_CASE("acknowledged appends survive SIGKILL at random moments, 20 cycles") {
  testing::TempDirectory dir;
  std::mt19937 random(20261124);
  Acknowledged acknowledged;
  constexpr int kCycles = 20;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto acks = std::uniform_int_distribution<std::size_t>(1, 400)(random);
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(random));
    parse_acks(run_and_kill(dir.string(), acks, delay), &acknowledged);
    verify_after_crash(dir.string(), acknowledged);
  }
  MESSAGE("acknowledged commands across all cycles: "
          << acknowledged.commands << ", last acknowledged position " << acknowledged.position_max);
  CHECK(acknowledged.commands >= kCycles);
}

// A rebuild of a keyspace in a child process that dies by SIGKILL, before or after the switch.
void rebuild_and_die(const std::string& path, bool after_switch) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no doctest macros here: only the parent reports
    auto log = store::RocksDbEventLog::open(testing::test_store_options(path));
    if (!log) ::_exit(3);
    const std::vector<store::KeyspaceRebuild> keyspaces = {{testing::kTestKeyspace, 2}};
    auto status = (*log)->rebuild_keyspaces(keyspaces, [&](store::FreshRows& rows) {
      for (int i = 0; i < 10'000; ++i) {
        const std::vector<store::StateWrite> writes = {
            {testing::kTestKeyspace, "new/" + std::to_string(i), std::string("v")}};
        if (!rows.write(writes)) ::_exit(4);
      }
      if (!after_switch) ::kill(::getpid(), SIGKILL);
      return Status();
    });
    if (status) ::kill(::getpid(), SIGKILL);
    ::_exit(5);
  }
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  REQUIRE(WIFSIGNALED(wait_status));
  REQUIRE(WTERMSIG(wait_status) == SIGKILL);
}

std::size_t count_keys(const store::EventLog& log) {
  std::size_t keys = 0;
  REQUIRE(log.scan_state(testing::kTestKeyspace, "", store::ReadDirection::forward,
                         [&](std::string_view, std::string_view) {
                           ++keys;
                           return true;
                         })
              .ok());
  return keys;
}

std::vector<std::string> families(const std::string& path) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  return names;
}

TEST_CASE("a keyspace rebuild killed before its switch leaves the old rows, after it, the new") {
  for (const bool after_switch : {false, true}) {
    CAPTURE(after_switch);
    testing::TempDirectory dir;
    {
      auto log = testing::open_test_log(dir.string());
      store::CommitRequest commit = testing::commit_to("a", 1);
      commit.state_writes.push_back({testing::kTestKeyspace, "old", std::string("o")});
      REQUIRE(testing::append_one(*log, commit).ok());
    }
    rebuild_and_die(dir.string(), after_switch);
    auto log = testing::open_test_log(dir.string());
    CHECK(count_keys(*log) == (after_switch ? 10'000u : 1u));
    CHECK(log->keyspace_generation(testing::kTestKeyspace).value() == (after_switch ? 1u : 0u));
    CHECK(log->keyspace_version(testing::kTestKeyspace).value() == (after_switch ? 2u : 1u));
    // The generation not in use was dropped on open.
    const auto names = families(dir.string());
    const std::string unused = after_switch ? "state.test_state" : "state.test_state#1";
    CHECK(std::find(names.begin(), names.end(), unused) == names.end());
    CHECK(log->head().position == 1);
  }
}

}  // namespace
}  // namespace ledger
