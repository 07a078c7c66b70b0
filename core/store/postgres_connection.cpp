#include "core/store/postgres_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "core/assert.h"
#include "core/store/key_encoding.h"

namespace ledger::store {

namespace {

void append_int32(std::string* out, std::uint32_t value) {
  const char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                         static_cast<char>(value >> 8), static_cast<char>(value)};
  out->append(bytes, 4);
}

std::string one_line(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

}  // namespace

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

bool PgResult::ok() const {
  if (result_ == nullptr) return false;
  const auto status = PQresultStatus(result_);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string PgResult::sqlstate() const {
  if (result_ == nullptr) return {};
  const char* state = PQresultErrorField(result_, PG_DIAG_SQLSTATE);
  return state == nullptr ? std::string() : std::string(state);
}

std::string PgResult::error_message() const {
  if (result_ == nullptr) return "no answer from PostgreSQL (out of memory?)";
  return one_line(PQresultErrorMessage(result_));
}

int PgResult::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }

bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view PgResult::bytes(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::uint64_t PgResult::number(int row, int column) const {
  const auto value = bytes(row, column);
  LEDGER_ASSERT(value.size() == 8, "a binary bigint is 8 bytes");
  return read_big_endian(value);
}

void PgArray::add(std::string_view element) {
  append_int32(&elements_, static_cast<std::uint32_t>(element.size()));
  elements_.append(element);
  ++count_;
}

void PgArray::add_number(std::uint64_t element) {
  append_int32(&elements_, 8);
  append_big_endian(&elements_, element);
  ++count_;
}

const std::string& PgArray::encoded() {
  encoded_.clear();
  encoded_.reserve(20 + elements_.size());
  // Dimensions, "has nulls", element type; then per dimension its size and lower bound (1).
  // An empty array has no dimension.
  append_int32(&encoded_, count_ == 0 ? 0 : 1);
  append_int32(&encoded_, 0);
  append_int32(&encoded_, element_oid_);
  if (count_ > 0) {
    append_int32(&encoded_, static_cast<std::uint32_t>(count_));
    append_int32(&encoded_, 1);
  }
  encoded_.append(elements_);
  return encoded_;
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& url) {
  pg_conn* connection = PQconnectdb(url.c_str());
  if (connection == nullptr) {
    return make_error(Errc::io_error, "cannot connect to PostgreSQL: out of memory");
  }
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = one_line(PQerrorMessage(connection));
    PQfinish(connection);
    return make_error(Errc::io_error, fmt::format("cannot connect to PostgreSQL: {}", message));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(connection));
}

PgConnection::~PgConnection() { PQfinish(connection_); }

PgResult PgConnection::exec(const char* sql, std::span<const PgParam> params) {
  constexpr std::size_t kParamsMax = 16;
  LEDGER_ASSERT(params.size() <= kParamsMax, "too many statement parameters");
  const char* values[kParamsMax];
  int lengths[kParamsMax];
  int formats[kParamsMax];
  for (std::size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].data();
    lengths[i] = static_cast<int>(params[i].size());
    formats[i] = 1;
  }
  return PgResult(PQexecParams(connection_, sql, static_cast<int>(params.size()), nullptr, values,
                               lengths, formats, /*resultFormat=*/1));
}

Status PgConnection::run(const char* sql, std::string_view what, std::span<const PgParam> params) {
  PgResult result = params.empty() ? PgResult(PQexec(connection_, sql)) : exec(sql, params);
  if (!result.ok()) {
    return make_error(Errc::io_error, fmt::format("cannot {}: {}", what, result.error_message()));
  }
  return {};
}

bool PgConnection::healthy() const { return PQstatus(connection_) == CONNECTION_OK; }

bool PgConnection::idle_and_open() const {
  if (!healthy()) return false;
  const int socket = PQsocket(connection_);
  if (socket < 0) return false;
  pollfd watched = {socket, POLLIN, 0};
  return ::poll(&watched, 1, 0) == 0;
}

Result<bool> PgConnection::await_notification(std::chrono::milliseconds timeout, int wake_fd) {
  const auto drain = [this] {
    bool heard = false;
    while (PGnotify* notification = PQnotifies(connection_)) {
      heard = true;
      PQfreemem(notification);
    }
    return heard;
  };
  if (drain()) return true;
  const int socket = PQsocket(connection_);
  if (socket < 0) return make_error(Errc::io_error, "the PostgreSQL connection is closed");
  pollfd watched[2] = {{socket, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  const int ready = ::poll(watched, wake_fd < 0 ? 1 : 2, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) {
    return make_error(Errc::io_error, fmt::format("cannot wait for PostgreSQL: errno {}", errno));
  }
  if (ready > 0 && watched[0].revents != 0) {
    if (PQconsumeInput(connection_) == 0) {
      return make_error(Errc::io_error, fmt::format("the PostgreSQL connection was lost: {}",
                                                    one_line(PQerrorMessage(connection_))));
    }
  }
  return drain();
}

PgConnectionPool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

Result<PgConnectionPool::Lease> PgConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] { return !idle_.empty() || lent_ < connections_max_; });
  while (!idle_.empty() && !idle_.back()->idle_and_open()) idle_.pop_back();
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    ++lent_;
    return Lease(*this, std::move(connection));
  }
  ++lent_;
  lock.unlock();
  auto connection = PgConnection::connect(url_);
  if (!connection) {
    lock.lock();
    --lent_;
    released_.notify_one();
    return std::move(connection).error();
  }
  return Lease(*this, std::move(connection).value());
}

void PgConnectionPool::release(std::unique_ptr<PgConnection> connection) {
  {
    std::lock_guard lock(mutex_);
    --lent_;
    if (connection->healthy()) idle_.push_back(std::move(connection));
  }
  released_.notify_one();
}

}  // namespace ledger::store
