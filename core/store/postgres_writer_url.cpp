// PostgresEventLog: the writer's address (see "The writer's address" in postgres_event_log.h).
#include <fmt/format.h>

#include "core/assert.h"
#include "core/store/postgres_event_log.h"

namespace ledger::store {

namespace {

constexpr char kPublishWriterUrl[] = R"sql(
INSERT INTO ledger_meta (name, value) VALUES ('writer_url', $1)
  ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
)sql";
constexpr char kReadWriterUrl[] = "SELECT value FROM ledger_meta WHERE name = 'writer_url'";

}  // namespace

Status PostgresEventLog::advertise_writer_url(std::string url) {
  std::lock_guard append_lock(append_mutex_);
  advertised_url_ = std::move(url);
  if (!leading_.load() && options_.role != PostgresRole::writer) return {};
  return publish_writer_url();
}

Status PostgresEventLog::publish_writer_url() {
  if (advertised_url_.empty() || !writer_) return {};
  const PgParam params[] = {advertised_url_};
  // Over the writer's own session: once that session is gone, so is this node's right to say
  // where the writer is.
  PgResult published = writer_->exec(kPublishWriterUrl, params);
  if (!published.ok()) {
    return make_error(Errc::io_error, fmt::format("cannot publish the writer's address: {}",
                                                  published.error_message()));
  }
  return {};
}

Result<std::string> PostgresEventLog::read_writer_url() const {
  auto reader = readers_.acquire();
  if (!reader) return std::move(reader).error();
  PgResult found = (*reader)->exec(kReadWriterUrl);
  if (!found.ok()) {
    return make_error(Errc::io_error,
                      fmt::format("cannot read the writer's address: {}", found.error_message()));
  }
  LEDGER_ASSERT(found.rows() <= 1, "ledger_meta has one row a name");
  if (found.rows() == 0) return std::string();
  return std::string(found.bytes(0, 0));
}

}  // namespace ledger::store
