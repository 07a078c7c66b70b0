// PostgresEventLog: following the writer's appends (see "Following" in postgres_event_log.h).
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <map>

#include "core/assert.h"
#include "core/store/chain_verifier.h"
#include "core/store/key_encoding.h"
#include "core/store/postgres_event_log.h"

namespace ledger::store {

namespace {

constexpr char kListen[] = "LISTEN ledger_appended";
// The advisory lock of the writer lease ("ledger" and 1, as one bigint).
constexpr std::uint64_t kWriterLeaseKey = 0x6c65646765720001;

// The local rows under the batch's own writes, which become one local batch.
class PendingState final : public FoldedState {
 public:
  explicit PendingState(const RocksDbEventLog& local) : local_(local) {}

  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    if (auto it = pending_.find(std::pair(std::string(keyspace), std::string(key)));
        it != pending_.end()) {
      return it->second;
    }
    return local_.read_state(keyspace, key);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    pending_[std::pair(std::string(keyspace), std::string(key))] = std::move(value);
  }

  std::vector<StateWrite> writes() {
    std::vector<StateWrite> writes;
    writes.reserve(pending_.size() + 1);
    for (auto& [row, value] : pending_) writes.push_back({row.first, row.second, std::move(value)});
    return writes;
  }

 private:
  const RocksDbEventLog& local_;
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> pending_;
};

}  // namespace

Status PostgresEventLog::start_following() {
  auto folded = head_at(inline_state_position_.load());
  if (!folded) return std::move(folded).error();
  head_.reset(*folded);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    return make_error(Errc::io_error, fmt::format("cannot make an eventfd: errno {}", errno));
  }
  // A node opens caught up (as far as it can: what stopped it is in `following()`), and a lone
  // leased node opens writable.
  Status opened = catch_up();
  if (opened && options_.role == PostgresRole::leased) opened = try_take_lease();
  if (!opened) {
    std::lock_guard lock(failure_mutex_);
    follow_failure_ = opened.error().message;
  }
  follower_ = std::thread([this] { follow_loop(); });
  return {};
}

void PostgresEventLog::stop_following() {
  if (!follower_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
  follower_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

Status PostgresEventLog::following() const {
  std::lock_guard lock(failure_mutex_);
  if (follow_failure_.empty()) return {};
  return make_error(Errc::io_error, follow_failure_);
}

void PostgresEventLog::follow_loop() {
  std::unique_ptr<PgConnection> listener;
  while (!stopping_) {
    // LISTEN before reading, so an append committed after the read is heard. A writer does not
    // listen: it would hear only its own appends, and a listener that never reads holds back
    // the server's notification queue.
    if (leading_.load()) {
      listener.reset();
    } else if (!listener) {
      auto connected = PgConnection::connect(options_.url);
      if (connected && (*connected)->run(kListen, "listen for appends")) {
        listener = std::move(connected).value();
      }
    }
    Status step;
    if (leading_.load()) {
      step = check_lease();
    } else {
      step = catch_up();
      if (step && options_.role == PostgresRole::leased) step = try_take_lease();
    }
    {
      std::lock_guard lock(failure_mutex_);
      follow_failure_ = step ? std::string() : step.error().message;
    }
    if (stopping_) break;
    if (listener && !leading_.load()) {
      auto heard = listener->await_notification(options_.follow_poll_interval, wake_fd_);
      if (!heard) listener.reset();
    } else {
      pollfd wake = {wake_fd_, POLLIN, 0};
      ::poll(&wake, 1, static_cast<int>(options_.follow_poll_interval.count()));
    }
  }
}

Status PostgresEventLog::try_take_lease() {
  if (!lease_candidate_) {
    auto connected = PgConnection::connect(options_.url);
    if (!connected) return std::move(connected).error();
    lease_candidate_ = std::move(connected).value();
  }
  const std::string key = big_endian_key(kWriterLeaseKey);
  const PgParam params[] = {key};
  PgResult taken = lease_candidate_->exec("SELECT pg_try_advisory_lock($1::bigint)", params);
  if (!taken.ok()) {
    lease_candidate_.reset();
    return make_error(Errc::io_error,
                      fmt::format("cannot try the writer lease: {}", taken.error_message()));
  }
  if (taken.rows() != 1 || taken.bytes(0, 0) != std::string_view("\x01", 1)) return {};

  // This node holds the lease: nobody else can append now. It folds up to the head, then
  // writes over the session that holds the lock.
  std::lock_guard append_lock(append_mutex_);
  for (;;) {
    auto folded = follow_batch();
    if (!folded) {
      lease_candidate_.reset();  // ends the session: the lease is free for another node
      return std::move(folded).error();
    }
    if (*folded < options_.scan_page_records) break;
  }
  writer_ = std::move(lease_candidate_);
  stream_cache_.clear();
  {
    std::lock_guard lock(failure_mutex_);
    failure_.clear();
  }
  leading_ = true;
  return publish_writer_url();
}

Status PostgresEventLog::check_lease() {
  std::lock_guard append_lock(append_mutex_);
  std::string lost;
  {
    std::lock_guard lock(failure_mutex_);
    lost = failure_;
  }
  if (lost.empty()) {
    PgResult alive = writer_->exec("SELECT 1");
    if (alive.ok()) return {};
    lost = alive.error_message();
  }
  step_down();
  return make_error(
      Errc::store_read_only,
      fmt::format("this node gave up the writer lease ({}): it follows the log", lost));
}

void PostgresEventLog::step_down() {
  leading_ = false;
  writer_.reset();  // ends the session, and with it the lock, if the server still holds it
  stream_cache_.clear();
  {
    std::lock_guard lock(failure_mutex_);
    failure_.clear();
  }
}

Status PostgresEventLog::catch_up() {
  while (!stopping_) {
    std::unique_lock append_lock(append_mutex_);
    auto folded = follow_batch();
    if (!folded) return std::move(folded).error();
    if (*folded < options_.scan_page_records) return {};
  }
  return {};
}

Result<std::size_t> PostgresEventLog::follow_batch() {
  // A follower's head is where its state is folded up to. A writer that stepped down after a
  // commit whose local write is missing has a head past it: it follows from its state.
  if (head().position != inline_state_position_.load()) {
    auto folded = head_at(inline_state_position_.load());
    if (!folded) return std::move(folded).error();
    head_.reset(*folded);
  }
  const LogHead before = head();
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  ChainVerifier verifier(before, /*check_stream_versions=*/false);
  PendingState state(*local_);
  events::Envelope envelope;
  Status failure;
  std::size_t folded = 0;
  auto scanned = scan_records_on(
      **reader, before.position, options_.scan_page_records,
      [&](std::uint64_t position, std::string_view record) {
        verifier.visit(position, record, &envelope);
        if (!verifier.findings().empty()) {
          const auto& finding = verifier.findings().front();
          failure =
              make_error(Errc::corruption, fmt::format("the log does not verify at position {}: {}",
                                                       finding.position, finding.message));
          return false;
        }
        if (auto applied = options_.fold_records(position, envelope, state); !applied) {
          failure = std::move(applied);
          return false;
        }
        ++folded;
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  if (!failure) {
    // Nothing of the batch is written: the follower stays where it was.
    return std::move(failure).error();
  }
  if (folded == 0) return folded;
  const LogHead after = verifier.last();
  LEDGER_ASSERT(after.position == before.position + folded, "followed positions are contiguous");
  if (auto written = write_local_state(state.writes(), after.position); !written) {
    return std::move(written).error();
  }
  inline_state_position_ = after.position;
  head_.publish(after);
  return folded;
}

}  // namespace ledger::store
