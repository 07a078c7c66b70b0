// Child process of the crash tests: appends through the sequencer from several threads until it
// is killed, printing one line per acknowledged command on stdout:
//     ack <last_position> <stream_id> <stream_version>
// A line is printed only after the command completed, i.e. after its write was synced. Each
// command also writes the stream's version into state key "count/<stream>" so that the parent can
// check that state and events landed together.
//
// With a POSTGRES_URL second argument, the log is a PostgresEventLog on that database with its
// inline state in DATA_DIR; a state left behind the log by the previous kill is first folded
// again from the log (count/<stream> is the stream's version).
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/sequencer.h"
#include "core/store/postgres_event_log.h"
#include "core/store/rocksdb_event_log.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"

namespace {

constexpr int kWriters = 4;
constexpr char kKeyspace[] = "test_state";

// The fold of the child's state: count/<stream> is the stream's last version.
ledger::Status fold_counts(const ledger::store::EventLog& log, ledger::store::FreshRows& rows) {
  using namespace ledger;
  std::map<std::string, std::uint64_t> versions;
  auto scanned = log.scan_records(0, [&](std::uint64_t, std::string_view record) {
    events::Envelope envelope;
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) return false;
    versions[envelope.stream_id()] = envelope.stream_version();
    return true;
  });
  if (!scanned) return scanned;
  std::vector<store::StateWrite> writes;
  writes.reserve(versions.size());
  for (const auto& [stream, version] : versions) {
    writes.push_back({kKeyspace, "count/" + stream, std::to_string(version)});
  }
  return rows.write(writes);
}

ledger::Result<std::unique_ptr<ledger::store::EventLog>> open_log(const std::string& data_dir,
                                                                  const char* postgres_url) {
  using namespace ledger;
  store::StoreOptions options;
  options.path = data_dir;
  options.state_keyspaces = {kKeyspace};
  options.block_cache_bytes = 8 << 20;
  if (postgres_url == nullptr) {
    auto log = store::RocksDbEventLog::open(options);
    if (!log) return std::move(log).error();
    return std::unique_ptr<store::EventLog>(std::move(log).value());
  }
  store::PostgresStoreOptions postgres;
  postgres.url = postgres_url;
  postgres.store = options;
  auto log = store::PostgresEventLog::open(postgres);
  if (!log) return std::move(log).error();
  if ((*log)->inline_state_position() < (*log)->head().position) {
    const std::vector<store::KeyspaceRebuild> keyspaces = {{kKeyspace, 1}};
    auto rebuilt = (*log)->rebuild_keyspaces(
        keyspaces, [&](store::FreshRows& rows) { return fold_counts(**log, rows); });
    if (!rebuilt) return std::move(rebuilt).error();
  }
  return std::unique_ptr<store::EventLog>(std::move(log).value());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ledger;
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: crash_append_child DATA_DIR [POSTGRES_URL]\n");
    return 2;
  }
  auto log = open_log(argv[1], argc == 3 ? argv[2] : nullptr);
  if (!log) {
    std::fprintf(stderr, "open failed: %s\n", log.error().message.c_str());
    return 1;
  }
  SystemClock clock;
  Sequencer sequencer(**log, clock);
  sequencer.start();
  std::mutex output_mutex;

  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back([&, writer] {
      const std::string stream = "crash:" + std::to_string(writer);
      std::uint64_t version = (*log)->stream_version(stream).value();
      for (std::uint64_t sequence = 0;; ++sequence) {
        const std::size_t event_count = 1 + sequence % 3;
        Command command;
        command.decide = [&, event_count](DecisionContext&) -> Result<store::CommitRequest> {
          store::CommitRequest commit;
          commit.expectations.push_back({stream, store::ExpectedVersion::exact(version)});
          for (std::size_t i = 0; i < event_count; ++i) {
            events::SyntheticEventAppended event;
            event.set_sequence(version + i + 1);
            event.set_filler(std::string(100, 'x'));
            commit.events.push_back({stream,
                                     events::event_type_of<events::SyntheticEventAppended>(),
                                     event.SerializeAsString()});
          }
          commit.state_writes.push_back(
              {kKeyspace, "count/" + stream, std::to_string(version + event_count)});
          return commit;
        };
        auto outcome = sequencer.submit_and_wait(std::move(command));
        if (!outcome) {
          std::fprintf(stderr, "append failed: %s\n", outcome.error().message.c_str());
          std::_Exit(1);
        }
        version += event_count;
        std::lock_guard lock(output_mutex);
        std::printf("ack %llu %s %llu\n", static_cast<unsigned long long>(outcome->last_position),
                    stream.c_str(), static_cast<unsigned long long>(version));
        std::fflush(stdout);
      }
    });
  }
  for (auto& thread : writers) thread.join();
}
