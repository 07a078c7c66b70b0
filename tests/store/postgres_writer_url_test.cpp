// The writer's address in a PostgreSQL log (core/store/postgres_writer_url.cpp): the node holding
// the writer lease publishes it over the lease's session, a node that takes the lease later
// publishes its own, and a writer whose session was cut cannot overwrite its successor's.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "core/store/postgres_connection.h"
#include "tests/support/followed_log.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using namespace std::chrono_literals;
using testing::TempDirectory;

std::unique_ptr<store::PostgresEventLog> open_leased(const std::string& database_dir,
                                                     const std::string& state_dir) {
  return testing::open_followed_node(database_dir, state_dir, store::PostgresRole::leased, 50ms);
}

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::string writer_url(const store::PostgresEventLog& log) {
  auto url = log.read_writer_url();
  REQUIRE_MESSAGE(url.ok(), url.error().message);
  return *url;
}

TEST_CASE(
    "the lease holder publishes its address, its successor publishes its own, and a writer whose "
    "session was cut cannot overwrite it") {
  TempDirectory database, first_state, second_state;
  auto first = open_leased(database.string(), first_state.string());
  REQUIRE(eventually([&] { return first->holds_lease(); }));
  auto second = open_leased(database.string(), second_state.string());
  CHECK(writer_url(*second).empty());

  REQUIRE(first->advertise_writer_url("http://10.0.0.1:8080").ok());
  CHECK(writer_url(*second) == "http://10.0.0.1:8080");
  // A follower's address waits for its lease.
  REQUIRE(second->advertise_writer_url("http://10.0.0.2:8080").ok());
  CHECK_FALSE(second->holds_lease());
  CHECK(writer_url(*first) == "http://10.0.0.1:8080");

  testing::end_lease_holder_session(database.string());
  // Whether or not it noticed yet, the old writer cannot publish over a session it lost (the
  // successor may already have published its own), unless it has taken the lease again since:
  // the lease goes to whichever node asks first.
  (void)first->advertise_writer_url("http://10.0.0.1:9999");
  CHECK((writer_url(*second) != "http://10.0.0.1:9999" || first->holds_lease()));

  // A writer that finds its session gone asks for the lease again at once: until the second
  // node is the one holding it, end the holder's session again (the first node may also still
  // believe it holds a lease whose session is gone: then there is none to end).
  REQUIRE(eventually([&] {
    if (second->holds_lease()) return true;
    if (first->holds_lease()) testing::end_lease_holder_sessions(database.string());
    return false;
  }));
  // The new writer publishes its address right after it takes the lease.
  CHECK(eventually([&] { return writer_url(*first) == "http://10.0.0.2:8080"; }));
  REQUIRE(eventually([&] { return !first->holds_lease(); }));
  REQUIRE(first->advertise_writer_url("http://10.0.0.1:7777").ok());
  CHECK(writer_url(*first) == "http://10.0.0.2:8080");
  CHECK(writer_url(*second) == "http://10.0.0.2:8080");
}

}  // namespace
}  // namespace ledger
