// Power loss: what the disk never synced is gone after the reboot (tests/support/
// power_loss_file_system.h cuts every file back to its synced size and removes files whose
// directory entry was never synced). Writers append through the Sequencer; at a random moment the
// power goes off; after the "reboot" every acknowledged event is in the log at the position it was
// acknowledged with, positions are contiguous from 1 and the hash chain verifies from the start.
// Small memtables make flushes and compactions (SST files, MANIFEST edits) part of what is cut.
// Half the rounds cut the power at a random I/O operation, half at a random moment.
// Rounds: LEDGER_POWER_LOSS_ROUNDS (default 8; ./scripts/soak runs 200).
#include <doctest/doctest.h>

#include <rocksdb/db.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/sequencer.h"
#include "core/store/chain_verifier.h"
#include "tests/support/power_loss_file_system.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using testing::PowerLossFileSystem;

int power_loss_rounds() {
  if (const char* text = std::getenv("LEDGER_POWER_LOSS_ROUNDS")) {
    return std::max(1, std::atoi(text));
  }
  return 8;
}

store::StoreOptions options_on(const std::string& path, rocksdb::Env* env) {
  store::StoreOptions options = testing::test_store_options(path);
  options.env = env;
  options.write_buffer_bytes = 256 << 10;  // flush often: SSTs and MANIFEST edits get cut too
  return options;
}

// One acknowledged command: the event it wrote, identified by its sequence number.
struct Acknowledged {
  std::uint64_t sequence;
  std::uint64_t position;
};

Command append_sequence(const std::string& stream_id, std::uint64_t sequence) {
  Command command;
  command.decide = [stream_id, sequence](DecisionContext&) -> Result<store::CommitRequest> {
    store::CommitRequest commit = testing::commit_to(stream_id, 1);
    commit.events[0] = testing::synthetic_event(stream_id, sequence, std::string(300, 'p'));
    return commit;
  };
  return command;
}

// Checks the whole log as found after a reboot; returns its head.
std::uint64_t check_log_after_reboot(const std::string& path,
                                     const std::vector<Acknowledged>& acknowledged) {
  auto log = testing::open_test_log(path);  // the plain OS file system; opening verifies the tail
  store::ChainVerifier verifier(store::LogHead{}, /*check_stream_versions=*/true);
  std::map<std::uint64_t, std::uint64_t> sequence_at;  // position -> sequence
  events::Envelope envelope;
  auto scanned = log->scan_records(0, [&](std::uint64_t position, std::string_view record) {
    REQUIRE(verifier.visit(position, record, &envelope));
    events::SyntheticEventAppended event;
    REQUIRE(event.ParseFromString(envelope.payload()));
    sequence_at[position] = event.sequence();
    return true;
  });
  REQUIRE(scanned.ok());
  for (const auto& finding : verifier.findings()) {
    FAIL_CHECK("chain finding at " << finding.position << ": " << finding.kind << " "
                                   << finding.message);
  }
  const std::uint64_t head = log->head().position;
  CHECK(verifier.records_visited() == head);
  CHECK(verifier.last().position == head);
  for (const auto& ack : acknowledged) {
    auto found = sequence_at.find(ack.position);
    REQUIRE_MESSAGE(found != sequence_at.end(),
                    "acknowledged position " << ack.position << " lost; head is " << head);
    CHECK(found->second == ack.sequence);
  }
  return head;
}

TEST_CASE("acknowledged events survive a power loss at random moments, with the chain whole") {
  testing::TempDirectory dir;
  const std::string path = dir.child("store");
  std::mt19937 random(20261208);
  std::vector<Acknowledged> acknowledged;  // over every round
  std::atomic<std::uint64_t> next_sequence{1};
  PowerLossFileSystem::Dropped dropped_total;
  int rounds_losing_bytes = 0;
  const int rounds = power_loss_rounds();
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    auto file_system = std::make_shared<PowerLossFileSystem>();
    auto env = rocksdb::NewCompositeEnv(file_system);
    {
      auto opened = store::RocksDbEventLog::open(options_on(path, env.get()));
      REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
      auto log = std::move(opened).value();
      ManualClock clock(1'700'000'000'000'000);
      Sequencer sequencer(*log, clock);
      sequencer.start();

      // Odd rounds cut at an exact I/O operation (often between a WAL append and its sync),
      // even rounds at a random moment.
      const bool cut_at_operation = round % 2 == 1;
      if (cut_at_operation) {
        file_system->power_off_at_operation(
            std::uniform_int_distribution<std::uint64_t>(20, 4'000)(random));
      }
      std::mutex mutex;
      std::atomic<bool> stop{false};
      std::vector<std::thread> writers;
      writers.reserve(3);
      for (int writer = 0; writer < 3; ++writer) {
        writers.emplace_back([&, writer] {
          const std::string stream_id = "writer-" + std::to_string(writer);
          while (!stop && file_system->powered()) {
            const std::uint64_t sequence = next_sequence++;
            auto outcome = sequencer.submit_and_wait(append_sequence(stream_id, sequence));
            if (!outcome) continue;  // the power is off: refused, so not acknowledged
            std::lock_guard lock(mutex);
            acknowledged.push_back({sequence, outcome->first_position});
          }
        });
      }
      if (cut_at_operation) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (file_system->powered()) {
          REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the cut never came");
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      } else {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 400)(random)));
        file_system->power_off();
      }
      stop = true;
      for (auto& writer : writers) writer.join();
      sequencer.stop();
    }  // the store closes with the power off: nothing more reaches the disk
    const auto dropped = file_system->drop_unsynced();
    dropped_total.bytes += dropped.bytes;
    dropped_total.files_removed += dropped.files_removed;
    dropped_total.files_truncated += dropped.files_truncated;

    if (dropped.bytes > 0) ++rounds_losing_bytes;
    const std::uint64_t head = check_log_after_reboot(path, acknowledged);
    CHECK(head >= acknowledged.size());
  }
  MESSAGE(rounds << " power cuts, " << acknowledged.size() << " acknowledged events all present; "
                 << dropped_total.bytes << " unsynced bytes lost in " << rounds_losing_bytes
                 << " rounds (" << dropped_total.files_truncated << " files cut short, "
                 << dropped_total.files_removed << " removed)");
  CHECK(acknowledged.size() > 0);
}

// The harness itself: writes that were never synced must vanish, or the test above could not fail.
TEST_CASE("the power-loss harness loses unsynced writes and keeps synced ones") {
  testing::TempDirectory dir;
  auto file_system = std::make_shared<PowerLossFileSystem>();
  auto env = rocksdb::NewCompositeEnv(file_system);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.env = env.get();
  {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    REQUIRE(db->Put(synced, "synced", "kept").ok());
    rocksdb::WriteOptions unsynced;  // written to the WAL file, never synced
    for (int i = 0; i < 100; ++i) {
      REQUIRE(db->Put(unsynced, "unsynced-" + std::to_string(i), std::string(100, 'u')).ok());
    }
    file_system->power_off();
    CHECK_FALSE(db->Put(synced, "after", "the power is off").ok());
    (void)db->Close();
  }
  const auto dropped = file_system->drop_unsynced();
  CHECK(dropped.bytes >= 100 * 100);

  rocksdb::Options reopen_options;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(reopen_options, dir.string(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  CHECK(db->Get(rocksdb::ReadOptions(), "synced", &value).ok());
  CHECK(value == "kept");
  for (int i = 0; i < 100; ++i) {
    CHECK(db->Get(rocksdb::ReadOptions(), "unsynced-" + std::to_string(i), &value).IsNotFound());
  }
  CHECK(db->Get(rocksdb::ReadOptions(), "after", &value).IsNotFound());
}

}  // namespace
}  // namespace ledger
