// What every API handler works with: the log (reads), the ledger (commands), the clock, id
// generation, the pool for slow work (password hashing), the rate limiter and the queries waiting
// for their X-Min-Position, plus the options.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/code_mac_key.h"
#include "core/domain/ledger.h"
#include "core/domain/zip_archive.h"
#include "core/id_generator.h"
#include "core/password_hasher.h"
#include "core/store/blob_store.h"
#include "core/store/event_log.h"
#include "core/store/keyspace_writes.h"
#include "http/min_position_waiters.h"
#include "http/rate_limiter.h"
#include "http/stream_tickets.h"
#include "http/token_cache.h"
#include "projections/projection_registry.h"

namespace ledger::http {

struct ApiOptions {
  std::string webhook_secret;  // HMAC key of the payment provider; empty: webhook refused
  std::string backup_dir;      // where POST /api/admin/backup/ writes; empty: backups refused
  std::int64_t token_lifetime_us = 30 * kMicrosPerDay;
  // X-Min-Position: how long a query waits for its position, how far past the log's head it may
  // be (further: 400 at once, as no write can come that far while it waits) and how many
  // queries wait at once (beyond: 503 overloaded with Retry-After).
  std::chrono::milliseconds min_position_wait{2000};
  std::uint64_t min_position_ahead_max = 10'000;
  std::size_t min_position_waiters_max = 1'000;
  PasswordHashOptions password_hashing;
  // Verification codes are stored as MACs under this key. ledgerd loads it from
  // DATA_DIR/secrets/code-mac-key; the default, a random key of this process, suits tests.
  CodeMacKey code_mac_key = CodeMacKey::generate();
  RateLimit login_limit{10, 10};         // per IP and per email: 10 at once, then 10 a minute
  RateLimit redeem_limit{10, 10};        // per user
  RateLimit redeem_ip_limit{60, 60};     // per IP (many accounts behind one address)
  RateLimit verify_limit{5, 5};          // per email
  RateLimit register_limit{20, 20};      // per IP
  RateLimit password_reset_limit{5, 5};  // per email, for asking a reset and for using its token
  std::uint64_t upload_bytes_max = 50ULL << 20;  // a website version's zip file
  domain::ZipLimits upload_zip_limits;           // its entries (unpacked size 500 MiB)
  StreamTicketOptions stream_tickets;            // EventSource's tickets: 60 s, single use
  TokenCacheOptions token_cache;                 // authenticated tokens kept: 100,000
};

class Metrics;          // http/metrics.h
class WriterForwarder;  // http/writer_forwarder.h

struct ApiContext {
  store::EventLog& log;
  domain::Ledger& ledger;
  const Clock& clock;
  IdGenerator& ids;
  boost::asio::thread_pool& slow_work;
  RateLimiter& limiter;
  ApiOptions options;
  projections::ProjectionRegistry* projections = nullptr;  // the asynchronous read models
  store::BlobStore* blobs = nullptr;
  const Metrics* metrics = nullptr;  // what GET /metrics renders; none: it answers 404  // uploaded
                                     // files (DATA_DIR/blobs); none: uploads refused
  // A follower's way to the writer (http/writer_routing.h); none: every route is served here.
  WriterForwarder* forwarder = nullptr;
  // The notification stream's tickets (in memory: see http/stream_tickets.h).
  StreamTickets stream_tickets{options.stream_tickets};
  // The local store's count of row writes (RocksDbEventLog / PostgresEventLog::keyspace_writes):
  // with it, `authenticate` answers from `token_cache` while no identity row has been written
  // since (http/token_cache.h); none: every request reads the token's and the user's rows.
  const store::KeyspaceWrites* keyspace_writes = nullptr;
  // Who each recently seen bearer token authenticates. Filled and read by `authenticate`, which
  // takes the context as const: the cache is its own lock and changes no answer.
  mutable TokenCache token_cache{options.token_cache};
  // Queries parked until their X-Min-Position (last: stopped before the rest of the context goes).
  MinPositionWaiters min_position_waiters;
};

}  // namespace ledger::http
