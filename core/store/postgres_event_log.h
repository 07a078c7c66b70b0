// PostgresEventLog: the EventLog (core/store/event_log.h) with its log in PostgreSQL and its
// inline read-model state in a local RocksDB.
//
// In PostgreSQL (created when missing, in the connection's default schema):
//   ledger_events      (position bigint PRIMARY KEY, stream_id bytea, stream_version bigint,
//                       record bytea, UNIQUE (stream_id, stream_version))
//                      `record` is the exact stored Envelope with its chain hash, as RocksDB
//                      keeps it: the hash chain and every reader of records are the same.
//   ledger_idempotency (key bytea PRIMARY KEY, record bytea): serialized IdempotencyRecords.
//   ledger_meta        (name text PRIMARY KEY, value text): the format and the log's id (a
//                      UUID made when the tables are created).
//
// Writing. One writer (the sequencer) assigns positions itself, from the head read on open,
// never from a sequence: sequences commit out of order, and a reader following positions would
// skip an event committed late. Each `append` is ONE statement (a data-modifying CTE inserting
// the batch's events and idempotency records from binary arrays), hence one transaction,
// committed with the server's synchronous_commit (on by default). The position's primary key is
// the fence: when another writer appended meanwhile, the insert fails on a unique violation, and
// this log turns read-only (store_read_only, naming the reason) instead of forking the chain; it
// never retries. Any other failure of the write (including a lost connection, after which the
// commit's outcome is unknown) also turns it read-only: reopen to go on. A commit that says
// which head it was decided at (CommitRequest::decided_at_position, set by the sequencer) is
// refused with store_read_only, nothing written and the log still writable, when the head is
// elsewhere: a node that took the lease while the batch was decided caught up past the state its
// decisions read. The sequencer admits its commits itself (EventLog::append_admitted: their
// expectations, idempotency keys and stream versions were checked against the state folded up
// to that head), so its appends read nothing back from PostgreSQL; should a stream version or an
// idempotency key still collide, the unique keys refuse the insert as above. A plain `append`
// checks expectations and keys against PostgreSQL, one query each.
//
// Inline state. The rows of inline read models (state_writes, read_state, scan_state,
// write_state, keyspace rebuilds and generations) live in a RocksDbEventLog under
// `options.store.path` used for its state families only, with one more keyspace,
// `postgres_log`, holding the id of the log it was folded from and the position it is folded up
// to. After the PostgreSQL commit, the append's state writes and the new position go to RocksDB
// in one synced batch. Should the process die between the two, or that local write fail, the
// local state is behind the log. On open, a local state behind the log is reported, never served
// silently: `inline_state_position()` is below `head()`, appends fail with store_read_only
// saying so, and read_state/scan_state of inline keyspaces fail the same way, until a rebuild of
// every inline keyspace (replay/inline_rebuild.h; ledgerd runs it before it serves) records that
// the state is folded up to the head again. Such a rebuild holds the appends and the follower's
// folds until it is done, so that the head stays where it folds up to. A local state folded from
// another log, or ahead of this one (the database was restored to an earlier point), fails the
// open.
//
// Reading. Reads use a pool of connections apart from the writer's, so they never wait for it.
//
// Following. Each append also sends `NOTIFY ledger_appended` (payload: the new head position) in
// its transaction. A follower (role `follower`) never writes: it LISTENs on a connection of its
// own, and on each notification, and at least every `follow_poll_interval` in case one was
// missed, reads the records after its head in position order, checks each one's chain link to
// the hash it knows, folds them with `fold_records` (the inline folds), writes their rows and the
// new "folded up to" position in one synced local batch, and only then advances its head, wakes
// `wait_for` and calls the subscribers. A follower's head is the position its inline state is
// folded up to, so its inline reads are always served and `wait_for(p)` means "p is folded
// here"; read_all and read_stream read PostgreSQL and may return records past it. A follower
// opened on an empty (or older) state directory catches up the same way, from position 0 (or
// from where its state is folded up to); `open` returns once it has caught up with the head it
// found. When a record does not verify or fold, the follower
// stays where it was and `following()` says why; it tries again at each poll.
//
// The writer lease (role `leased`). Exactly one node writes: the one holding a session-level
// advisory lock (pg_try_advisory_lock) taken on the very connection its appends go over. A leased
// node starts as a follower and tries the lock on open (so a lone node opens writable) and at
// each poll; when it gets it (the writer's session ended: it closed, died, was cut off or its
// lease expired), it first folds up to the head, then becomes writable. Until then `append`
// fails with store_read_only saying that another node holds the lease. Because the lock and the
// writes share one session, a writer whose session is lost cannot write another event (libpq
// never reconnects a connection): its next append fails and the node follows at once, as when
// its poll finds the session gone or a write failed, and tries the lease again 3 polls later (the
// others first). `writable()` of a node whose session was cut says Ok until it notices (at its
// next append or poll); should any write still reach the log, the position's key is the fence.
//
// Lease expiry. A writer that is frozen (stopped, swapping) or cut off without the server
// noticing keeps its session, hence the lock. So the holder renews the lease: it runs a statement
// on its session at each poll (and after each batch while catching up to take it), and its appends
// count as well. A node that fails to get the lock ends the holder's session
// (pg_terminate_backend) when the server's pg_stat_activity shows it idle for longer than
// `lease_timeout`, by the server's clock, waits until that session is gone (PostgreSQL 14 or
// later) and takes the lock. The old writer, should it wake,
// finds its session gone: its next append is refused and it follows. The nodes must connect as
// one role (or one allowed to see and signal the others' sessions: pg_signal_backend and
// pg_read_all_stats); a holder whose state it cannot see is never ended.
//
// Reconnecting. No connection is reconnected in place: a lost one is replaced, through the URL,
// by a new one. The readers' pool drops connections the server closed while they were idle, the
// listener and the lease's session are made again at the next poll. With a multi-host URL
// (postgresql://h1:p1,h2:p2,h3:p3/db?target_session_attrs=read-write) the new connections reach
// whichever server is the primary after a failover; the lock lived on the old primary's session,
// so one of the nodes takes the lease on the new one after catching up with its head.
//
// Creating the tables is serialized by a transaction-level advisory lock, so nodes opening a new
// database at once all find one log (one log id).
//
// The writer's address (postgres_writer_url.cpp). A node given its URL (`advertise_writer_url`,
// e.g. ledgerd's --advertise-url) writes it into `ledger_meta('writer_url')` whenever it takes
// the lease, over the lease's own session: a writer whose session is gone cannot overwrite the
// address its successor published. Followers read it (`read_writer_url`) to forward commands to
// the writer (http/writer_forwarder.h). The row names the last node that took the lease, which
// may since have died: a follower learns that only by failing to reach it.
//
// Not supported: `checkpoint_to` (back the database up with PostgreSQL's own tools, and the
// local state is a fold that can be rebuilt) fails with invalid_argument saying so.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/store/event_log.h"
#include "core/store/head_publisher.h"
#include "core/store/postgres_connection.h"
#include "core/store/record_fold.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/store_options.h"

namespace ledger::store {

// What a node does with the log:
// - writer: writes it, unconditionally (a single node; the position fence stops a second one);
// - follower: never writes, follows the writer;
// - leased: writes while it holds the writer lease, follows while another node does.
enum class PostgresRole { writer, follower, leased };

struct PostgresStoreOptions {
  // libpq connection URI (postgresql://user@host:port/database) or key=value string.
  std::string url;
  // The local inline state: `path` is its RocksDB directory; `state_keyspaces`, `read_only` and
  // the limits on appends (commits, events, ids, payloads, reads) apply as for RocksDB.
  StoreOptions store;
  // The inline keyspaces: those that appends' state writes fill, folded with the log (every
  // inline fold's). The local state is behind while these are not folded up to the head. The
  // others (asynchronous projections' rows) keep their own checkpoints and are always readable.
  // Empty means every keyspace of `store.state_keyspaces`.
  std::vector<std::string> inline_keyspaces;
  // Reader connections, opened on demand.
  std::size_t read_connections_max = 4;
  // Records fetched from PostgreSQL per round trip by scan_records, and folded per local batch
  // by a follower.
  std::size_t scan_page_records = 1024;
  PostgresRole role = PostgresRole::writer;
  // How a follower folds each record it reads into its inline rows (required for a follower;
  // core/domain/record_folder.h has the inline folds' one).
  RecordFold fold_records;
  // A follower reads the log at least this often, notified or not; a leased writer renews its
  // lease this often.
  std::chrono::milliseconds follow_poll_interval{1000};
  // Leased: a holder that has sent nothing on its lease session for this long has its session
  // ended by the next node trying the lease, which then takes it. At least twice
  // follow_poll_interval, and the same on every node of a log.
  std::chrono::milliseconds lease_timeout{5000};
};

class PostgresEventLog final : public EventLog {
 public:
  // Connects, creates the tables when missing (unless read-only), reads the head, verifies the
  // tail of the chain and opens the local state. Fails with io_error when PostgreSQL cannot be
  // reached, corruption when the tail does not verify or the local state is ahead of the log,
  // invalid_argument when the local state belongs to another log, not_found when a read-only
  // open finds no log.
  static Result<std::unique_ptr<PostgresEventLog>> open(const PostgresStoreOptions& options);

  ~PostgresEventLog() override;
  PostgresEventLog(const PostgresEventLog&) = delete;
  PostgresEventLog& operator=(const PostgresEventLog&) = delete;

  Result<std::vector<CommitOutcome>> append(std::span<const CommitRequest> commits) override;
  Result<std::vector<CommitOutcome>> append_admitted(
      std::span<const CommitRequest> commits) override;
  LogHead head() const override;
  Result<std::uint64_t> stream_version(std::string_view stream_id) const override;
  Result<std::vector<events::Envelope>> read_stream(std::string_view stream_id,
                                                    std::uint64_t from_version,
                                                    ReadDirection direction,
                                                    std::size_t limit) const override;
  Result<std::vector<events::Envelope>> read_all(std::uint64_t after_position,
                                                 std::size_t limit) const override;
  Status scan_records(std::uint64_t after_position, const RecordVisitor& visitor) const override;
  Result<std::optional<events::IdempotencyRecord>> find_idempotency(
      std::string_view key) const override;
  Result<std::optional<std::string>> read_state(std::string_view keyspace,
                                                std::string_view key) const override;
  Status scan_state(std::string_view keyspace, std::string_view prefix, ReadDirection direction,
                    const StateVisitor& visitor, std::string_view after_key = {}) const override;
  Status write_state(std::span<const StateWrite> writes) override;
  Status rebuild_keyspaces(std::span<const KeyspaceRebuild> keyspaces,
                           const std::function<Status(FreshRows&)>& fill) override;
  Result<std::uint64_t> keyspace_generation(std::string_view keyspace) const override;
  // The count of writes into each keyspace's local rows (core/store/keyspace_writes.h): every
  // row of this node, the writer's appends and a follower's fold alike, is written there.
  const KeyspaceWrites& keyspace_writes() const { return local_->keyspace_writes(); }
  Result<std::uint32_t> keyspace_version(std::string_view keyspace) const override;
  Status checkpoint_to(const std::string& directory) override;
  bool wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const override;
  std::uint64_t subscribe(std::function<void(std::uint64_t position)> on_append) override;
  void unsubscribe(std::uint64_t handle) override;
  Status writable() const override;

  // The position the local inline state is folded up to: head().position unless the process
  // stopped (or a local write failed) between a PostgreSQL commit and its local state write.
  std::uint64_t inline_state_position() const { return inline_state_position_.load(); }

  // The log's id, made when its tables were created.
  const std::string& log_id() const { return log_id_; }

  // A follower: Ok, or why it could not fold the log's next records at its last attempt (it
  // tries again at each poll). A writer: Ok.
  Status following() const;

  // Leased: whether this node holds the writer lease now. A writer: true.
  bool holds_lease() const { return options_.role == PostgresRole::writer || leading_.load(); }

  // Sets the URL this node publishes as the writer's address (see "The writer's address"), and
  // publishes it at once when this node holds the lease. Fails (io_error) only when publishing
  // it now failed; it is published again at the next lease taken.
  Status advertise_writer_url(std::string url);

  // The writer's address as the last node to take the lease published it; empty when none did.
  // Fails with io_error when PostgreSQL cannot be read.
  Result<std::string> read_writer_url() const;

 private:
  explicit PostgresEventLog(PostgresStoreOptions options);

  Status open_log();
  Status load_head();
  Status verify_tail();
  Status open_local_state();
  // Ok unless `keyspace` is inline and the local state is behind the log.
  Status state_readable(std::string_view keyspace) const;
  Status inline_state_current() const;
  Result<std::vector<CommitOutcome>> append_as(std::span<const CommitRequest> commits,
                                               Admission admission);
  Result<std::uint64_t> stream_version_on(PgConnection& connection,
                                          std::string_view stream_id) const;
  Result<std::optional<events::IdempotencyRecord>> find_idempotency_on(PgConnection& connection,
                                                                       std::string_view key) const;
  Status scan_records_on(PgConnection& connection, std::uint64_t after_position,
                         std::size_t records_max, const RecordVisitor& visitor) const;
  Status write_local_state(std::vector<StateWrite> writes, std::uint64_t folded_position);
  Error fail_writes(Errc code, std::string reason);

  // The writer lease (postgres_log_follower.cpp).
  Status try_take_lease();
  // On lease_candidate_ (dropped when it fails): whether this session got the lock; whether it
  // ended an expired holder's session.
  Result<bool> try_lease_lock();
  Result<bool> expire_lease_holder();
  Status check_lease();
  void step_down();
  // Writes advertised_url_ (when set) over the writer's session; the caller holds append_mutex_.
  Status publish_writer_url();

  // Following (postgres_log_follower.cpp).
  Result<LogHead> head_at(std::uint64_t position) const;
  Status start_following();
  void follow_loop();
  void stop_following();
  // Makes the follower's thread run its next round now (a no-op without the thread).
  void wake_follower();
  // Folds the records after the head, a batch at a time, up to PostgreSQL's head as it was read.
  Status catch_up();
  // Folds at most one batch of records after the head; answers how many it folded. The caller
  // holds append_mutex_.
  Result<std::size_t> follow_batch();

  PostgresStoreOptions options_;
  std::set<std::string, std::less<>> keyspaces_;         // declared: what commits may write
  std::set<std::string, std::less<>> inline_keyspaces_;  // folded with the log
  std::string log_id_;
  std::unique_ptr<RocksDbEventLog> local_;
  std::atomic<std::uint64_t> inline_state_position_{0};

  // Writer state (guarded by append_mutex_).
  std::mutex append_mutex_;
  std::unique_ptr<PgConnection> writer_;
  std::string advertised_url_;  // this node's address as the writer; empty: none published

  mutable PgConnectionPool readers_;
  HeadPublisher head_;

  mutable std::mutex failure_mutex_;
  std::string failure_;         // non-empty once writes have failed
  std::string follow_failure_;  // why the follower last stopped short; empty when it did not

  // The follower's thread, stopped by `stopping_` and a write to `wake_fd_` (an eventfd).
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;
  std::thread follower_;
  // Leased: whether this node holds the lease (and writer_ is its session), and the session it
  // tries the lock on (the follower thread's).
  std::atomic<bool> leading_{false};
  std::unique_ptr<PgConnection> lease_candidate_;
  // When this node last looked for an expired lease holder (the follower's thread's).
  std::chrono::steady_clock::time_point lease_holder_checked_at_;
};

}  // namespace ledger::store
