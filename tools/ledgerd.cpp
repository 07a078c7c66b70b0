// ledgerd: the ledger server. Opens the store in DATA_DIR (or, with --store postgresql://..., the
// event log in PostgreSQL and the read models in DATA_DIR), starts the sequencer and the HTTP
// server, prints "listening on http://HOST:PORT" when ready, and on SIGTERM or SIGINT drains
// in-flight requests and closes the store cleanly. --print-openapi prints the OpenAPI document
// and exits (scripts/check-openapi lints it and compiles a client from it).
//
// Every option may also come from the environment: --data-dir from LEDGER_DATA_DIR, --listen
// from LEDGER_LISTEN, and so on (upper case, dashes as underscores, prefix LEDGER_).
#include <signal.h>

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/asio/thread_pool.hpp>

#include "core/clock.h"
#include "core/code_mac_key.h"
#include "core/domain/deadline_sweeper.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/domain/record_folder.h"
#include "core/id_generator.h"
#include "core/sequencer.h"
#include "core/store/allocator_tuning.h"
#include "core/store/postgres_event_log.h"
#include "core/store/rocksdb_event_log.h"
#include "core/store/write_resumer.h"
#include "http/api_context.h"
#include "http/cors.h"
#include "http/initial_admin.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/route_table.h"
#include "http/router.h"
#include "http/routes/metrics_routes.h"
#include "http/sequencer_metrics.h"
#include "http/server.h"
#include "http/writer_forwarder.h"
#include "projections/email_delivery.h"
#include "projections/eml_directory_transport.h"
#include "projections/smtp_transport.h"
#include "replay/inline_rebuild.h"
#include "replay/node_store.h"
#include "replay/scan_progress.h"

namespace {

namespace po = boost::program_options;

struct Settings {
  std::string data_dir;
  std::string store;  // empty: RocksDB under data_dir; postgresql://...: the PostgreSQL log
  std::string listen;
  std::string config;
  std::size_t threads = 0;
  std::string webhook_secret;
  std::uint32_t password_cost = 15;
  std::size_t body_bytes_max = 1 << 20;
  std::uint64_t upload_mib_max = 50;
  std::uint64_t upload_unzipped_mib_max = 500;
  std::size_t header_bytes_max = 16 * 1024;
  std::uint64_t request_timeout_ms = 15'000;
  std::uint64_t idle_timeout_ms = 60'000;
  std::size_t connections_max = 10'000;
  std::uint64_t token_lifetime_hours = 30 * 24;
  std::uint64_t sweep_interval_ms = 60'000;
  std::uint64_t resume_interval_ms = 1'000;
  double login_limit = 10;
  std::string backup_dir;
  std::uint64_t email_interval_ms = 5'000;
  std::string email_from = "no-reply@localhost";
  std::string smtp_relay;
  bool smtp_starttls = false;
  std::string smtp_ca_file;
  std::string smtp_user;
  std::string smtp_password;
  std::uint64_t min_position_wait_ms = 2'000;
  std::uint64_t follow_poll_ms = 1'000;
  std::uint64_t lease_timeout_ms = 5'000;
  std::string metrics_listen;
  std::vector<std::string> cors_origins;
  std::string advertise_url;     // PostgreSQL: this node's URL, published while it writes
  std::string node_secret_file;  // PostgreSQL: the nodes' shared secret; unset: no forwarding
};

// The accepted range of a numeric option, checked at start whatever the value's source (command
// line, environment, --config): a value out of range is refused with exit code 2 rather than
// served with (a lifetime of 0 hours made every login fail; 2^64-1 overflowed).
struct OptionRange {
  const char* option;
  std::uint64_t value;
  std::uint64_t min;
  std::uint64_t max;
  const char* unit;
};

std::vector<OptionRange> numeric_ranges(const Settings& settings) {
  return {
      {"threads", settings.threads, 0, 256, "threads (0: one per core)"},
      {"password-cost", settings.password_cost, 10, 20, "(log2 of scrypt's N)"},
      {"body-limit", settings.body_bytes_max, 1024, 64 << 20, "bytes"},
      {"header-limit", settings.header_bytes_max, 1024, 1 << 20, "bytes"},
      {"upload-limit-mib", settings.upload_mib_max, 1, 4096, "MiB"},
      {"upload-unzipped-limit-mib", settings.upload_unzipped_mib_max, 1, 1'048'576, "MiB"},
      {"request-timeout-ms", settings.request_timeout_ms, 100, 3'600'000, "ms"},
      {"idle-timeout-ms", settings.idle_timeout_ms, 100, 86'400'000, "ms"},
      {"max-connections", settings.connections_max, 1, 1'000'000, "connections"},
      {"token-lifetime-hours", settings.token_lifetime_hours, 1, 87'600, "hours"},
      {"sweep-interval-ms", settings.sweep_interval_ms, 10, 86'400'000, "ms"},
      {"resume-interval-ms", settings.resume_interval_ms, 10, 3'600'000, "ms"},
      {"email-interval-ms", settings.email_interval_ms, 10, 86'400'000, "ms"},
      {"min-position-wait-ms", settings.min_position_wait_ms, 1, 60'000, "ms"},
      {"follow-poll-ms", settings.follow_poll_ms, 10, 60'000, "ms"},
      {"lease-timeout-ms", settings.lease_timeout_ms, 20, 600'000, "ms"},
  };
}

using ListenAddress = std::pair<std::string, std::uint16_t>;

// IP:PORT (port 0 picks a free one); nullopt when it is not that.
std::optional<ListenAddress> parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  const std::string host = listen.substr(0, colon);
  const std::string_view digits = std::string_view(listen).substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      port > 65535) {
    return std::nullopt;
  }
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  if (not_an_address) return std::nullopt;
  return ListenAddress(host, static_cast<std::uint16_t>(port));
}

// local@domain, printable ASCII without spaces, angle brackets or line breaks (it goes into a
// header line of every email).
bool valid_email_address(std::string_view address) {
  const auto at = address.find('@');
  if (address.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return std::all_of(address.begin(), address.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != ',' && c != '"';
  });
}

// Why `settings` cannot be served with (naming the option and what it accepts), if so.
std::optional<std::string> numeric_settings_error(const Settings& settings) {
  for (const auto& range : numeric_ranges(settings)) {
    if (range.value < range.min || range.value > range.max) {
      return fmt::format("--{} must be between {} and {} {}, got {}", range.option, range.min,
                         range.max, range.unit, range.value);
    }
  }
  // Not a whole number: NaN and infinities fail both comparisons.
  if (!(settings.login_limit >= 1 && settings.login_limit <= 1'000'000)) {
    return fmt::format("--login-limit must be between 1 and 1000000 attempts a minute, got {}",
                       settings.login_limit);
  }
  return std::nullopt;
}

std::optional<std::string> smtp_settings_error(const Settings& settings) {
  if (!valid_email_address(settings.email_from)) {
    // The value is not echoed: it may hold line breaks.
    return "--email-from must be an email address (local@domain, no spaces, line breaks or <>)";
  }
  if (!settings.smtp_ca_file.empty() && !std::filesystem::is_regular_file(settings.smtp_ca_file)) {
    return fmt::format("--smtp-ca-file must be a PEM file, '{}' is not a file",
                       settings.smtp_ca_file);
  }
  if (settings.smtp_relay.empty()) return std::nullopt;
  ledger::projections::SmtpSettings smtp;
  if (auto relay = ledger::projections::parse_smtp_relay(settings.smtp_relay, smtp); !relay) {
    return fmt::format("--smtp-relay: {}", relay.error().message);
  }
  if (!settings.smtp_user.empty() && !settings.smtp_starttls) {
    return "--smtp-user needs --smtp-starttls (credentials are only sent over TLS)";
  }
  return std::nullopt;
}

bool unspecified_address(const std::string& listen) {
  const auto address = boost::asio::ip::make_address(parse_listen(listen)->first);
  return address.is_unspecified();
}

// The options of nodes sharing a PostgreSQL log (--listen is checked before).
std::optional<std::string> cluster_settings_error(const Settings& settings) {
  const bool postgres = !settings.store.empty();
  if (!settings.advertise_url.empty()) {
    if (!postgres) return "--advertise-url is for nodes sharing a --store postgresql:// log";
    if (auto parsed = ledger::http::parse_node_url(settings.advertise_url); !parsed) {
      return fmt::format("--advertise-url: {}", parsed.error().message);
    }
  } else if (postgres && unspecified_address(settings.listen)) {
    return fmt::format(
        "--advertise-url is required with --store postgresql:// when --listen is {}: the other "
        "nodes need an address to forward commands to",
        settings.listen);
  }
  if (!settings.node_secret_file.empty() && !postgres) {
    return "--node-secret-file is for nodes sharing a --store postgresql:// log";
  }
  return std::nullopt;
}

// The nodes' shared secret from --node-secret-file: its first line, 16 to 200 printable ASCII
// characters (it travels in a header).
ledger::Result<std::string> load_node_secret(const std::string& path) {
  using namespace ledger;
  std::ifstream file(path);
  std::string secret;
  if (!file || !std::getline(file, secret)) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--node-secret-file: cannot read {}", path));
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  const bool printable =
      std::all_of(secret.begin(), secret.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (secret.size() < 16 || secret.size() > 200 || !printable) {
    return make_error(Errc::invalid_argument,
                      fmt::format("--node-secret-file: the secret in {} must be one line of 16 to "
                                  "200 printable characters without spaces",
                                  path));
  }
  return secret;
}

std::optional<std::string> settings_error(const Settings& settings) {
  if (auto error = numeric_settings_error(settings)) return error;
  if (settings.data_dir.empty()) return "--data-dir must name a directory";
  if (auto checked = ledger::replay::check_store_url(settings.store); !checked) {
    return checked.error().message;
  }
  if (settings.lease_timeout_ms < 2 * settings.follow_poll_ms) {
    return fmt::format("--lease-timeout-ms ({}) must be at least twice --follow-poll-ms ({})",
                       settings.lease_timeout_ms, settings.follow_poll_ms);
  }
  if (!parse_listen(settings.listen)) {
    return fmt::format("--listen must be IP:PORT (an IP address, a port 0-65535), got '{}'",
                       settings.listen);
  }
  if (!settings.metrics_listen.empty() && !parse_listen(settings.metrics_listen)) {
    return fmt::format("--metrics-listen must be IP:PORT (an IP address, a port 0-65535), got '{}'",
                       settings.metrics_listen);
  }
  for (const auto& origin : settings.cors_origins) {
    if (auto checked = ledger::http::check_cors_origin(origin); !checked) {
      return checked.error().message;
    }
  }
  if (auto error = cluster_settings_error(settings)) return error;
  if (!settings.webhook_secret.empty() && settings.webhook_secret.size() < 16) {
    return "--webhook-secret must be at least 16 characters (it is an HMAC key)";
  }
  return smtp_settings_error(settings);
}

// host:port as a URL authority (IPv6 hosts in brackets).
std::string listen_text(const std::string& listen, std::uint16_t port) {
  const std::string host = parse_listen(listen)->first;
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

// The metrics listener (--metrics-listen), with the API listener's limits and one thread; none
// when the option is unset.
ledger::Result<std::unique_ptr<ledger::http::HttpServer>> start_metrics_server(
    const Settings& settings, ledger::http::ServerOptions options,
    const ledger::http::Router& router) {
  if (settings.metrics_listen.empty()) return std::unique_ptr<ledger::http::HttpServer>();
  const auto listen = parse_listen(settings.metrics_listen);  // checked in main
  options.listen_host = listen->first;
  options.listen_port = listen->second;
  options.threads = 1;
  options.cors_origins.clear();  // for scrapers, not browsers
  auto server = std::make_unique<ledger::http::HttpServer>(options, router);
  if (auto started = server->start(); !started) return std::move(started).error();
  return server;
}

// Rebuilds, before anything reads or writes them, the inline keyspaces whose rows an older (or
// newer) version of their fold wrote: after an upgrade that changed what a fold writes, the
// server starts on rows its own code would have written. Progress on stderr; one line each.
bool rebuild_outdated_folds(ledger::store::EventLog& log) {
  using namespace ledger;
  const auto folds = domain::all_inline_folds();
  auto outdated = replay::outdated_folds(log, folds);
  if (!outdated) {
    std::fprintf(stderr, "ledgerd: %s\n", outdated.error().message.c_str());
    return false;
  }
  if (outdated->empty()) return true;
  // A new store has nothing to refold: it only records the versions, silently.
  const bool quiet = log.head().position == 0;
  std::vector<const domain::InlineFold*> rebuilt_folds;
  for (const auto& [fold, stored_version] : *outdated) {
    rebuilt_folds.push_back(fold);
    if (quiet) continue;
    std::printf(
        "ledgerd: read model %s was written by fold version %u, this build writes %u: "
        "rebuilding it from the log\n",
        std::string(fold->keyspace).c_str(), stored_version, fold->version);
  }
  std::fflush(stdout);
  replay::ScanProgress progress("rebuild inline", log.head().position, quiet);
  auto rebuilt = replay::rebuild_inline(log, rebuilt_folds,
                                        [&](std::uint64_t position) { progress.at(position); });
  if (!rebuilt) {
    std::fprintf(stderr, "ledgerd: cannot rebuild the outdated read models: %s\n",
                 rebuilt.error().message.c_str());
    return false;
  }
  for (const auto& keyspace : rebuilt->keyspaces) {
    if (quiet) break;
    std::printf("ledgerd: rebuilt %s: %llu events folded, %llu rows in %.1f s\n",
                keyspace.name.c_str(), static_cast<unsigned long long>(rebuilt->events),
                static_cast<unsigned long long>(keyspace.rows), progress.seconds());
  }
  std::fflush(stdout);
  return true;
}

// The event log: RocksDB under DATA_DIR/store, or (--store postgresql://...) the PostgreSQL log
// with its inline state under DATA_DIR/state, caught up with the log (replay/node_store.h).
ledger::Result<std::unique_ptr<ledger::store::EventLog>> open_event_log(const Settings& settings) {
  using namespace ledger;
  std::unique_ptr<replay::ScanProgress> progress;
  return replay::open_node_store(
      {settings.data_dir, settings.store, std::chrono::milliseconds(settings.follow_poll_ms),
       std::chrono::milliseconds(settings.lease_timeout_ms)},
      replay::NodeAccess::leased, {}, [&](std::uint64_t position, std::uint64_t head) {
        if (!progress) {
          std::printf(
              "ledgerd: the inline read models are folded up to a position before the log's "
              "head %llu: rebuilding them from the log\n",
              static_cast<unsigned long long>(head));
          std::fflush(stdout);
          progress = std::make_unique<replay::ScanProgress>("rebuild inline", head, false);
        }
        progress->at(position);
      });
}

int run(const Settings& settings) {
  using namespace ledger;
  const auto listen = parse_listen(settings.listen);  // checked in main
  std::error_code error;
  std::filesystem::create_directories(settings.data_dir, error);
  if (error) {
    std::fprintf(stderr, "ledgerd: cannot create %s: %s\n", settings.data_dir.c_str(),
                 error.message().c_str());
    return 1;
  }

  // Verification codes are stored as MACs under this key: without it no code can be checked.
  auto code_mac_key = load_or_create_code_mac_key(settings.data_dir);
  if (!code_mac_key) {
    std::fprintf(stderr, "ledgerd: %s\n", code_mac_key.error().message.c_str());
    return 1;
  }

  // Signals are taken by sigwait in main; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A file-size limit must read as a failed write (the store turns read-only), not kill us.
  ::signal(SIGXFSZ, SIG_IGN);

  auto log = open_event_log(settings);
  if (!log) {
    std::fprintf(stderr, "ledgerd: %s\n", log.error().message.c_str());
    return 1;
  }
  if (!rebuild_outdated_folds(**log)) return 1;
  SystemClock clock;
  Sequencer sequencer(**log, clock);
  sequencer.start();
  // After a storage fault (disk full) the store is read-only; this makes it writable again once
  // the fault is gone. The sequencer's caches are dropped as the store reloads its state.
  // (RocksDB only: a PostgreSQL log that stopped writing is reopened by restarting ledgerd.)
  std::optional<store::WriteResumer> resumer;
  if (auto* rocksdb = dynamic_cast<store::RocksDbEventLog*>(log->get())) {
    resumer.emplace(*rocksdb, [&sequencer] { sequencer.invalidate_cache(); });
    resumer->start(std::chrono::milliseconds(settings.resume_interval_ms));
  }
  domain::Ledger ledger(sequencer);
  IdGenerator ids(clock);
  boost::asio::thread_pool slow_work(2);  // password hashing, off the I/O threads
  http::RateLimiter limiter(clock);
  http::ApiOptions api_options;
  api_options.webhook_secret = settings.webhook_secret;
  api_options.backup_dir = settings.backup_dir.empty()
                               ? (std::filesystem::path(settings.data_dir) / "backups").string()
                               : settings.backup_dir;
  api_options.password_hashing.log2_cost = settings.password_cost;
  api_options.code_mac_key = *code_mac_key;
  api_options.login_limit = {settings.login_limit, settings.login_limit};
  api_options.token_lifetime_us =
      static_cast<std::int64_t>(settings.token_lifetime_hours) * kMicrosPerHour;
  api_options.upload_bytes_max = settings.upload_mib_max << 20;
  api_options.upload_zip_limits.uncompressed_bytes_max = settings.upload_unzipped_mib_max << 20;
  api_options.min_position_wait = std::chrono::milliseconds(settings.min_position_wait_ms);
  auto blobs = store::BlobStore::open(std::filesystem::path(settings.data_dir) / "blobs");
  if (!blobs) {
    std::fprintf(stderr, "ledgerd: %s\n", blobs.error().message.c_str());
    return 1;
  }
  http::ApiContext api{**log, ledger, clock, ids, slow_work, limiter, api_options};
  api.blobs = blobs->get();
  // Authenticated tokens are cached against the local rows' write count (http/token_cache.h).
  if (auto* rocksdb = dynamic_cast<store::RocksDbEventLog*>(log->get())) {
    api.keyspace_writes = &rocksdb->keyspace_writes();
  } else if (auto* postgres = dynamic_cast<store::PostgresEventLog*>(log->get())) {
    api.keyspace_writes = &postgres->keyspace_writes();
  }

  auto admin_password = http::ensure_initial_admin(ledger, **log, ids, settings.data_dir,
                                                   api_options.password_hashing);
  if (!admin_password) {
    std::fprintf(stderr, "ledgerd: cannot create the first admin: %s\n",
                 admin_password.error().message.c_str());
    sequencer.stop();
    return 1;
  }
  if (admin_password->has_value()) {
    // The password itself is never printed: logs are kept and shipped, the file is not.
    std::printf("ledgerd: created admin %s; its password is in %s/%s (mode 0600)\n",
                http::kInitialAdminEmail, settings.data_dir.c_str(),
                http::kInitialAdminPasswordFile);
  }

  projections::ProjectionRegistry projections(**log, clock);
  projections::add_server_projections(projections);
  if (auto started = projections.start(); !started) {
    std::fprintf(stderr, "ledgerd: cannot start the projections: %s\n",
                 started.error().message.c_str());
    sequencer.stop();
    return 1;
  }
  api.projections = &projections;

  std::unique_ptr<projections::EmailTransport> transport;
  if (settings.smtp_relay.empty()) {
    const auto outbox = (std::filesystem::path(settings.data_dir) / "outbox").string();
    transport = std::make_unique<projections::EmlDirectoryTransport>(outbox);
    std::printf("ledgerd: emails are written into %s (no --smtp-relay)\n", outbox.c_str());
  } else {
    projections::SmtpSettings smtp;
    // The relay was checked before the store was opened.
    (void)projections::parse_smtp_relay(settings.smtp_relay, smtp);
    smtp.starttls = settings.smtp_starttls;
    smtp.ca_file = settings.smtp_ca_file;
    smtp.username = settings.smtp_user;
    smtp.password = settings.smtp_password;
    transport = std::make_unique<projections::SmtpTransport>(std::move(smtp));
    std::printf("ledgerd: emails go to the SMTP relay %s%s\n", settings.smtp_relay.c_str(),
                settings.smtp_starttls ? " with STARTTLS" : "");
  }
  projections::EmailDelivery emails(**log, clock, std::move(transport), settings.email_from);
  emails.start(std::chrono::milliseconds(settings.email_interval_ms));

  domain::DeadlineSweeper sweeper(**log, ledger, clock, ids);
  sweeper.start(std::chrono::milliseconds(settings.sweep_interval_ms));

  http::Metrics metrics;
  metrics.add_source([&] {
    return http::render_sequencer_metrics(sequencer.stats(), (*log)->head(),
                                          (*log)->writable().ok());
  });
  http::Router router;
  metrics.add_source(
      [&api] { return http::render_min_position_waiters_metrics(api.min_position_waiters); });
  api.metrics = &metrics;
  auto* postgres = dynamic_cast<store::PostgresEventLog*>(log->get());
  std::unique_ptr<http::WriterForwarder> forwarder;
  if (postgres != nullptr && !settings.node_secret_file.empty()) {
    auto secret = load_node_secret(settings.node_secret_file);
    if (!secret) {
      std::fprintf(stderr, "ledgerd: %s\n", secret.error().message.c_str());
      sequencer.stop();
      return 1;
    }
    http::ForwardingOptions forwarding;
    forwarding.node_secret = std::move(*secret);
    forwarding.forward_timeout_ms = settings.request_timeout_ms;
    forwarder = std::make_unique<http::WriterForwarder>(
        std::move(forwarding),
        http::WriterLocator{[postgres] { return postgres->holds_lease(); },
                            [postgres] { return postgres->read_writer_url(); }});
    api.forwarder = forwarder.get();
  }
  http::add_declared_routes(router, api);

  http::ServerOptions server_options;
  server_options.listen_host = listen->first;
  server_options.listen_port = listen->second;
  server_options.threads = settings.threads;
  server_options.body_bytes_max = settings.body_bytes_max;
  server_options.header_bytes_max = settings.header_bytes_max;
  server_options.request_timeout_ms = settings.request_timeout_ms;
  server_options.idle_timeout_ms = settings.idle_timeout_ms;
  server_options.connections_max = settings.connections_max;
  server_options.cors_origins = settings.cors_origins;
  http::HttpServer server(server_options, router,
                          [&metrics](std::string_view route, boost::beast::http::verb method,
                                     unsigned status, std::uint64_t latency_us) {
                            metrics.record_request(route, method, status, latency_us);
                          });
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "ledgerd: %s\n", started.error().message.c_str());
    return 1;
  }
  http::Router metrics_router;
  http::add_metrics_listener_routes(metrics_router, api);
  auto metrics_server = start_metrics_server(settings, server_options, metrics_router);
  if (!metrics_server) {
    std::fprintf(stderr, "ledgerd: --metrics-listen: %s\n", metrics_server.error().message.c_str());
    return 1;
  }
  // The PostgreSQL URL is not printed: it may carry a password.
  const std::string store_text =
      settings.store.empty()
          ? (std::filesystem::path(settings.data_dir) / "store").string()
          : "postgresql (read models in " +
                (std::filesystem::path(settings.data_dir) / "state").string() +
                ((*log)->writable().ok() ? ", writer)" : ", following the writer)");
  std::printf("ledgerd: store %s at position %llu\n", store_text.c_str(),
              static_cast<unsigned long long>((*log)->head().position));
  if (*metrics_server) {
    std::printf("metrics on http://%s/metrics\n",
                listen_text(settings.metrics_listen, (*metrics_server)->port()).c_str());
  }
  if (postgres != nullptr) {
    const std::string advertised =
        !settings.advertise_url.empty()
            ? settings.advertise_url
            : fmt::format("http://{}", listen_text(settings.listen, server.port()));
    // Published now if this node writes, else whenever it takes the lease.
    if (auto published = postgres->advertise_writer_url(advertised); !published) {
      std::fprintf(stderr, "ledgerd: %s\n", published.error().message.c_str());
    }
    std::printf(
        "ledgerd: advertised as %s while this node writes; commands reaching it while it "
        "follows are %s\n",
        advertised.c_str(),
        forwarder ? "forwarded to the writer" : "refused (no --node-secret-file)");
  }
  std::printf("listening on http://%s:%u\n", listen->first.c_str(), server.port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::printf("ledgerd: %s received, draining\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  // Parked queries are answered (503 shutting_down) while the server can still send.
  api.min_position_waiters.stop();
  if (*metrics_server) (*metrics_server)->stop();
  server.stop();
  if (forwarder) forwarder->stop();
  sweeper.stop();
  emails.stop();
  slow_work.join();
  projections.stop();
  if (resumer) resumer->stop();
  sequencer.stop();
  log->reset();
  std::printf("ledgerd: store closed\n");
  return 0;
}

}  // namespace

// An exception that reaches main is a bug we did not foresee: std::terminate names it and aborts.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  ledger::store::tune_allocator_for_store();
  Settings settings;
  po::options_description options("ledgerd options");
  options.add_options()("help,h", "show this help")(
      "print-openapi", "print the OpenAPI document served at GET /openapi.json and exit")(
      "data-dir", po::value(&settings.data_dir)->default_value("./data"),
      "directory holding the store (created when missing)")(
      "store", po::value(&settings.store),
      "where the event log lives: unset, RocksDB under DATA_DIR/store; "
      "postgresql://USER@HOST:PORT/DB, that PostgreSQL database (tables created when missing), "
      "with the read models in DATA_DIR/state; of the nodes sharing one database, the one holding "
      "the writer lease writes, the others follow it (forwarding commands to it with "
      "--node-secret-file, else answering them 503 store_read_only) and one takes over when the "
      "writer's session ends")("listen",
                               po::value(&settings.listen)->default_value("127.0.0.1:8080"),
                               "HOST:PORT to serve HTTP on (port 0 picks a free one)")(
      "threads", po::value(&settings.threads)->default_value(0),
      "HTTP I/O threads (0: one per core)")(
      "config", po::value(&settings.config),
      "a file of option=value lines (command line and environment take precedence)")(
      "webhook-secret", po::value(&settings.webhook_secret),
      "HMAC-SHA256 key of the payment provider's webhook (unset: webhook refused)")(
      "password-cost", po::value(&settings.password_cost)->default_value(15),
      "scrypt work factor for new password hashes, as log2 N (10-20)")(
      "body-limit", po::value(&settings.body_bytes_max)->default_value(1 << 20),
      "largest request body in bytes (larger: 413); uploads have their own limit")(
      "upload-limit-mib", po::value(&settings.upload_mib_max)->default_value(50),
      "largest website version zip file in MiB (larger: 413)")(
      "upload-unzipped-limit-mib", po::value(&settings.upload_unzipped_mib_max)->default_value(500),
      "largest total unpacked size a website version zip may declare, in MiB (larger: 400)")(
      "header-limit", po::value(&settings.header_bytes_max)->default_value(16 * 1024),
      "largest request header block in bytes (larger: 431)")(
      "request-timeout-ms", po::value(&settings.request_timeout_ms)->default_value(15'000),
      "a request must arrive whole within this")(
      "idle-timeout-ms", po::value(&settings.idle_timeout_ms)->default_value(60'000),
      "an idle keep-alive connection is closed after this")(
      "max-connections", po::value(&settings.connections_max)->default_value(10'000),
      "connections served at once")(
      "token-lifetime-hours", po::value(&settings.token_lifetime_hours)->default_value(30 * 24),
      "how long a login token is valid")(
      "sweep-interval-ms", po::value(&settings.sweep_interval_ms)->default_value(60'000),
      "how often invoice deadlines, subscription renewals (and the grace periods of renewal "
      "invoices), hold expiries, task due dates and pending course purchases are checked")(
      "resume-interval-ms", po::value(&settings.resume_interval_ms)->default_value(1'000),
      "after a storage fault (disk full), how often the store tries to take writes again")(
      "login-limit", po::value(&settings.login_limit)->default_value(10),
      "login attempts per minute (and at once) per address and per email")(
      "backup-dir", po::value(&settings.backup_dir),
      "where online backups (POST /api/admin/backup/) go; default DATA_DIR/backups")(
      "email-interval-ms", po::value(&settings.email_interval_ms)->default_value(5'000),
      "how often queued emails are delivered")(
      "email-from", po::value(&settings.email_from)->default_value("no-reply@localhost"),
      "sender address of every email")(
      "smtp-relay", po::value(&settings.smtp_relay),
      "HOST:PORT of the SMTP relay (unset: emails are written as .eml files into "
      "DATA_DIR/outbox/)")("smtp-starttls", po::bool_switch(&settings.smtp_starttls),
                           "require STARTTLS with a verified certificate (never downgraded)")(
      "smtp-ca-file", po::value(&settings.smtp_ca_file),
      "PEM file of the CAs trusted for the relay (default: the system's)")(
      "smtp-user", po::value(&settings.smtp_user),
      "AUTH PLAIN user (sent only with --smtp-starttls)")(
      "smtp-password", po::value(&settings.smtp_password),
      "AUTH PLAIN password (prefer LEDGER_SMTP_PASSWORD or --config; never printed)")(
      "min-position-wait-ms", po::value(&settings.min_position_wait_ms)->default_value(2'000),
      "how long a query waits for its X-Min-Position (1-60000)")(
      "follow-poll-ms", po::value(&settings.follow_poll_ms)->default_value(1'000),
      "with --store postgresql://: how often a follower reads the log unnotified, tries the "
      "writer lease, and the writer renews it")(
      "lease-timeout-ms", po::value(&settings.lease_timeout_ms)->default_value(5'000),
      "with --store postgresql://: a writer that has not renewed its lease for this long (frozen "
      "or cut off) has its PostgreSQL session ended by the next node to take the lease (at least "
      "twice --follow-poll-ms; the same on every node)")(
      "metrics-listen", po::value(&settings.metrics_listen),
      "IP:PORT of a listener serving only GET /metrics without a token, for scrapers (unset: "
      "none; on the API listener /metrics needs an admin token)")(
      "cors-origin", po::value(&settings.cors_origins)->composing(),
      "an origin (scheme://host[:port], exact) whose web pages may call the API from a browser; "
      "repeatable (unset: none). Preflights are answered from the route table; see "
      "docs/SECURITY.md")(
      "advertise-url", po::value(&settings.advertise_url),
      "with --store postgresql://: http://HOST:PORT at which the other nodes reach this one; "
      "published in the database while this node writes, for followers to forward commands to "
      "(default: http://LISTEN when --listen is not 0.0.0.0 or ::, where it is required)")(
      "node-secret-file", po::value(&settings.node_secret_file),
      "with --store postgresql://: a file whose first line (16-200 printable characters) is the "
      "secret every node of the database shares; a follower then forwards commands to the "
      "writer, proving with it that it is a node (unset: a follower answers commands 503 "
      "store_read_only); see docs/follower-forwarding.md");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::store(po::parse_environment(options,
                                    [&](const std::string& variable) -> std::string {
                                      if (!variable.starts_with("LEDGER_")) return "";
                                      std::string name = variable.substr(7);
                                      for (auto& c : name)
                                        c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
                                      return options.find_nothrow(name, false) ? name : "";
                                    }),
              values);
    if (values.count("config")) {
      po::store(po::parse_config_file<char>(values["config"].as<std::string>().c_str(), options),
                values);
    }
    po::notify(values);
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledgerd: %s\n", error.what());
    return 2;
  }
  if (values.count("help")) {
    std::cout
        << "usage: ledgerd [--data-dir DIR] [--listen HOST:PORT] [--config FILE] [options]\n\n"
        << options;
    return 0;
  }
  if (values.count("print-openapi")) {
    std::cout << ledger::http::openapi_document().dump(2) << '\n';
    return 0;
  }
  if (auto error = settings_error(settings)) {
    std::fprintf(stderr, "ledgerd: %s\n", error->c_str());
    return 2;
  }
  return run(settings);
}
