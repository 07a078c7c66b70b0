// ledger-audit as finance runs it: on a data directory the real engine wrote, verify passes;
// tampered copies (a flipped byte, a deleted event, two swapped events, a changed read-model
// balance) are reported at the right position with exit code 1; balances --as-of equal what the
// live system showed at those positions; statements, exports and head anchors.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "core/domain/redeem_code.h"
#include "core/domain/users.h"
#include "core/store/chain_verifier.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/raw_store.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::usd;

using testing::ToolRun;

ToolRun run_audit(const std::string& arguments) {
  return testing::run_tool(LEDGER_AUDIT, arguments + " --quiet");
}

std::string position_key(std::uint64_t position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<std::size_t>(i)] = static_cast<char>(position & 0xFF);
    position >>= 8;
  }
  return key;
}

// Commands run through the real sequencer on the store at `store_path`, each an hour after the
// one before; the store is closed when the writer goes.
struct StoreWriter {
  std::unique_ptr<store::RocksDbEventLog> log;
  ManualClock clock{testing::kTestEpochUs};
  std::unique_ptr<Sequencer> sequencer;
  std::unique_ptr<domain::Ledger> ledger;

  explicit StoreWriter(const std::string& store_path) {
    std::filesystem::create_directories(store_path);
    log = testing::LedgerFixture::open_log(store_path);
    sequencer = std::make_unique<Sequencer>(*log, clock);
    sequencer->start();
    ledger = std::make_unique<domain::Ledger>(*sequencer);
  }
  ~StoreWriter() { sequencer->stop(); }

  template <class Decide>
  void run(Decide decide) {
    using Answer = std::remove_cvref_t<decltype(*decide(std::declval<UnitOfWork&>()))>;
    REQUIRE(ledger->execute_and_wait<Answer>({"test", "", "", "", ""}, decide).ok());
    clock.advance_us(kMicrosPerHour);
  }
};

// A data directory holding a small but real history: top-ups, payments, a redeem code.
struct AuditedData {
  testing::TempDirectory dir;
  std::string store_path = dir.string() + "/store";
  std::vector<std::pair<std::uint64_t, Money>> alice_balance_at;  // (position, balance then)

  AuditedData() {
    StoreWriter writer(store_path);
    auto& log = writer.log;
    auto run = [&](auto decide) { writer.run(decide); };
    auto record = [&] {
      auto row = log->read_state(domain::kAccountsKeyspace, "wallet:alice");
      events::AccountState state;
      if (row.ok() && row->has_value()) REQUIRE(state.ParseFromString(**row));
      alice_balance_at.emplace_back(log->head().position, Money::from_minor(state.balance_minor()));
    };
    for (int i = 0; i < 3; ++i) {
      const std::string topup = "t" + std::to_string(i);
      run([&](UnitOfWork& uow) {
        return domain::request_topup(uow, {"alice", domain::TopUpId{topup}, usd("100.00"), "card"});
      });
      run([&](UnitOfWork& uow) {
        return domain::confirm_topup(
            uow, {domain::TopUpId{topup}, "ref", "admin", domain::TransactionId{"c" + topup}});
      });
      record();
      run([&](UnitOfWork& uow) {
        return domain::pay_from_wallet(uow, {"alice", domain::TransactionId{"p" + topup},
                                             usd("30.00"), "payment", "website", "", ""});
      });
      record();
    }
    run([&](UnitOfWork& uow) {
      return domain::create_redeem_codes(uow, {{"GIFT5"}, usd("5.00"), 2, 0, "", "admin", "b"});
    });
    run([&](UnitOfWork& uow) { return domain::redeem_code(uow, {"GIFT5", "bob", "r1"}); });
  }

  std::string args() const { return "--data-dir " + dir.string(); }

  // A copy of the data directory to damage.
  std::string copy(const std::string& name) const {
    std::string target = dir.string() + "-" + name;
    std::filesystem::remove_all(target);
    std::filesystem::copy(dir.string(), target, std::filesystem::copy_options::recursive);
    return target;
  }
};

TEST_CASE("verify passes on an untouched log and reports counts as one JSON line") {
  AuditedData data;
  auto human = run_audit("verify " + data.args());
  CHECK_MESSAGE(human.exit_code == 0, human.output);
  CHECK(human.output.find("0 findings") != std::string::npos);
  auto json = run_audit("verify --format json " + data.args());
  CHECK(json.exit_code == 0);
  const auto summary = json.last_json();
  CHECK(summary["events"] == 15);  // 3 x (request, confirm: 2 events, pay) + code + redeem: 2
  CHECK(summary["findings"] == 0);
  CHECK(summary.contains("events_per_second"));
}

TEST_CASE("a flipped byte, a deleted event and two swapped events are reported where they are") {
  AuditedData data;
  {
    const std::string copy = data.copy("flip");
    {
      testing::RawStore raw(copy + "/store");
      std::string record = raw.get("events", position_key(5));
      record[record.size() / 2] ^= 0x01;
      raw.put("events", position_key(5), record);
    }
    auto run = run_audit("verify --format json --data-dir " + copy);
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("\"position\":5") != std::string::npos);
    std::filesystem::remove_all(copy);
  }
  {
    const std::string copy = data.copy("delete");
    {
      testing::RawStore raw(copy + "/store");
      raw.remove("events", position_key(7));
    }
    auto run = run_audit("verify --format json --data-dir " + copy);
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("\"position\":8") != std::string::npos);  // the gap shows at 8
    std::filesystem::remove_all(copy);
  }
  {
    const std::string copy = data.copy("swap");
    {
      testing::RawStore raw(copy + "/store");
      const std::string third = raw.get("events", position_key(3));
      const std::string fourth = raw.get("events", position_key(4));
      raw.put("events", position_key(3), fourth);
      raw.put("events", position_key(4), third);
    }
    auto run = run_audit("verify --format json --data-dir " + copy);
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("\"position\":3") != std::string::npos);
    CHECK(run.output.find("\"position\":4") != std::string::npos);
    std::filesystem::remove_all(copy);
  }
}

TEST_CASE("a record tampered with deep in a long log is found where one thread finds it") {
  // Several thousand events: the audit's scan hands them to its stages in many batches.
  testing::TempDirectory dir;
  const std::string data = dir.string() + "/data";
  auto bench = testing::run_tool(LEDGER_BENCH,
                                 "debit --wallets 10 --events 5000 --batch 100 --data-dir " + data);
  REQUIRE_MESSAGE(bench.exit_code == 0, bench.output);
  auto clean = run_audit("verify --format json --data-dir " + data);
  REQUIRE_MESSAGE(clean.exit_code == 0, clean.output);
  CHECK(clean.last_json()["rows"].get<std::uint64_t>() > 0);  // the rows were compared too

  const std::uint64_t tampered = 3333;  // the middle of the fourth batch
  std::vector<std::pair<std::uint64_t, std::string>> expected;
  {
    testing::RawStore raw(data + "/store");
    std::string record = raw.get("events", position_key(tampered));
    record[record.size() / 2] ^= 0x01;
    raw.put("events", position_key(tampered), record);
    // The chain checked record by record on this thread alone, as the first audit did.
    store::ChainVerifier verifier({}, /*check_stream_versions=*/true);
    raw.visit_rows("events", [&](std::string_view key, std::string_view record) {
      std::uint64_t position = 0;
      for (unsigned char byte : key) position = position << 8 | byte;
      verifier.visit(position, record);
    });
    for (const auto& finding : verifier.findings()) {
      expected.emplace_back(finding.position, finding.kind);
    }
  }
  REQUIRE(!expected.empty());
  CHECK(expected.front().first == tampered);

  auto run = run_audit("verify --format json --data-dir " + data);
  CHECK(run.exit_code == 1);
  std::vector<std::pair<std::uint64_t, std::string>> found;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const auto finding = nlohmann::json::parse(line);
    if (finding.contains("kind")) {
      found.emplace_back(finding["position"].get<std::uint64_t>(), finding["kind"]);
    }
  }
  // Findings about rows (the flipped byte may land in a name the fold then writes elsewhere)
  // name no record: position 0. Of the records' findings, nothing comes before the tampered one.
  CHECK(run.last_json()["findings"].get<std::size_t>() == found.size());
  std::erase_if(found, [](const auto& finding) { return finding.first == 0; });
  REQUIRE_MESSAGE(!found.empty(), run.output);
  CHECK(found.front().first == tampered);
  // Every chain finding, in the same order (the money rules may add findings of their own).
  std::size_t next = 0;
  for (const auto& finding : found) {
    if (next < expected.size() && finding == expected[next]) ++next;
  }
  CHECK(next == expected.size());
}

TEST_CASE("rows changed directly in the read models are reported, and a rebuild restores them") {
  AuditedData data;
  const std::string copy = data.copy("readmodel");
  {
    testing::RawStore raw(copy + "/store");
    events::AccountState state;
    REQUIRE(state.ParseFromString(raw.get("state.accounts", "wallet:alice")));
    state.set_balance_minor(state.balance_minor() + 100);
    raw.put("state.accounts", "wallet:alice", state.SerializeAsString());
    raw.put("state.wallets", "wallet/nobody", "not a fold of anything");
  }
  auto run = run_audit("verify --data-dir " + copy);
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("read_model_differs") != std::string::npos);  // the balance replay
  CHECK(run.output.find("row_differs: accounts/wallet:alice") != std::string::npos);
  CHECK(run.output.find("row_unexpected: wallets/wallet/nobody") != std::string::npos);

  // ledgerctl rebuilds the read models from the log: verify passes again.
  auto rebuilt = testing::run_tool(
      LEDGERCTL, "projections rebuild accounts wallets --quiet --data-dir " + copy);
  REQUIRE_MESSAGE(rebuilt.exit_code == 0, rebuilt.output);
  CHECK(rebuilt.output.find("accounts: rebuilt") != std::string::npos);
  CHECK(rebuilt.output.find("generation 1") != std::string::npos);
  auto again = run_audit("verify --data-dir " + copy);
  CHECK_MESSAGE(again.exit_code == 0, again.output);
  auto twice = testing::run_tool(
      LEDGERCTL, "projections rebuild accounts --quiet --format json --data-dir " + copy);
  REQUIRE_MESSAGE(twice.exit_code == 0, twice.output);
  CHECK(nlohmann::json::parse(twice.output)["generation"] == 2);
  std::filesystem::remove_all(copy);
}

TEST_CASE("balances --as-of a position equal the balances the live system showed then") {
  AuditedData data;
  for (const auto& position_and_balance : data.alice_balance_at) {
    const auto& [position, balance] = position_and_balance;
    CAPTURE(position_and_balance.first);
    auto run =
        run_audit("balances --format json --as-of " + std::to_string(position) + " " + data.args());
    REQUIRE(run.exit_code == 0);
    bool found = false;
    std::istringstream lines(run.output);
    for (std::string line; std::getline(lines, line);) {
      auto row = nlohmann::json::parse(line);
      if (row.value("account", "") == "wallet:alice") {
        found = true;
        CHECK(row["balance"] == balance.format());
      }
      if (row.contains("sum")) CHECK(row["sum"] == "0.00");
    }
    CHECK(found);
  }
  auto by_time = run_audit("balances --format csv --as-of 2026-11-23T12:30:00Z " + data.args());
  CHECK(by_time.exit_code == 0);
  CHECK(by_time.output.find("wallet:alice,70.00") != std::string::npos);  // paid at 12:00
}

TEST_CASE("state shows a stream's rows as they stood at any position") {
  AuditedData data;
  // Top-up t0: requested at position 1 (pending), confirmed at 2.
  auto pending = run_audit("state topup:t0 --as-of 1 --format json " + data.args());
  REQUIRE_MESSAGE(pending.exit_code == 0, pending.output);
  auto then = nlohmann::json::parse(pending.output);
  CHECK(then["as_of_position"] == 1);
  CHECK(then["stream_events"] == 1);
  REQUIRE(then["rows"].size() == 1);
  CHECK(then["rows"][0]["keyspace"] == "wallets");
  CHECK(then["rows"][0]["key"] == "topup/t0");
  CHECK(then["rows"][0]["type"] == "TopUpState");
  CHECK(then["rows"][0]["row"]["status"] == "pending");
  auto now = nlohmann::json::parse(run_audit("state topup:t0 --format json " + data.args()).output);
  CHECK(now["rows"][0]["row"]["status"] == "confirmed");
  CHECK(now["stream_events"] == 2);

  // Alice's wallet stream posts to accounts: her balance after the first payment was 70.00.
  auto wallet = nlohmann::json::parse(
      run_audit("state wallet:alice --as-of 4 --format json " + data.args()).output);
  bool found = false;
  for (const auto& row : wallet["rows"]) {
    if (row["keyspace"] == "accounts" && row["key"] == "wallet:alice") {
      found = true;
      CHECK(row["row"]["balance_minor"] == "7000");
    }
  }
  CHECK(found);

  // A stream with no events up to there is a finding (exit 1), an unknown option a usage error.
  CHECK(run_audit("state topup:nope " + data.args()).exit_code == 1);
  CHECK(run_audit("state " + data.args()).exit_code == 2);
  CHECK(run_audit("state topup:t0 --format csv " + data.args()).exit_code == 2);
}

TEST_CASE("balances --as-of a position past 2^64-1 is a usage error (exit 2), not a crash") {
  AuditedData data;
  auto run = run_audit("balances --as-of 18446744073709551616 " + data.args());
  CHECK(run.exit_code == 2);
}

TEST_CASE("statement, export and head anchors") {
  AuditedData data;
  auto statement = run_audit("statement --format csv --account wallet:alice " + data.args());
  REQUIRE(statement.exit_code == 0);
  CHECK(statement.output.find(",-30.00,70.00") != std::string::npos);
  CHECK(statement.output.find(",-30.00,210.00") != std::string::npos);

  auto events = run_audit("export --from 2 --to 3 " + data.args());
  REQUIRE(events.exit_code == 0);
  CHECK(std::count(events.output.begin(), events.output.end(), '\n') == 2);
  CHECK(events.output.find("\"position\":2") != std::string::npos);
  auto postings = run_audit("export --postings " + data.args());
  CHECK(postings.output.find("promo:redeem-codes,-5.00") != std::string::npos);

  auto head = run_audit("head " + data.args());
  REQUIRE(head.exit_code == 0);
  const std::string anchor = head.output.substr(0, head.output.find('\n'));
  CHECK(run_audit("verify --expect-head " + anchor + " " + data.args()).exit_code == 0);
  const std::string early = "5:" + std::string(64, 'a');
  auto rewritten = run_audit("verify --expect-head " + early + " " + data.args());
  CHECK(rewritten.exit_code == 1);
  CHECK(rewritten.output.find("anchor_mismatch") != std::string::npos);
  CHECK(run_audit("verify --expect-head nonsense " + data.args()).exit_code == 2);
  CHECK(run_audit("balances --data-dir /nonexistent").exit_code == 2);
}

TEST_CASE("export shows password hashes, token digests and code MACs only as [redacted]") {
  testing::TempDirectory dir;
  const std::string password_hash = "scrypt$15$8$1$LEAKEDSALT$LEAKEDHASH";
  const std::string code_mac = std::string(64, 'c');
  const std::string token_digest = std::string(64, 'd');
  {
    StoreWriter writer(dir.string() + "/store");
    writer.run([&](UnitOfWork& uow) {
      return domain::register_user(
          uow, {"u1", "u1@x.com", "U", "client", "", 0, password_hash, false, "self", code_mac});
    });
    writer.run([&](UnitOfWork& uow) {
      return domain::register_user(
          uow, {"u2", "u2@x.com", "V", "client", "", 0, password_hash, true, "admin"});
    });
    const std::int64_t expires_at_us = writer.clock.now_us() + kMicrosPerHour;
    writer.run([&](UnitOfWork& uow) {
      return domain::issue_token(uow, {"t1", "u2", token_digest, expires_at_us});
    });
  }
  auto exported = run_audit("export --data-dir " + dir.string());
  REQUIRE(exported.exit_code == 0);
  CHECK(std::count(exported.output.begin(), exported.output.end(), '\n') == 4);
  for (const auto& secret : {std::string("LEAKED"), code_mac, token_digest}) {
    CHECK_MESSAGE(exported.output.find(secret) == std::string::npos, secret);
  }
  CHECK(exported.output.find(R"("password_hash":"[redacted]")") != std::string::npos);
  CHECK(exported.output.find(R"("code_digest":"[redacted]")") != std::string::npos);
  CHECK(exported.output.find(R"("token_digest":"[redacted]")") != std::string::npos);
}

TEST_CASE("a statement whose from is after its to is a usage error, not an empty statement") {
  AuditedData data;
  auto backwards = run_audit("statement --account wallet:alice --from 2026-11-23 --to 2026-11-20 " +
                             data.args());
  CHECK(backwards.exit_code == 2);
  CHECK(backwards.output.find("from must not be after to") != std::string::npos);
  CHECK(backwards.output.find("opening balance") == std::string::npos);
}

}  // namespace
}  // namespace ledger
