// PgConnection and PgResult: a thin RAII layer over libpq for the PostgreSQL event log
// (postgres_event_log.h). Every statement is sent with bound parameters in binary format and
// answers in binary format: data never becomes part of SQL text. Parameter types come from casts
// in the statement ($1::bigint, $2::bytea[]); binary bigints are 8 bytes big-endian, bytea and
// text are their raw bytes, and arrays use PostgreSQL's binary array layout (PgArray).
//
// A connection is used by one thread at a time; PgConnectionPool lends connections to readers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace ledger::store {

class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  // True when the statement succeeded (with or without rows).
  bool ok() const;
  // The SQLSTATE of a failure ("23505" for a unique violation); empty on success.
  std::string sqlstate() const;
  // The server's (or libpq's) message for a failure, on one line.
  std::string error_message() const;

  int rows() const;
  bool is_null(int row, int column) const;
  std::string_view bytes(int row, int column) const;
  // A binary bigint column.
  std::uint64_t number(int row, int column) const;

 private:
  pg_result* result_;
};

// A binary parameter's bytes (not owned: they must outlive the call).
using PgParam = std::string_view;

// One-dimensional array parameters in PostgreSQL's binary layout.
class PgArray {
 public:
  static constexpr std::uint32_t kBigintOid = 20;
  static constexpr std::uint32_t kByteaOid = 17;

  explicit PgArray(std::uint32_t element_oid) : element_oid_(element_oid) {}
  void add(std::string_view element);
  void add_number(std::uint64_t element);
  std::size_t size() const { return count_; }
  // The encoded array (valid until the next add).
  const std::string& encoded();

 private:
  std::uint32_t element_oid_;
  std::size_t count_ = 0;
  std::string elements_;
  std::string encoded_;
};

class PgConnection {
 public:
  // Connects to `url` (a libpq connection URI or key=value string). Fails with io_error saying
  // why.
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PgResult exec(const char* sql, std::span<const PgParam> params = {});
  // Runs one statement (or several without parameters); Ok or io_error naming `what`.
  Status run(const char* sql, std::string_view what, std::span<const PgParam> params = {});
  // False once the server connection is lost.
  bool healthy() const;
  // For a connection between statements (not listening): false when it is lost or the server
  // sent it anything unasked, which for an idle session means it is being closed (a terminated
  // backend, a server shutting down or gone after a failover). Never blocks.
  bool idle_and_open() const;

  // Waits up to `timeout` for a notification on a channel this session LISTENs to, or for
  // `wake_fd` (when not -1) to become readable. True when notifications arrived (all are
  // consumed: they only wake the listener); io_error when the connection is lost.
  Result<bool> await_notification(std::chrono::milliseconds timeout, int wake_fd);

 private:
  explicit PgConnection(pg_conn* connection) : connection_(connection) {}
  pg_conn* connection_;
};

// Connections for readers, opened on demand up to `connections_max`; a reader waits while all of
// them are lent. A connection found broken when returned, or closed by the server while idle
// (idle_and_open), is dropped and replaced on demand: after a failover, readers reconnect through
// the URL (a multi-host URL reaches the new primary) instead of failing once per idle connection.
class PgConnectionPool {
 public:
  PgConnectionPool(std::string url, std::size_t connections_max)
      : url_(std::move(url)), connections_max_(connections_max) {}

  class Lease {
   public:
    Lease(PgConnectionPool& pool, std::unique_ptr<PgConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgConnection& operator*() const { return *connection_; }
    PgConnection* operator->() const { return connection_.get(); }

   private:
    PgConnectionPool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<PgConnection> connection);

  std::string url_;
  std::size_t connections_max_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t lent_ = 0;
};

}  // namespace ledger::store
