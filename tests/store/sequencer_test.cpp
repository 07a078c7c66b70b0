// The sequencer: one writer, decisions in order against state that includes earlier commands of
// the same batch, group commit, isolation of refused commands, idempotency.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "core/sequencer.h"
#include "tests/support/gated_event_log.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using store::ExpectedVersion;
using testing::commit_to;
using testing::kTestKeyspace;
using testing::TempDirectory;

// A counter kept in state: "increment by n unless it would pass `limit`".
Command increment(const std::string& key, int amount, int limit) {
  Command command;
  command.decide = [=](DecisionContext& context) -> Result<store::CommitRequest> {
    auto current = context.read_state(kTestKeyspace, key);
    if (!current) return std::move(current).error();
    const int value = current->has_value() ? std::stoi(**current) : 0;
    if (value + amount > limit) return make_error(Errc::insufficient_funds, "over the limit");
    store::CommitRequest commit = commit_to("counter:" + key, 1);
    commit.state_writes.push_back({kTestKeyspace, key, std::to_string(value + amount)});
    commit.result = std::to_string(value + amount);
    return commit;
  };
  return command;
}

struct Fixture {
  TempDirectory dir;
  std::unique_ptr<store::RocksDbEventLog> log = testing::open_test_log(dir.string());
  ManualClock clock{1'700'000'000'000'000};
  Sequencer sequencer{*log, clock};
  Fixture() { sequencer.start(); }
};

TEST_CASE("a command's commit is durable when it completes") {
  Fixture f;
  auto outcome = f.sequencer.submit_and_wait(increment("a", 5, 100));
  REQUIRE(outcome.ok());
  CHECK(outcome->first_position == 1);
  CHECK(outcome->result == "5");
  CHECK(f.log->head().position == 1);
  CHECK(f.log->read_state(kTestKeyspace, "a").value() == std::string("5"));
}

TEST_CASE("a refused command writes nothing and its batch neighbours still succeed") {
  Fixture f;
  f.sequencer.stop();  // queue everything first so that it lands in one batch
  Sequencer sequencer(*f.log, f.clock);
  std::vector<std::promise<Result<store::CommitOutcome>>> promises(3);
  sequencer.start();
  // Submit while the writer may already be running: the outcome must not depend on batching.
  sequencer.submit(increment("a", 60, 100),
                   [&](auto outcome) { promises[0].set_value(std::move(outcome)); });
  sequencer.submit(increment("a", 60, 100),
                   [&](auto outcome) { promises[1].set_value(std::move(outcome)); });
  sequencer.submit(increment("a", 40, 100),
                   [&](auto outcome) { promises[2].set_value(std::move(outcome)); });
  auto first = promises[0].get_future().get();
  auto second = promises[1].get_future().get();
  auto third = promises[2].get_future().get();
  CHECK(first.ok());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == Errc::insufficient_funds);
  CHECK(third.ok());
  CHECK(third->result == "100");
  CHECK(f.log->head().position == 2);
  sequencer.stop();
}

TEST_CASE("later commands of a batch see the state written by earlier ones") {
  Fixture f;
  constexpr int kCommands = 500;
  std::vector<std::future<Result<store::CommitOutcome>>> futures;
  std::vector<std::promise<Result<store::CommitOutcome>>> promises(kCommands);
  for (int i = 0; i < kCommands; ++i) {
    futures.push_back(promises[i].get_future());
    f.sequencer.submit(increment("shared", 1, 1'000'000),
                       [&promises, i](auto outcome) { promises[i].set_value(std::move(outcome)); });
  }
  std::set<std::string> results;
  for (auto& future : futures) {
    auto outcome = future.get();
    REQUIRE(outcome.ok());
    results.insert(outcome->result);
  }
  CHECK(results.size() == kCommands);  // every increment saw a distinct value
  CHECK(f.log->read_state(kTestKeyspace, "shared").value() == std::to_string(kCommands));
  const auto stats = f.sequencer.stats();
  CHECK(stats.commands == kCommands);
  CHECK(stats.batches <= kCommands);
}

// A commit of events to the streams named, in that order, without expectations.
Command append_events(const std::vector<std::string>& streams) {
  Command command;
  command.decide = [streams](DecisionContext&) -> Result<store::CommitRequest> {
    store::CommitRequest commit;
    for (std::size_t i = 0; i < streams.size(); ++i) {
      commit.events.push_back(testing::synthetic_event(streams[i], i));
    }
    return commit;
  };
  return command;
}

TEST_CASE("every event gets its stream's next version from the sequencer, in one batch or many") {
  Fixture f;
  REQUIRE(f.sequencer.submit_and_wait(append_events({"s"})).ok());
  // One batch: a commit to two streams with two events to one of them, then more to both.
  std::vector<std::promise<Result<store::CommitOutcome>>> promises(3);
  f.sequencer.submit(append_events({"s", "t", "s"}),
                     [&](auto outcome) { promises[0].set_value(std::move(outcome)); });
  f.sequencer.submit(append_events({"t"}),
                     [&](auto outcome) { promises[1].set_value(std::move(outcome)); });
  f.sequencer.submit(append_events({"s", "u"}),
                     [&](auto outcome) { promises[2].set_value(std::move(outcome)); });
  for (auto& promise : promises) CHECK(promise.get_future().get().ok());
  REQUIRE(f.sequencer.submit_and_wait(append_events({"u", "s"})).ok());
  const std::map<std::string, std::uint64_t> expected{{"s", 5}, {"t", 2}, {"u", 2}};
  for (const auto& [stream, count] : expected) {
    CHECK(f.log->stream_version(stream).value() == count);
    auto events = f.log->read_stream(stream, 1, store::ReadDirection::forward, 10).value();
    REQUIRE(events.size() == count);
    for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].stream_version() == i + 1);
  }
  CHECK(testing::verify_whole_chain(*f.log).findings.empty());
}

constexpr std::chrono::milliseconds kPause{3};

TEST_CASE("the stats split the writer's time between deciding, the durable write and completions") {
  Fixture f;
  Command slow = increment("timed", 1, 100);
  slow.decide = [decide = std::move(slow.decide)](DecisionContext& context) {
    std::this_thread::sleep_for(kPause);
    return decide(context);
  };
  std::promise<Result<store::CommitOutcome>> answered;
  f.sequencer.submit(std::move(slow), [&answered](Result<store::CommitOutcome> outcome) {
    std::this_thread::sleep_for(kPause);
    answered.set_value(std::move(outcome));
  });
  REQUIRE(answered.get_future().get().ok());
  f.sequencer.stop();  // the completion's time is counted once it has returned
  const auto stats = f.sequencer.stats();
  CHECK(stats.batches == 1);
  CHECK(stats.decide_time_us_total >= 3'000);
  CHECK(stats.complete_time_us_total >= 3'000);
  CHECK(stats.write_time_us_total > 0);
}

TEST_CASE("an idempotent command repeated answers the first result and writes once") {
  Fixture f;
  Command command = increment("a", 5, 100);
  command.idempotency_key = "user/key";
  command.request_fingerprint = "same";
  auto first = f.sequencer.submit_and_wait(command);
  auto second = f.sequencer.submit_and_wait(command);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second->replayed);
  CHECK(second->result == first->result);
  CHECK(second->last_position == first->last_position);
  CHECK(f.log->head().position == 1);
  command.request_fingerprint = "different";
  auto conflict = f.sequencer.submit_and_wait(command);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().code == Errc::idempotency_conflict);
}

TEST_CASE("repeats of one idempotency key inside one batch write once") {
  Fixture f;
  constexpr int kRepeats = 64;
  std::vector<std::promise<Result<store::CommitOutcome>>> promises(kRepeats);
  for (int i = 0; i < kRepeats; ++i) {
    Command command = increment("a", 1, 1000);
    command.idempotency_key = "k";
    command.request_fingerprint = "f";
    f.sequencer.submit(command, [&promises, i](auto o) { promises[i].set_value(std::move(o)); });
  }
  int fresh = 0;
  for (auto& promise : promises) {
    auto outcome = promise.get_future().get();
    REQUIRE(outcome.ok());
    if (!outcome->replayed) ++fresh;
    CHECK(outcome->result == "1");
  }
  CHECK(fresh == 1);
  CHECK(f.log->head().position == 1);
}

TEST_CASE("a command whose expectation fails is refused alone") {
  Fixture f;
  Command command;
  command.decide = [](DecisionContext&) -> Result<store::CommitRequest> {
    return commit_to("s", 1, ExpectedVersion::exact(5));
  };
  auto outcome = f.sequencer.submit_and_wait(command);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == Errc::version_conflict);
  CHECK(f.log->head().position == 0);
}

TEST_CASE("a decision with no events succeeds without writing") {
  Fixture f;
  Command command;
  command.decide = [](DecisionContext&) -> Result<store::CommitRequest> {
    store::CommitRequest nothing;
    nothing.result = "unchanged";
    return nothing;
  };
  auto outcome = f.sequencer.submit_and_wait(command);
  REQUIRE(outcome.ok());
  CHECK(outcome->result == "unchanged");
  CHECK(f.log->head().position == 0);
}

TEST_CASE("commands submitted after stop are refused with shutting_down") {
  Fixture f;
  f.sequencer.stop();
  auto outcome = f.sequencer.submit_and_wait(increment("a", 1, 10));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == Errc::shutting_down);
}

TEST_CASE("stop drains every queued command before returning") {
  Fixture f;
  std::atomic<int> completed{0};
  for (int i = 0; i < 200; ++i) {
    f.sequencer.submit(increment("a", 1, 1000), [&](auto outcome) {
      CHECK(outcome.ok());
      ++completed;
    });
  }
  f.sequencer.stop();
  CHECK(completed == 200);
  CHECK(f.log->head().position == 200);
}

TEST_CASE("many threads appending with the same expected version: exactly one wins each version") {
  Fixture f;
  constexpr int kThreads = 8;
  constexpr int kRounds = 50;
  std::atomic<int> wins{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        Command command;
        command.decide = [round](DecisionContext&) -> Result<store::CommitRequest> {
          return commit_to("contested", 1, ExpectedVersion::exact(round));
        };
        // Retry the same version until someone (maybe us) has written it.
        auto outcome = f.sequencer.submit_and_wait(command);
        if (outcome.ok()) {
          ++wins;
        } else {
          CHECK(outcome.error().code == Errc::version_conflict);
          ++conflicts;
        }
        while (f.log->stream_version("contested").value() < static_cast<std::uint64_t>(round) + 1) {
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wins == kRounds);
  CHECK(wins + conflicts == kThreads * kRounds);
  CHECK(f.log->stream_version("contested").value() == kRounds);
  auto all = f.log->read_all(0, 10'000).value();
  REQUIRE(all.size() == kRounds);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].position() == i + 1);
    CHECK(all[i].stream_version() == i + 1);
  }
}

// Appends one event to `stream`, expecting the version the sequencer reports for it, and counts
// the row `key` up by one.
Command append_at_reported_version(const std::string& stream, const std::string& key) {
  Command command;
  command.decide = [=](DecisionContext& context) -> Result<store::CommitRequest> {
    auto version = context.stream_version(stream);
    if (!version) return std::move(version).error();
    auto current = context.read_state(kTestKeyspace, key);
    if (!current) return std::move(current).error();
    const int value = current->has_value() ? std::stoi(**current) : 0;
    store::CommitRequest commit = commit_to(stream, 1, ExpectedVersion::exact(*version));
    commit.state_writes.push_back({kTestKeyspace, key, std::to_string(value + 1)});
    return commit;
  };
  return command;
}

TEST_CASE("caches far smaller than the rows and streams in use still decide on exact state") {
  TempDirectory dir;
  auto log = testing::open_test_log(dir.string());
  ManualClock clock{1'700'000'000'000'000};
  SequencerOptions options;
  options.state_cache_entries_max = 3;
  options.stream_cache_entries_max = 3;
  Sequencer sequencer(*log, clock, options);
  sequencer.start();
  constexpr int kKeys = 20;
  constexpr int kRounds = 15;
  std::vector<std::promise<Result<store::CommitOutcome>>> promises(kKeys * kRounds);
  std::vector<std::future<Result<store::CommitOutcome>>> futures;
  futures.reserve(promises.size());
  for (auto& promise : promises) futures.push_back(promise.get_future());
  // Submitted without waiting, so that batches mix keys and the caches fill and drop mid-batch.
  for (int round = 0; round < kRounds; ++round) {
    for (int k = 0; k < kKeys; ++k) {
      const std::size_t i = static_cast<std::size_t>(round) * kKeys + static_cast<std::size_t>(k);
      sequencer.submit(
          append_at_reported_version("stream:" + std::to_string(k % 7), "row" + std::to_string(k)),
          [&promises, i](auto outcome) { promises[i].set_value(std::move(outcome)); });
    }
  }
  for (auto& future : futures) CHECK(future.get().ok());
  sequencer.stop();
  for (int k = 0; k < kKeys; ++k) {
    CHECK(log->read_state(kTestKeyspace, "row" + std::to_string(k)).value() ==
          std::to_string(kRounds));
  }
  std::uint64_t events = 0;
  for (int s = 0; s < 7; ++s) events += log->stream_version("stream:" + std::to_string(s)).value();
  CHECK(events == kKeys * kRounds);
  CHECK(log->head().position == kKeys * kRounds);
}

TEST_CASE("a row written by another writer is read again, not served from the sequencer's cache") {
  Fixture f;
  REQUIRE(f.sequencer.submit_and_wait(increment("a", 5, 100)).ok());  // caches a = 5
  // Another writer moves the head (as the node that held the PostgreSQL writer lease did before
  // this node took it): the cache no longer agrees with the log.
  store::CommitRequest other = commit_to("counter:a", 2);
  other.state_writes.push_back({kTestKeyspace, "a", "50"});
  REQUIRE(testing::append_one(*f.log, other).ok());
  auto outcome = f.sequencer.submit_and_wait(increment("a", 60, 100));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == Errc::insufficient_funds);
  auto next = f.sequencer.submit_and_wait(increment("a", 1, 100));
  REQUIRE(next.ok());
  CHECK(next->result == "51");
}

// Pipelining: the writer decides batch N+1 while the commit thread writes batch N. The store
// below the sequencer holds an append for as long as a case needs, so that the next batch is
// decided while the one before is "in flight".

using Hold = testing::GatedEventLog::Hold;
constexpr std::chrono::seconds kWait{20};

struct PipelineFixture {
  TempDirectory dir;
  std::unique_ptr<store::RocksDbEventLog> store = testing::open_test_log(dir.string());
  testing::GatedEventLog log{*store};
  ManualClock clock{1'700'000'000'000'000};
  Sequencer sequencer{log, clock, SequencerOptions{.pipelining = Pipelining::always}};
  PipelineFixture() { sequencer.start(); }
  ~PipelineFixture() { log.release(); }  // a failed case must not leave the writer held
  PipelineFixture(const PipelineFixture&) = delete;
  PipelineFixture& operator=(const PipelineFixture&) = delete;
};

std::future<Result<store::CommitOutcome>> submit_async(Sequencer& sequencer, Command command) {
  auto promise = std::make_shared<std::promise<Result<store::CommitOutcome>>>();
  auto future = promise->get_future();
  sequencer.submit(std::move(command), [promise](Result<store::CommitOutcome> outcome) {
    promise->set_value(std::move(outcome));
  });
  return future;
}

// `command`, which says through `decided` when it has been decided.
Command signalling(Command command, const std::shared_ptr<std::promise<void>>& decided) {
  command.decide = [decide = std::move(command.decide), decided](DecisionContext& context) {
    auto result = decide(context);
    decided->set_value();
    return result;
  };
  return command;
}

// `command`, whose decision says through `entered` that it started, then waits for `go`: what is
// submitted meanwhile is queued, and decided together as the next batch.
Command waiting_for(Command command, const std::shared_ptr<std::promise<void>>& entered,
                    std::shared_future<void> go) {
  command.decide = [decide = std::move(command.decide), entered,
                    go = std::move(go)](DecisionContext& context) {
    entered->set_value();
    go.wait();
    return decide(context);
  };
  return command;
}

Command keyed(Command command, std::string key, std::string fingerprint) {
  command.idempotency_key = std::move(key);
  command.request_fingerprint = std::move(fingerprint);
  return command;
}

bool answered_within(std::future<Result<store::CommitOutcome>>& future,
                     std::chrono::milliseconds wait) {
  return future.wait_for(wait) == std::future_status::ready;
}

TEST_CASE("the next batch is decided while one is written, on top of it, and answered after it") {
  PipelineFixture f;
  f.log.hold_next_append(Hold::after_write);
  auto first = submit_async(f.sequencer, increment("a", 5, 100));
  REQUIRE(f.log.wait_until_held(kWait));
  auto decided = std::make_shared<std::promise<void>>();
  auto second = submit_async(f.sequencer, signalling(increment("a", 10, 100), decided));
  // Decided while the first batch's append has not returned...
  CHECK(decided->get_future().wait_for(kWait) == std::future_status::ready);
  // ...but neither is answered before that append returns.
  CHECK_FALSE(answered_within(second, std::chrono::milliseconds(50)));
  CHECK_FALSE(answered_within(first, std::chrono::milliseconds(0)));
  f.log.release();
  auto a = first.get();
  auto b = second.get();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->result == "5");
  CHECK(b->result == "15");  // decided on the first batch's row
  CHECK(b->first_position == 2);
  CHECK(f.store->read_state(kTestKeyspace, "a").value() == std::string("15"));
  CHECK(f.sequencer.stats().batches == 2);
}

TEST_CASE("when a write fails, the batch decided on top of it fails with it and writes nothing") {
  PipelineFixture f;
  f.log.hold_next_append(Hold::before_write, make_error(Errc::io_error, "the disk went away"));
  auto entered = std::make_shared<std::promise<void>>();
  std::promise<void> go;
  auto first = submit_async(f.sequencer,
                            waiting_for(increment("a", 60, 100), entered, go.get_future().share()));
  REQUIRE(entered->get_future().wait_for(kWait) == std::future_status::ready);
  // Queued while the first is decided, so decided together as the batch on top of it: one
  // refused on the first's row (60 + 50 > 100), one that would be written.
  auto refused = submit_async(f.sequencer, increment("a", 50, 100));
  auto decided = std::make_shared<std::promise<void>>();
  auto accepted = submit_async(f.sequencer, signalling(increment("b", 1, 100), decided));
  go.set_value();
  REQUIRE(f.log.wait_until_held(kWait));
  CHECK(decided->get_future().wait_for(kWait) == std::future_status::ready);
  f.log.release();
  auto a = first.get();
  auto r = refused.get();
  auto b = accepted.get();
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().code == Errc::io_error);
  // The refusal was decided on a state that never existed, and the other on top of it: neither
  // stands.
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::io_error);
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().code == Errc::io_error);
  CHECK(f.store->head().position == 0);
  CHECK_FALSE(f.store->read_state(kTestKeyspace, "b").value().has_value());
  // Nothing of either batch is remembered: the next command is decided on the store alone.
  auto next = f.sequencer.submit_and_wait(increment("a", 50, 100));
  REQUIRE(next.ok());
  CHECK(next->result == "50");
  CHECK(next->first_position == 1);
}

TEST_CASE("on PostgreSQL a batch decided in flight carries the head the batch before left") {
  // PostgreSQL refuses a commit whose decided-at head is not its head (another node may have
  // written meanwhile): a pipelined batch must name the head its predecessor leaves.
  TempDirectory dir;
  auto postgres = testing::open_log<testing::PostgresBackend>(dir.string());
  testing::GatedEventLog log{*postgres};
  ManualClock clock{1'700'000'000'000'000};
  Sequencer sequencer{log, clock, SequencerOptions{.pipelining = Pipelining::always}};
  sequencer.start();
  log.hold_next_append(Hold::before_write);  // the head is still 0 while the next is decided
  auto first = submit_async(sequencer, increment("a", 5, 100));
  REQUIRE(log.wait_until_held(kWait));
  auto decided = std::make_shared<std::promise<void>>();
  auto second = submit_async(sequencer, signalling(increment("a", 10, 100), decided));
  const bool decided_in_flight = decided->get_future().wait_for(kWait) == std::future_status::ready;
  log.release();
  CHECK(decided_in_flight);
  REQUIRE(first.get().ok());
  auto b = second.get();
  REQUIRE_MESSAGE(b.ok(), (b.ok() ? std::string() : b.error().message));
  CHECK(b->result == "15");
  sequencer.stop();
  CHECK(postgres->head().position == 2);
}

TEST_CASE("repeats of a key whose commit is being written are answered from it once durable") {
  PipelineFixture f;
  // Held before its write: while the repeats are decided, the store does not know the key yet.
  f.log.hold_next_append(Hold::before_write);
  // The first command's decision waits until the repeats are queued, so that they are decided
  // together, as the next batch, while the first one is held.
  auto entered = std::make_shared<std::promise<void>>();
  std::promise<void> go;
  Command held = waiting_for(keyed(increment("a", 5, 100), "user/k", "same"), entered,
                             go.get_future().share());
  auto first = submit_async(f.sequencer, held);
  REQUIRE(entered->get_future().wait_for(kWait) == std::future_status::ready);
  auto repeat = submit_async(f.sequencer, keyed(increment("a", 5, 100), "user/k", "same"));
  auto conflict = submit_async(f.sequencer, keyed(increment("a", 5, 100), "user/k", "other"));
  auto decided = std::make_shared<std::promise<void>>();
  // Decided after the repeats, on what they left: the first commit's row, nothing more.
  auto marker = submit_async(f.sequencer, signalling(increment("a", 1, 100), decided));
  go.set_value();
  REQUIRE(f.log.wait_until_held(kWait));
  // Decided after the repeats, in their batch, while the first batch is held.
  CHECK(decided->get_future().wait_for(kWait) == std::future_status::ready);
  CHECK_FALSE(answered_within(repeat, std::chrono::milliseconds(20)));
  f.log.release();
  auto a = first.get();
  auto r = repeat.get();
  auto c = conflict.get();
  REQUIRE(a.ok());
  CHECK_FALSE(a->replayed);
  REQUIRE(r.ok());
  CHECK(r->replayed);
  CHECK(r->first_position == a->first_position);
  CHECK(r->last_position == a->last_position);
  CHECK(r->result == a->result);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == Errc::idempotency_conflict);
  auto m = marker.get();
  REQUIRE(m.ok());
  CHECK(m->result == "6");
  CHECK(f.store->head().position == 2);  // the first commit and the marker, nothing else
  CHECK(f.store->read_state(kTestKeyspace, "a").value() == std::string("6"));
}

TEST_CASE("a stream's version is exact while the batch adding to it is being written") {
  PipelineFixture f;
  // The stream is not yet known to the sequencer: the first commit expects nothing of it.
  Command add;
  add.decide = [](DecisionContext&) -> Result<store::CommitRequest> {
    store::CommitRequest commit = commit_to("s", 1);
    commit.expectations.clear();
    return commit;
  };
  f.log.hold_next_append(Hold::after_write);  // its event is in the store; the append not done
  auto first = submit_async(f.sequencer, add);
  REQUIRE(f.log.wait_until_held(kWait));
  auto entered = std::make_shared<std::promise<void>>();
  Command expects;
  expects.decide = [entered](DecisionContext& context) -> Result<store::CommitRequest> {
    entered->set_value();
    auto version = context.stream_version("s");
    if (!version) return std::move(version).error();
    if (*version != 1)
      return make_error(Errc::version_conflict, "version " + std::to_string(*version));
    return commit_to("s", 1, ExpectedVersion::exact(1));
  };
  auto second = submit_async(f.sequencer, expects);
  // Deciding with the first batch in flight (it is held): the stream's version waits for it.
  REQUIRE(entered->get_future().wait_for(kWait) == std::future_status::ready);
  f.log.release();
  REQUIRE(first.get().ok());
  auto b = second.get();
  REQUIRE_MESSAGE(b.ok(), (b.ok() ? std::string() : b.error().message));
  CHECK(b->first_position == 2);
  CHECK(f.store->stream_version("s").value() == 2);
}

// Four threads submit keyed increments of five counters, each key twice, back to back.
void check_load_agrees_with_log(Pipelining mode) {
  TempDirectory dir;
  auto log = testing::open_test_log(dir.string());
  ManualClock clock{1'700'000'000'000'000};
  Sequencer sequencer{*log, clock, SequencerOptions{.pipelining = mode}};
  sequencer.start();
  constexpr int kThreads = 4;
  constexpr int kKeysPerThread = 150;  // each key submitted twice, back to back
  constexpr int kCounters = 5;
  struct Answered {
    int counter;
    std::future<Result<store::CommitOutcome>> first;
    std::future<Result<store::CommitOutcome>> repeat;
  };
  std::vector<std::vector<Answered>> answered(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeysPerThread; ++k) {
        const int counter = (t * 7 + k) % kCounters;
        const std::string key = "t" + std::to_string(t) + "/" + std::to_string(k);
        Command command = keyed(increment("c" + std::to_string(counter), 1, 1'000'000), key, "f");
        auto first = submit_async(sequencer, command);
        auto repeat = submit_async(sequencer, command);
        answered[t].push_back({counter, std::move(first), std::move(repeat)});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<int> per_counter(kCounters, 0);
  std::set<std::uint64_t> positions;
  for (auto& of_thread : answered) {
    for (auto& entry : of_thread) {
      auto first = entry.first.get();
      auto repeat = entry.repeat.get();
      REQUIRE(first.ok());
      REQUIRE(repeat.ok());
      CHECK_FALSE(first->replayed);
      CHECK(repeat->replayed);
      CHECK(repeat->last_position == first->last_position);
      CHECK(repeat->result == first->result);
      CHECK(positions.insert(first->last_position).second);
      ++per_counter[static_cast<std::size_t>(entry.counter)];
    }
  }
  sequencer.stop();
  CHECK(log->head().position == kThreads * kKeysPerThread);
  for (int c = 0; c < kCounters; ++c) {
    const std::string name = "c" + std::to_string(c);
    const auto expected = per_counter[static_cast<std::size_t>(c)];
    CHECK(log->read_state(kTestKeyspace, name).value() == std::to_string(expected));
    CHECK(log->stream_version("counter:" + name).value() == static_cast<std::uint64_t>(expected));
  }
  const auto chain = testing::verify_whole_chain(*log);
  CHECK(chain.findings.empty());
  CHECK(chain.records_visited == kThreads * kKeysPerThread);
}

TEST_CASE("under load from many threads, answers, rows and streams agree with the log") {
  for (const Pipelining mode : {Pipelining::adaptive, Pipelining::always, Pipelining::never}) {
    INFO("pipelining mode ", static_cast<int>(mode));
    check_load_agrees_with_log(mode);
  }
}

}  // namespace
}  // namespace ledger
