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
// The holder renews the lease by running a statement on its session at least once a poll: the
// server records when the session last went idle (pg_stat_activity.state_change), by its own
// clock, so no clocks of nodes are compared.
constexpr char kRenewLease[] = "SELECT 1";
// Ends the session of this database's lease holder when it has been idle longer than the lease
// timeout ($3 ms), and waits (up to 5 s) until it is gone, its locks released. A session running
// a statement is never ended: it is alive, or a statement it sent is still being carried out.
// The lock key is split as pg_locks shows a bigint key: high half, low half, objsubid 1.
constexpr char kExpireLeaseHolder[] = R"sql(
SELECT pg_terminate_backend(activity.pid, 5000)
FROM pg_locks AS held JOIN pg_stat_activity AS activity ON activity.pid = held.pid
WHERE held.locktype = 'advisory' AND held.granted AND held.objsubid = 1
  AND held.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND held.classid::bigint = $1::bigint AND held.objid::bigint = $2::bigint
  AND activity.state <> 'active'
  AND activity.state_change < clock_timestamp() - $3::bigint * interval '1 millisecond'
)sql";

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
  wake_follower();
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
  // A node that stepped down (its session was cut, or a write failed) leaves the lease to the
  // others for a few polls before it tries again: each of them has tried by then, and the node
  // that lost its session, likely the one with the trouble, does not take the lease straight back.
  std::chrono::steady_clock::time_point try_lease_after{};
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
    const bool led = leading_.load();
    if (led) {
      step = check_lease();
    } else {
      step = catch_up();
      if (step && options_.role == PostgresRole::leased &&
          std::chrono::steady_clock::now() >= try_lease_after) {
        step = try_take_lease();
      }
    }
    {
      std::lock_guard lock(failure_mutex_);
      follow_failure_ = step ? std::string() : step.error().message;
    }
    if (stopping_) break;
    if (led && !leading_.load()) {  // stepped down: follow at once
      try_lease_after = std::chrono::steady_clock::now() + 3 * options_.follow_poll_interval;
      continue;
    }
    if (listener && !leading_.load()) {
      auto heard = listener->await_notification(options_.follow_poll_interval, wake_fd_);
      if (!heard) listener.reset();
    } else {
      pollfd wake = {wake_fd_, POLLIN, 0};
      ::poll(&wake, 1, static_cast<int>(options_.follow_poll_interval.count()));
    }
    std::uint64_t wakes = 0;  // consumed, so that the next wait waits
    [[maybe_unused]] const auto read = ::read(wake_fd_, &wakes, sizeof wakes);
  }
}

void PostgresEventLog::wake_follower() {
  if (wake_fd_ < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

Result<bool> PostgresEventLog::try_lease_lock() {
  const std::string key = big_endian_key(kWriterLeaseKey);
  const PgParam params[] = {key};
  PgResult taken = lease_candidate_->exec("SELECT pg_try_advisory_lock($1::bigint)", params);
  if (!taken.ok()) {
    lease_candidate_.reset();
    return make_error(Errc::io_error,
                      fmt::format("cannot try the writer lease: {}", taken.error_message()));
  }
  return taken.rows() == 1 && taken.bytes(0, 0) == std::string_view("\x01", 1);
}

Result<bool> PostgresEventLog::expire_lease_holder() {
  const std::string class_id = big_endian_key(kWriterLeaseKey >> 32);
  const std::string object_id = big_endian_key(kWriterLeaseKey & 0xffffffff);
  const std::string timeout_ms = big_endian_key(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease_timeout).count()));
  const PgParam params[] = {class_id, object_id, timeout_ms};
  PgResult expired = lease_candidate_->exec(kExpireLeaseHolder, params);
  if (!expired.ok()) {
    lease_candidate_.reset();
    return make_error(Errc::io_error, fmt::format("cannot check the writer lease's holder: {}",
                                                  expired.error_message()));
  }
  return expired.rows() == 1 && expired.bytes(0, 0) == std::string_view("\x01", 1);
}

Status PostgresEventLog::try_take_lease() {
  if (!lease_candidate_) {
    auto connected = PgConnection::connect(options_.url);
    if (!connected) return std::move(connected).error();
    lease_candidate_ = std::move(connected).value();
  }
  auto taken = try_lease_lock();
  if (!taken) return std::move(taken).error();
  if (!*taken) {
    // A holder that has not renewed within the lease timeout (frozen, or cut off without its
    // server noticing) loses its session, and the lock with it. Checked once a poll interval,
    // not at each notification: a busy writer wakes its followers hundreds of times a second.
    const auto now = std::chrono::steady_clock::now();
    if (now - lease_holder_checked_at_ < options_.follow_poll_interval) return {};
    lease_holder_checked_at_ = now;
    auto expired = expire_lease_holder();
    if (!expired) return std::move(expired).error();
    if (!*expired) return {};
    taken = try_lease_lock();
    if (!taken) return std::move(taken).error();
    if (!*taken) return {};
  }

  // This node holds the lease: nobody else can append now. It folds up to the head, then
  // writes over the session that holds the lock. It renews the lease after each batch, so that
  // a long catch-up does not look like a frozen holder.
  std::lock_guard append_lock(append_mutex_);
  for (;;) {
    auto folded = follow_batch();
    if (folded) {
      if (PgResult renewed = lease_candidate_->exec(kRenewLease); !renewed.ok()) {
        folded = make_error(
            Errc::io_error,
            fmt::format("lost the writer lease while catching up: {}", renewed.error_message()));
      }
    }
    if (!folded) {
      lease_candidate_.reset();  // ends the session: the lease is free for another node
      return std::move(folded).error();
    }
    if (*folded < options_.scan_page_records) break;
  }
  writer_ = std::move(lease_candidate_);
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
    PgResult alive = writer_->exec(kRenewLease);
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
