// Small builders shared by the store and sequencer tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/store/chain_verifier.h"
#include "core/store/postgres_event_log.h"
#include "core/store/rocksdb_event_log.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"
#include "tests/support/postgres_test_database.h"

namespace ledger::testing {

inline const char kTestKeyspace[] = "test_state";

inline store::StoreOptions test_store_options(const std::string& path) {
  store::StoreOptions options;
  options.path = path;
  options.state_keyspaces = {kTestKeyspace};
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 4 << 20;
  return options;
}

inline std::unique_ptr<store::RocksDbEventLog> open_test_log(const std::string& path) {
  auto log = store::RocksDbEventLog::open(test_store_options(path));
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
}

// The backends the EventLog conformance suite (tests/store/event_log_test.cpp) runs against, one
// test case template instance each. `open` takes the options a RocksDB store would: the
// PostgreSQL backend keeps its log in a database of its own for `options.path`
// (postgres_test_database.h) and its inline state under `options.path`/state.
struct RocksDbBackend {
  static Result<std::unique_ptr<store::EventLog>> open(const store::StoreOptions& options) {
    auto log = store::RocksDbEventLog::open(options);
    if (!log) return std::move(log).error();
    return std::unique_ptr<store::EventLog>(std::move(log).value());
  }
};

struct PostgresBackend {
  static Result<std::unique_ptr<store::EventLog>> open(const store::StoreOptions& options) {
    store::PostgresStoreOptions postgres;
    postgres.url = test_postgres_database(options.path);
    postgres.store = options;
    postgres.store.path = (std::filesystem::path(options.path) / "state").string();
    auto log = store::PostgresEventLog::open(postgres);
    if (!log) return std::move(log).error();
    return std::unique_ptr<store::EventLog>(std::move(log).value());
  }
};

template <class Backend>
std::unique_ptr<store::EventLog> open_log(const std::string& path) {
  auto log = Backend::open(test_store_options(path));
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
}

// What a chain verifier found in the whole log, from position 1 (stream versions checked too).
struct WholeChainCheck {
  std::vector<store::ChainFinding> findings;
  store::LogHead last;
  std::uint64_t records_visited = 0;
};

inline WholeChainCheck verify_whole_chain(const store::EventLog& log) {
  store::ChainVerifier verifier({}, /*check_stream_versions=*/true);
  REQUIRE(log.scan_records(0,
                           [&](std::uint64_t position, std::string_view record) {
                             verifier.visit(position, record);
                             return true;
                           })
              .ok());
  return {verifier.findings(), verifier.last(), verifier.records_visited()};
}

inline store::PendingEvent synthetic_event(const std::string& stream_id, std::uint64_t sequence,
                                           const std::string& note = "") {
  events::SyntheticEventAppended event;
  event.set_sequence(sequence);
  event.set_note(note);
  return store::PendingEvent{stream_id, events::event_type_of<events::SyntheticEventAppended>(),
                             event.SerializeAsString()};
}

inline store::CommitRequest commit_to(
    const std::string& stream_id, std::size_t event_count,
    store::ExpectedVersion expected = store::ExpectedVersion::any()) {
  store::CommitRequest commit;
  commit.expectations.push_back({stream_id, expected});
  for (std::size_t i = 0; i < event_count; ++i) {
    commit.events.push_back(synthetic_event(stream_id, i));
  }
  commit.actor = "test";
  commit.recorded_at_us = 1'700'000'000'000'000;
  return commit;
}

inline Result<store::CommitOutcome> append_one(store::EventLog& log,
                                               const store::CommitRequest& commit) {
  auto outcomes = log.append(std::span<const store::CommitRequest>(&commit, 1));
  if (!outcomes) return std::move(outcomes).error();
  return outcomes->front();
}

}  // namespace ledger::testing
