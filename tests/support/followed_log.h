// Nodes of one PostgreSQL log for the follower and lease tests (tests/store/postgres_*_test.cpp):
// the test keyspace's fold, and appends that write the row that fold makes, as a unit of work
// writes its folds' rows with its events.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/store_fixtures.h"

namespace ledger::testing {

// The test keyspace's fold: each stream's row holds the position of its last event.
inline Status fold_last_position(std::uint64_t position, const events::Envelope& envelope,
                                 store::FoldedState& state) {
  state.set(kTestKeyspace, "row/" + envelope.stream_id(), std::to_string(position));
  return {};
}

// A node of the log on the database made for `database_dir`, its state under `state_dir`.
inline std::unique_ptr<store::PostgresEventLog> open_followed_node(
    const std::string& database_dir, const std::string& state_dir, store::PostgresRole role,
    std::chrono::milliseconds poll_interval) {
  store::PostgresStoreOptions options;
  options.url = test_postgres_database(database_dir);
  options.store = test_store_options(state_dir);
  options.role = role;
  options.fold_records = fold_last_position;
  options.follow_poll_interval = poll_interval;
  auto log = store::PostgresEventLog::open(options);
  REQUIRE_MESSAGE(log.ok(), (log.ok() ? std::string() : log.error().message));
  return std::move(log).value();
}

// One event on `stream_id`, with the row fold_last_position makes of it.
inline Result<store::CommitOutcome> append_with_row(store::EventLog& writer,
                                                    const std::string& stream_id) {
  store::CommitRequest commit = commit_to(stream_id, 1);
  commit.state_writes.push_back(
      {kTestKeyspace, "row/" + stream_id, std::to_string(writer.head().position + 1)});
  return append_one(writer, commit);
}

// Ends the session holding the writer lease of the log of `database_dir`, as the server would
// for a writer cut off by the network. Only this database's lock: other tests' nodes hold leases
// on the same server.
// Ends the sessions holding the writer lease in this database; how many there were.
inline int end_lease_holder_sessions(const std::string& database_dir) {
  auto admin = store::PgConnection::connect(test_postgres_database(database_dir));
  REQUIRE(admin.ok());
  store::PgResult cut = (*admin)->exec(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  REQUIRE(cut.ok());
  return cut.rows();
}

inline void end_lease_holder_session(const std::string& database_dir) {
  REQUIRE(end_lease_holder_sessions(database_dir) == 1);
}

}  // namespace ledger::testing
