// The tools on a node whose log is in PostgreSQL (--store, replay/node_store.h): ledger-bench
// writes through the real sequencer as the lease holder; ledger-audit verifies that log against
// the node's own read models and anchors its head; ledgerctl writes only with the writer lease
// and reads the node's read models; a malformed --store is a usage error everywhere.
#include <doctest/doctest.h>

#include <string>

#include "replay/node_store.h"
#include "tests/support/postgres_test_database.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using testing::run_tool;
using testing::ToolRun;

// The options naming the node: its data directory and its log (quoted for the shell).
std::string node_options(const std::string& data_dir, const std::string& url) {
  return "--data-dir " + data_dir + " '--store=" + url + "'";
}

TEST_CASE(
    "ledger-bench writes a PostgreSQL log that ledger-audit verifies against the node's "
    "read models") {
  testing::TempDirectory database, node;
  const std::string url = testing::test_postgres_database(database.string());
  const std::string where = node_options(node.string(), url);

  ToolRun bench = run_tool(LEDGER_BENCH, "debit --wallets 4 --events 40 --batch 8 " + where);
  REQUIRE_MESSAGE(bench.exit_code == 0, bench.output);
  const auto figures = bench.last_json();
  CHECK(figures["events"].get<std::uint64_t>() == 40);
  CHECK(figures["failures"].get<std::uint64_t>() == 0);

  ToolRun head = run_tool(LEDGER_AUDIT, "head --quiet --format json " + where);
  REQUIRE_MESSAGE(head.exit_code == 0, head.output);
  const std::uint64_t position = head.last_json()["position"].get<std::uint64_t>();
  // Four wallets funded (a top-up requested and completed each), then forty debits.
  CHECK(position >= 48);

  ToolRun verify = run_tool(LEDGER_AUDIT, "verify --quiet --format json " + where +
                                              " --expect-head " + std::to_string(position) + ":" +
                                              head.last_json()["hash"].get<std::string>());
  CHECK_MESSAGE(verify.exit_code == 0, verify.output);

  ToolRun balances = run_tool(LEDGER_AUDIT, "balances --quiet --format json " + where);
  REQUIRE_MESSAGE(balances.exit_code == 0, balances.output);
  // The trial balance of every account sums to zero.
  CHECK(balances.last_json()["sum"] == "0.00");
  CHECK(balances.last_json()["as_of_position"].get<std::uint64_t>() == position);

  // ledgerctl reads the same node's read models.
  ToolRun status = run_tool(LEDGERCTL, "projections status --format json " + where);
  CHECK_MESSAGE(status.exit_code == 0, status.output);
}

TEST_CASE("ledgerctl writes a PostgreSQL log only while no other node holds the writer lease") {
  testing::TempDirectory database, node, other;
  const std::string url = testing::test_postgres_database(database.string());

  ToolRun created = run_tool(LEDGERCTL, "users create-admin --email first@example.com " +
                                            node_options(node.string(), url));
  REQUIRE_MESSAGE(created.exit_code == 0, created.output);
  CHECK(created.output.find("created admin") != std::string::npos);
  ToolRun head =
      run_tool(LEDGER_AUDIT, "head --quiet --format json " + node_options(node.string(), url));
  REQUIRE_MESSAGE(head.exit_code == 0, head.output);
  const std::uint64_t before = head.last_json()["position"].get<std::uint64_t>();
  CHECK(before >= 1);

  {
    // A running node holds the lease: the tool refuses, and writes nothing.
    auto holder = replay::open_node_store({other.string(), url}, replay::NodeAccess::leased);
    REQUIRE_MESSAGE(holder.ok(), (holder.ok() ? std::string() : holder.error().message));
    REQUIRE((*holder)->writable().ok());
    ToolRun refused = run_tool(LEDGERCTL, "users create-admin --email second@example.com " +
                                              node_options(node.string(), url));
    CHECK(refused.exit_code == 2);
    CHECK_MESSAGE(refused.output.find("writer lease") != std::string::npos, refused.output);
    CHECK((*holder)->head().position == before);
  }

  // The holder is gone: the node writes again, and the log still verifies from end to end.
  ToolRun second = run_tool(LEDGERCTL, "users create-admin --email second@example.com " +
                                           node_options(node.string(), url));
  CHECK_MESSAGE(second.exit_code == 0, second.output);
  ToolRun verify = run_tool(LEDGER_AUDIT, "verify --quiet " + node_options(node.string(), url));
  CHECK_MESSAGE(verify.exit_code == 0, verify.output);
}

TEST_CASE(
    "the tools refuse a --store that is not a PostgreSQL URL, and a node with no read "
    "models") {
  testing::TempDirectory database, node, empty;
  for (const char* tool : {LEDGER_AUDIT, LEDGERCTL}) {
    const std::string command =
        std::string(tool) == LEDGER_AUDIT ? "head --quiet " : "projections status ";
    ToolRun wrong = run_tool(tool, command + node_options(node.string(), "mysql://db"));
    CHECK(wrong.exit_code == 2);
    CHECK_MESSAGE(wrong.output.find("postgresql://") != std::string::npos, wrong.output);
  }
  ToolRun bench =
      run_tool(LEDGER_BENCH, "append --events 1 " + node_options(node.string(), "mysql://db"));
  CHECK(bench.exit_code == 2);

  // A data directory where no node ran: reading it is refused, not created.
  const std::string url = testing::test_postgres_database(database.string());
  ToolRun missing = run_tool(LEDGER_AUDIT, "verify --quiet " + node_options(empty.string(), url));
  CHECK(missing.exit_code == 2);
  CHECK_MESSAGE(missing.output.find("no read models") != std::string::npos, missing.output);
}

}  // namespace
}  // namespace ledger
