// A storage fault (here: the file-size limit of the process, so that writes fail with EFBIG just
// as they would on a full disk) turns the store read-only with a clear error for every writer;
// reads go on; nothing acknowledged is lost; writing resumes when space returns.
// Each doctest case runs in its own process under ctest, so the limit touches no other test.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>

#include "core/sequencer.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

std::uintmax_t directory_bytes(const std::filesystem::path& path) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

void set_file_size_limit(rlim_t bytes) {
  rlimit limit{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &limit) == 0);
  limit.rlim_cur = bytes;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
}

TEST_CASE(
    "a failing disk turns the store read-only, keeps reads and acknowledged data, and "
    "resumes") {
  ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
  testing::TempDirectory dir;
  auto log = testing::open_test_log(dir.string());
  ManualClock clock(1'700'000'000'000'000);
  Sequencer sequencer(*log, clock);
  sequencer.start();

  auto big_commit = [](std::uint64_t sequence) {
    Command command;
    command.decide = [sequence](DecisionContext&) -> Result<store::CommitRequest> {
      store::CommitRequest commit = testing::commit_to("s", 1);
      commit.events[0] = testing::synthetic_event("s", sequence, std::string(64 * 1024, 'x'));
      return commit;
    };
    return command;
  };

  std::uint64_t acknowledged = 0;
  REQUIRE(sequencer.submit_and_wait(big_commit(0)).ok());
  ++acknowledged;
  // Allow the WAL a little more room than it has, then write until it runs out.
  set_file_size_limit(directory_bytes(dir.path()) + 512 * 1024);
  Result<store::CommitOutcome> outcome = store::CommitOutcome{};
  for (std::uint64_t i = 1; i < 1000 && outcome.ok(); ++i) {
    outcome = sequencer.submit_and_wait(big_commit(i));
    if (outcome.ok()) ++acknowledged;
  }
  REQUIRE_FALSE(outcome.ok());
  CHECK((outcome.error().code == Errc::store_read_only || outcome.error().code == Errc::io_error));
  CHECK_FALSE(outcome.error().message.empty());

  // Read-only now: later writers get a clear refusal, readers carry on.
  auto refused = sequencer.submit_and_wait(big_commit(5000));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::store_read_only);
  CHECK_FALSE(log->writable().ok());
  CHECK(log->head().position == acknowledged);
  auto events = log->read_all(0, 10'000);
  REQUIRE(events.ok());
  CHECK(events->size() == acknowledged);

  // Space returns: the store resumes and takes writes again.
  set_file_size_limit(RLIM_INFINITY);
  auto resumed = log->resume();
  REQUIRE_MESSAGE(resumed.ok(), (resumed.ok() ? "" : resumed.error().message));
  sequencer.invalidate_cache();
  auto after = sequencer.submit_and_wait(big_commit(6000));
  REQUIRE(after.ok());
  CHECK(after->last_position == acknowledged + 1);
  sequencer.stop();
  log.reset();

  // Nothing acknowledged was lost, and the chain is whole.
  auto reopened = testing::open_test_log(dir.string());
  CHECK(reopened->head().position >= acknowledged + 1);
  auto all = reopened->read_all(0, 10'000).value();
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].position() == i + 1);
}

}  // namespace
}  // namespace ledger
