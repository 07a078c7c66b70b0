// PostgresEventLog: reads of the log, each on a connection lent by the readers' pool, so that
// none waits for the writer. Records are fetched in position order, a page at a time.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "core/store/key_encoding.h"
#include "core/store/postgres_event_log.h"

namespace ledger::store {

namespace {

Error read_failure(std::string_view what, const PgResult& result) {
  return make_error(Errc::io_error, fmt::format("cannot {}: {}", what, result.error_message()));
}

// Decodes the `record` column (1) of every row.
Result<std::vector<events::Envelope>> decode_records(const PgResult& result) {
  std::vector<events::Envelope> envelopes;
  envelopes.reserve(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    const auto record = result.bytes(row, 1);
    events::Envelope envelope;
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      return make_error(Errc::corruption,
                        fmt::format("position {} does not decode", result.number(row, 0)));
    }
    envelopes.push_back(std::move(envelope));
  }
  return envelopes;
}

std::uint64_t as_bigint(std::uint64_t value) {
  return std::min<std::uint64_t>(value, std::numeric_limits<std::int64_t>::max());
}

}  // namespace

Result<std::uint64_t> PostgresEventLog::stream_version_on(PgConnection& connection,
                                                          std::string_view stream_id) const {
  const PgParam params[] = {stream_id};
  PgResult result = connection.exec(
      "SELECT stream_version FROM ledger_events WHERE stream_id = $1::bytea "
      "ORDER BY stream_version DESC LIMIT 1",
      params);
  if (!result.ok()) return read_failure("read a stream's version", result);
  return result.rows() == 0 ? std::uint64_t{0} : result.number(0, 0);
}

Result<std::uint64_t> PostgresEventLog::stream_version(std::string_view stream_id) const {
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  return stream_version_on(**reader, stream_id);
}

Result<std::vector<events::Envelope>> PostgresEventLog::read_stream(std::string_view stream_id,
                                                                    std::uint64_t from_version,
                                                                    ReadDirection direction,
                                                                    std::size_t limit) const {
  limit = std::min(limit, options_.store.read_limit_max);
  const bool forward = direction == ReadDirection::forward;
  const std::string version = big_endian_key(as_bigint(
      forward ? from_version
              : (from_version == 0 ? std::numeric_limits<std::uint64_t>::max() : from_version)));
  const std::string count = big_endian_key(limit);
  const PgParam params[] = {stream_id, version, count};
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  PgResult result = (*reader)->exec(
      forward ? "SELECT position, record FROM ledger_events WHERE stream_id = $1::bytea AND "
                "stream_version >= $2::bigint ORDER BY stream_version LIMIT $3::bigint"
              : "SELECT position, record FROM ledger_events WHERE stream_id = $1::bytea AND "
                "stream_version <= $2::bigint ORDER BY stream_version DESC LIMIT $3::bigint",
      params);
  if (!result.ok()) return read_failure("read a stream", result);
  return decode_records(result);
}

Result<std::vector<events::Envelope>> PostgresEventLog::read_all(std::uint64_t after_position,
                                                                 std::size_t limit) const {
  limit = std::min(limit, options_.store.read_limit_max);
  const std::string after = big_endian_key(as_bigint(after_position));
  const std::string count = big_endian_key(limit);
  const PgParam params[] = {after, count};
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  PgResult result = (*reader)->exec(
      "SELECT position, record FROM ledger_events WHERE position > $1::bigint "
      "ORDER BY position LIMIT $2::bigint",
      params);
  if (!result.ok()) return read_failure("read the log", result);
  return decode_records(result);
}

Status PostgresEventLog::scan_records(std::uint64_t after_position,
                                      const RecordVisitor& visitor) const {
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  return scan_records_on(**reader, after_position, std::numeric_limits<std::size_t>::max(),
                         visitor);
}

Status PostgresEventLog::scan_records_on(PgConnection& connection, std::uint64_t after_position,
                                         std::size_t records_max,
                                         const RecordVisitor& visitor) const {
  std::size_t visited = 0;
  while (visited < records_max) {
    const std::size_t page = std::min(options_.scan_page_records, records_max - visited);
    const std::string after = big_endian_key(as_bigint(after_position));
    const std::string count = big_endian_key(page);
    const PgParam params[] = {after, count};
    PgResult result = connection.exec(
        "SELECT position, record FROM ledger_events WHERE position > $1::bigint "
        "ORDER BY position LIMIT $2::bigint",
        params);
    if (!result.ok()) return read_failure("scan the log", result);
    for (int row = 0; row < result.rows(); ++row) {
      after_position = result.number(row, 0);
      ++visited;
      if (!visitor(after_position, result.bytes(row, 1))) return {};
    }
    if (static_cast<std::size_t>(result.rows()) < page) break;
  }
  return {};
}

Result<std::optional<events::IdempotencyRecord>> PostgresEventLog::find_idempotency_on(
    PgConnection& connection, std::string_view key) const {
  const PgParam params[] = {key};
  PgResult result =
      connection.exec("SELECT record FROM ledger_idempotency WHERE key = $1::bytea", params);
  if (!result.ok()) return read_failure("read an idempotency record", result);
  if (result.rows() == 0) return std::optional<events::IdempotencyRecord>();
  events::IdempotencyRecord record;
  const auto bytes = result.bytes(0, 0);
  if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(Errc::corruption, "an idempotency record does not decode");
  }
  return std::optional<events::IdempotencyRecord>(std::move(record));
}

Result<std::optional<events::IdempotencyRecord>> PostgresEventLog::find_idempotency(
    std::string_view key) const {
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  return find_idempotency_on(**reader, key);
}

}  // namespace ledger::store
