// Child process of the crash tests: appends through the sequencer from several threads until it
// is killed, printing one line per acknowledged command on stdout:
//     ack <last_position> <stream_id> <stream_version>
// A line is printed only after the command completed, i.e. after its write was synced. Each
// command also writes the stream's version into state key "count/<stream>" so that the parent can
// check that state and events landed together.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/sequencer.h"
#include "core/store/rocksdb_event_log.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"

namespace {

constexpr int kWriters = 4;
constexpr char kKeyspace[] = "test_state";

}  // namespace

int main(int argc, char** argv) {
  using namespace ledger;
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_append_child DATA_DIR\n");
    return 2;
  }
  store::StoreOptions options;
  options.path = argv[1];
  options.state_keyspaces = {kKeyspace};
  options.block_cache_bytes = 8 << 20;
  auto log = store::RocksDbEventLog::open(options);
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
