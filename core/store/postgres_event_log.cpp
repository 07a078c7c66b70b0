// PostgresEventLog: open, the writer, and the local inline state (see postgres_event_log.h).
#include "core/store/postgres_event_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/store/append_planner.h"
#include "core/store/chain_verifier.h"
#include "core/store/key_encoding.h"
#include "core/store/record_seal.h"

namespace ledger::store {

namespace {

// The local keyspace that says which log the inline state was folded from, and up to where.
constexpr char kFoldKeyspace[] = "postgres_log";
constexpr char kLogIdKey[] = "log_id";
constexpr char kFoldedPositionKey[] = "folded_position";
constexpr char kFormatVersion[] = "1";
constexpr char kUniqueViolation[] = "23505";
constexpr char kUndefinedTable[] = "42P01";

// One transaction (a multi-statement query without BEGIN is one), serialized by an advisory
// lock held to its end ("ledger" and 2, as one bigint): nodes opening a new database at once
// would otherwise race in CREATE TABLE IF NOT EXISTS, which then fails on a unique violation of
// the catalog (pg_type) instead of finding the table made.
constexpr char kCreateTables[] = R"sql(
SET client_min_messages TO warning;
SELECT pg_advisory_xact_lock(7810759523990372354);
CREATE TABLE IF NOT EXISTS ledger_meta (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_events (
  position bigint PRIMARY KEY CHECK (position > 0),
  stream_id bytea NOT NULL,
  stream_version bigint NOT NULL CHECK (stream_version > 0),
  record bytea NOT NULL,
  UNIQUE (stream_id, stream_version));
CREATE TABLE IF NOT EXISTS ledger_idempotency (key bytea PRIMARY KEY, record bytea NOT NULL);
INSERT INTO ledger_meta (name, value)
  VALUES ('format_version', '1'), ('log_id', gen_random_uuid()::text)
  ON CONFLICT (name) DO NOTHING;
)sql";

// One statement, so one transaction: the events and the idempotency records of an append, and
// the notification that wakes followers (delivered only if it commits).
constexpr char kInsertAppend[] = R"sql(
WITH appended AS (
  INSERT INTO ledger_events (position, stream_id, stream_version, record)
  SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[])),
remembered AS (
  INSERT INTO ledger_idempotency (key, record) SELECT * FROM unnest($5::bytea[], $6::bytea[]))
SELECT pg_notify('ledger_appended', $7::text)
)sql";

// Collects a planned append as the arrays of kInsertAppend, and the state writes for RocksDB.
class InsertSink final : public AppendSink {
 public:
  void add_record(std::uint64_t position, const std::string& stream_id,
                  std::uint64_t stream_version, std::string_view record) override {
    positions.add_number(position);
    stream_ids.add(stream_id);
    stream_versions.add_number(stream_version);
    records.add(record);
  }
  void add_state_write(const StateWrite& write) override { state_writes.push_back(write); }
  void add_idempotency(const std::string& key, const std::string& record) override {
    keys.add(key);
    remembered.add(record);
  }

  PgArray positions{PgArray::kBigintOid};
  PgArray stream_ids{PgArray::kByteaOid};
  PgArray stream_versions{PgArray::kBigintOid};
  PgArray records{PgArray::kByteaOid};
  PgArray keys{PgArray::kByteaOid};
  PgArray remembered{PgArray::kByteaOid};
  std::vector<StateWrite> state_writes;
};

// The fold keyspace is the log's own: not for callers.
Status refuse_fold_keyspace(std::string_view keyspace) {
  if (keyspace != kFoldKeyspace) return {};
  return make_error(Errc::invalid_argument, fmt::format("unknown state keyspace {}", keyspace));
}

Hash256 stored_hash(std::string_view record) {
  Hash256 hash{};
  std::memcpy(hash.data(), record.data() + record.size() - hash.size(), hash.size());
  return hash;
}

}  // namespace

PostgresEventLog::PostgresEventLog(PostgresStoreOptions options)
    : options_(std::move(options)),
      keyspaces_(options_.store.state_keyspaces.begin(), options_.store.state_keyspaces.end()),
      inline_keyspaces_(options_.inline_keyspaces.empty()
                            ? keyspaces_
                            : std::set<std::string, std::less<>>(options_.inline_keyspaces.begin(),
                                                                 options_.inline_keyspaces.end())),
      readers_(options_.url, std::max<std::size_t>(options_.read_connections_max, 1)) {}

PostgresEventLog::~PostgresEventLog() { stop_following(); }

Result<std::unique_ptr<PostgresEventLog>> PostgresEventLog::open(
    const PostgresStoreOptions& options) {
  if (options.url.empty()) {
    return make_error(Errc::invalid_argument, "the PostgreSQL log needs a connection URL");
  }
  if (options.store.path.empty()) {
    return make_error(Errc::invalid_argument, "the PostgreSQL log needs a path for its state");
  }
  for (const auto& keyspace : options.inline_keyspaces) {
    if (std::find(options.store.state_keyspaces.begin(), options.store.state_keyspaces.end(),
                  keyspace) == options.store.state_keyspaces.end()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("inline keyspace {} is not a state keyspace", keyspace));
    }
  }
  if (options.scan_page_records == 0) {
    return make_error(Errc::invalid_argument, "scan_page_records must be at least 1");
  }
  if (options.role != PostgresRole::writer && !options.fold_records) {
    return make_error(Errc::invalid_argument, "a follower needs the fold of its inline state");
  }
  if (options.role == PostgresRole::leased &&
      options.lease_timeout < 2 * options.follow_poll_interval) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("the lease timeout ({} ms) must be at least twice the poll "
                    "interval ({} ms), at which the writer renews its lease",
                    options.lease_timeout.count(), options.follow_poll_interval.count()));
  }
  std::unique_ptr<PostgresEventLog> log(new PostgresEventLog(options));
  if (auto status = log->open_log(); !status) return std::move(status).error();
  if (auto status = log->load_head(); !status) return std::move(status).error();
  if (auto status = log->verify_tail(); !status) return std::move(status).error();
  if (auto status = log->open_local_state(); !status) return std::move(status).error();
  if (options.role != PostgresRole::writer) {
    if (auto status = log->start_following(); !status) return std::move(status).error();
  }
  return log;
}

Status PostgresEventLog::open_log() {
  auto connection = PgConnection::connect(options_.url);
  if (!connection) return std::move(connection).error();
  if (!options_.store.read_only) {
    if (auto status = (*connection)->run(kCreateTables, "create the log's tables"); !status) {
      return status;
    }
  }
  PgResult meta = (*connection)->exec("SELECT name, value FROM ledger_meta");
  if (!meta.ok()) {
    if (meta.sqlstate() == kUndefinedTable) {
      return make_error(Errc::not_found, "no ledger log in this PostgreSQL database");
    }
    return make_error(Errc::io_error,
                      fmt::format("cannot read the log's metadata: {}", meta.error_message()));
  }
  std::string format;
  for (int row = 0; row < meta.rows(); ++row) {
    if (meta.bytes(row, 0) == "format_version") format = meta.bytes(row, 1);
    if (meta.bytes(row, 0) == "log_id") log_id_ = meta.bytes(row, 1);
  }
  if (format != kFormatVersion || log_id_.empty()) {
    return make_error(Errc::corruption,
                      fmt::format("the PostgreSQL log has format version '{}', this build reads {}",
                                  format, kFormatVersion));
  }
  if (!options_.store.read_only && options_.role == PostgresRole::writer) {
    writer_ = std::move(connection).value();
  }
  return {};
}

Status PostgresEventLog::load_head() {
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  PgResult last =
      (*reader)->exec("SELECT position, record FROM ledger_events ORDER BY position DESC LIMIT 1");
  if (!last.ok()) {
    return make_error(Errc::io_error,
                      fmt::format("cannot read the head of the log: {}", last.error_message()));
  }
  LogHead head;
  if (last.rows() == 1) {
    if (last.bytes(0, 1).size() < kSealBytes) {
      return make_error(Errc::corruption, "the last record of the log is malformed");
    }
    head.position = last.number(0, 0);
    head.hash = stored_hash(last.bytes(0, 1));
  }
  head_.reset(head);
  return {};
}

Result<LogHead> PostgresEventLog::head_at(std::uint64_t position) const {
  if (position == 0) return LogHead{};
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  std::optional<LogHead> found;
  auto scanned =
      scan_records_on(**reader, position - 1, 1, [&](std::uint64_t at, std::string_view record) {
        if (at == position && record.size() >= kSealBytes) {
          found = LogHead{at, stored_hash(record)};
        }
        return false;
      });
  if (!scanned) return std::move(scanned).error();
  if (!found) {
    return make_error(Errc::corruption,
                      fmt::format("position {} is missing from the log", position));
  }
  return *found;
}

Status PostgresEventLog::verify_tail() {
  const LogHead head = this->head();
  if (head.position == 0 || options_.store.verify_tail_records_on_open == 0) return {};
  const std::uint64_t count =
      std::min<std::uint64_t>(head.position, options_.store.verify_tail_records_on_open);
  const std::uint64_t first = head.position - count + 1;
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  LogHead before;
  if (first > 1) {
    Status found =
        make_error(Errc::corruption, fmt::format("position {} is missing from the log", first - 1));
    auto scanned = scan_records_on(**reader, first - 2, 1,
                                   [&](std::uint64_t position, std::string_view record) {
                                     if (position == first - 1 && record.size() >= kSealBytes) {
                                       before = LogHead{position, stored_hash(record)};
                                       found = {};
                                     }
                                     return false;
                                   });
    if (!scanned) return scanned;
    if (!found) return found;
  }
  return verify_chain_tail(before, [&](const RecordVisitor& visitor) {
    return scan_records_on(**reader, first - 1, count, visitor);
  });
}

Status PostgresEventLog::open_local_state() {
  StoreOptions local_options = options_.store;
  local_options.state_keyspaces.push_back(kFoldKeyspace);
  auto local = RocksDbEventLog::open(local_options);
  if (!local) return std::move(local).error();
  local_ = std::move(local).value();

  auto stored_id = local_->read_state(kFoldKeyspace, kLogIdKey);
  if (!stored_id) return std::move(stored_id).error();
  auto stored_position = local_->read_state(kFoldKeyspace, kFoldedPositionKey);
  if (!stored_position) return std::move(stored_position).error();
  std::uint64_t folded = 0;
  if (!stored_id->has_value()) {
    if (!options_.store.read_only) {
      if (auto status = write_local_state({{kFoldKeyspace, kLogIdKey, log_id_}}, 0); !status) {
        return status;
      }
    }
  } else if (**stored_id != log_id_) {
    return make_error(Errc::invalid_argument,
                      fmt::format("the inline state under {} was folded from the log {}, not from "
                                  "this one ({}): move it away to rebuild it from this log",
                                  options_.store.path, **stored_id, log_id_));
  } else if (stored_position->has_value() && (*stored_position)->size() == 8) {
    folded = read_big_endian(**stored_position);
  }
  const std::uint64_t head = this->head().position;
  if (folded > head) {
    return make_error(Errc::corruption,
                      fmt::format("the inline state under {} is folded up to position {}, past "
                                  "the log's head {} (was the database restored to an earlier "
                                  "point?): move it away to rebuild it",
                                  options_.store.path, folded, head));
  }
  inline_state_position_ = folded;
  return {};
}

Status PostgresEventLog::write_local_state(std::vector<StateWrite> writes,
                                           std::uint64_t folded_position) {
  writes.push_back({kFoldKeyspace, kFoldedPositionKey, big_endian_key(folded_position)});
  return local_->write_state_durably(writes);
}

Status PostgresEventLog::state_readable(std::string_view keyspace) const {
  if (!inline_keyspaces_.contains(keyspace)) return {};
  return inline_state_current();
}

Status PostgresEventLog::inline_state_current() const {
  const std::uint64_t folded = inline_state_position_.load();
  const std::uint64_t head = this->head().position;
  if (folded >= head) return {};
  return make_error(Errc::store_read_only,
                    fmt::format("the inline state is folded up to position {} but the log is at "
                                "{}: rebuild every inline read model (ledgerd does on start)",
                                folded, head));
}

Status PostgresEventLog::writable() const {
  if (options_.store.read_only) {
    return make_error(Errc::store_read_only, "the store is open read-only");
  }
  if (options_.role == PostgresRole::follower) {
    return make_error(Errc::store_read_only,
                      "this node follows the log's writer: commands go to the writer");
  }
  if (options_.role == PostgresRole::leased && !leading_.load()) {
    return make_error(Errc::store_read_only,
                      "this node does not hold the writer lease: another node writes the log (or "
                      "none does yet) and this one follows it");
  }
  {
    std::lock_guard lock(failure_mutex_);
    if (!failure_.empty()) return make_error(Errc::store_read_only, failure_);
  }
  return inline_state_current();
}

Error PostgresEventLog::fail_writes(Errc code, std::string reason) {
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = reason;
  }
  // A leased writer steps down now rather than at its next poll.
  wake_follower();
  return make_error(code, std::move(reason));
}

Result<std::vector<CommitOutcome>> PostgresEventLog::append(
    std::span<const CommitRequest> commits) {
  return append_as(commits, Admission::check);
}

Result<std::vector<CommitOutcome>> PostgresEventLog::append_admitted(
    std::span<const CommitRequest> commits) {
  return append_as(commits, Admission::admitted);
}

Result<std::vector<CommitOutcome>> PostgresEventLog::append_as(
    std::span<const CommitRequest> commits, Admission admission) {
  if (options_.store.read_only) {
    return make_error(Errc::store_read_only, "the store is open read-only");
  }
  std::lock_guard append_lock(append_mutex_);
  if (auto status = writable(); !status) return std::move(status).error();
  if (auto status = validate_commits(
          options_.store, commits,
          [this](std::string_view keyspace) { return keyspaces_.contains(keyspace); });
      !status) {
    return std::move(status).error();
  }

  InsertSink sink;
  const AppendLookups lookups{
      [this](const std::string& stream_id) { return stream_version_on(*writer_, stream_id); },
      [this](const std::string& key) { return find_idempotency_on(*writer_, key); }};
  const LogHead before = this->head();
  for (const auto& commit : commits) {
    if (commit.decided_at_position && *commit.decided_at_position != before.position) {
      return make_error(Errc::store_read_only,
                        fmt::format("the log moved from position {} to {} while this append was "
                                    "decided (this node took the writer lease meanwhile): nothing "
                                    "was written, retry",
                                    *commit.decided_at_position, before.position));
    }
  }
  auto plan = plan_append(commits, before, lookups, sink, admission);
  if (!plan) {
    if (!writer_->healthy()) fail_writes(Errc::io_error, "the connection to PostgreSQL was lost");
    return std::move(plan).error();
  }
  if (!plan->writes) return std::move(plan->outcomes);

  const std::string new_head = std::to_string(plan->head.position);
  const PgParam params[] = {sink.positions.encoded(),
                            sink.stream_ids.encoded(),
                            sink.stream_versions.encoded(),
                            sink.records.encoded(),
                            sink.keys.encoded(),
                            sink.remembered.encoded(),
                            new_head};
  PgResult inserted = writer_->exec(kInsertAppend, params);
  if (!inserted.ok()) {
    if (inserted.sqlstate() == kUniqueViolation) {
      return fail_writes(
          Errc::store_read_only,
          fmt::format("another writer appended to the log after position {}, which this writer "
                      "also meant to extend ({}): this writer stops rather than fork the log",
                      before.position, inserted.error_message()));
    }
    return fail_writes(Errc::io_error,
                       fmt::format("an append to PostgreSQL failed (its outcome is known only "
                                   "after a reopen): {}",
                                   inserted.error_message()));
  }

  // The events are durable: the append succeeded whatever happens to the local state below. A
  // failed local write leaves the state behind, which readers are told (inline_state_current).
  if (auto status = write_local_state(std::move(sink.state_writes), plan->head.position); !status) {
    fail_writes(Errc::store_read_only,
                fmt::format("positions up to {} are committed but the inline state could not be "
                            "written ({}): reopen to rebuild it",
                            plan->head.position, status.error().message));
  } else {
    inline_state_position_ = plan->head.position;
  }
  head_.publish(plan->head);
  return std::move(plan->outcomes);
}

Result<std::optional<std::string>> PostgresEventLog::read_state(std::string_view keyspace,
                                                                std::string_view key) const {
  if (auto refused = refuse_fold_keyspace(keyspace); !refused) return std::move(refused).error();
  if (auto status = state_readable(keyspace); !status) return std::move(status).error();
  return local_->read_state(keyspace, key);
}

Status PostgresEventLog::scan_state(std::string_view keyspace, std::string_view prefix,
                                    ReadDirection direction, const StateVisitor& visitor,
                                    std::string_view after_key) const {
  if (auto refused = refuse_fold_keyspace(keyspace); !refused) return std::move(refused).error();
  if (auto status = state_readable(keyspace); !status) return status;
  return local_->scan_state(keyspace, prefix, direction, visitor, after_key);
}

Status PostgresEventLog::write_state(std::span<const StateWrite> writes) {
  for (const auto& write : writes) {
    if (auto refused = refuse_fold_keyspace(write.keyspace); !refused) return refused;
  }
  return local_->write_state(writes);
}

Status PostgresEventLog::rebuild_keyspaces(std::span<const KeyspaceRebuild> keyspaces,
                                           const std::function<Status(FreshRows&)>& fill) {
  std::size_t inline_rebuilt = 0;
  for (const auto& keyspace : keyspaces) {
    if (auto refused = refuse_fold_keyspace(keyspace.keyspace); !refused) return refused;
    if (inline_keyspaces_.contains(keyspace.keyspace)) ++inline_rebuilt;
  }
  // A rebuild of inline keyspaces holds the appends and the follower's folds (which write those
  // keyspaces) until it is done: the head stays where the rebuild folds up to, and a node that
  // starts on a new state directory while the writer appends can rebuild at all.
  std::unique_lock<std::mutex> append_lock(append_mutex_, std::defer_lock);
  if (inline_rebuilt > 0) append_lock.lock();
  const std::uint64_t head = this->head().position;
  if (auto status = local_->rebuild_keyspaces(keyspaces, fill); !status) return status;
  // Every inline keyspace is now a fold of the log up to `head` (keyspaces are distinct: the
  // local store refuses one named twice).
  if (inline_rebuilt == inline_keyspaces_.size() && this->head().position == head &&
      inline_state_position_.load() < head) {
    if (auto status = write_local_state({}, head); !status) return status;
    inline_state_position_ = head;
  }
  return {};
}

Result<std::uint64_t> PostgresEventLog::keyspace_generation(std::string_view keyspace) const {
  if (auto refused = refuse_fold_keyspace(keyspace); !refused) return std::move(refused).error();
  return local_->keyspace_generation(keyspace);
}

Result<std::uint32_t> PostgresEventLog::keyspace_version(std::string_view keyspace) const {
  if (auto refused = refuse_fold_keyspace(keyspace); !refused) return std::move(refused).error();
  return local_->keyspace_version(keyspace);
}

Status PostgresEventLog::checkpoint_to(const std::string&) {
  return make_error(Errc::invalid_argument,
                    "a PostgreSQL log is backed up with PostgreSQL's own tools (pg_basebackup, "
                    "pg_dump); its local inline state is a fold that a rebuild restores");
}

LogHead PostgresEventLog::head() const { return head_.head(); }

bool PostgresEventLog::wait_for(std::uint64_t position, std::chrono::milliseconds timeout) const {
  return head_.wait_for(position, timeout);
}

std::uint64_t PostgresEventLog::subscribe(std::function<void(std::uint64_t)> on_append) {
  return head_.subscribe(std::move(on_append));
}

void PostgresEventLog::unsubscribe(std::uint64_t handle) { head_.unsubscribe(handle); }

}  // namespace ledger::store
