// ledgerd: the ledger server. Opens the store in DATA_DIR, starts the sequencer and the HTTP
// server, prints "listening on http://HOST:PORT" when ready, and on SIGTERM or SIGINT drains
// in-flight requests and closes the store cleanly.
//
// Every option may also come from the environment: --data-dir from LEDGER_DATA_DIR, --listen
// from LEDGER_LISTEN, and so on (upper case, dashes as underscores, prefix LEDGER_).
#include <signal.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/clock.h"
#include "core/sequencer.h"
#include "core/store/allocator_tuning.h"
#include "core/store/rocksdb_event_log.h"
#include "http/router.h"
#include "http/routes/health_routes.h"
#include "http/routes/ledger_routes.h"
#include "http/routes/metrics_routes.h"
#include "http/sequencer_metrics.h"
#include "http/server.h"

namespace {

namespace po = boost::program_options;

struct Settings {
  std::string data_dir;
  std::string listen;
  std::size_t threads = 0;
};

std::optional<std::pair<std::string, std::uint16_t>> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) return std::nullopt;
    return std::make_pair(listen.substr(0, colon), static_cast<std::uint16_t>(port));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int run(const Settings& settings) {
  using namespace ledger;
  const auto listen = split_listen(settings.listen);
  if (!listen) {
    std::fprintf(stderr, "ledgerd: --listen must be HOST:PORT, got '%s'\n",
                 settings.listen.c_str());
    return 2;
  }
  std::error_code error;
  std::filesystem::create_directories(settings.data_dir, error);
  if (error) {
    std::fprintf(stderr, "ledgerd: cannot create %s: %s\n", settings.data_dir.c_str(),
                 error.message().c_str());
    return 1;
  }

  // Signals are taken by sigwait in main; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  store::StoreOptions store_options;
  store_options.path = (std::filesystem::path(settings.data_dir) / "store").string();
  auto log = store::RocksDbEventLog::open(store_options);
  if (!log) {
    std::fprintf(stderr, "ledgerd: %s\n", log.error().message.c_str());
    return 1;
  }
  SystemClock clock;
  Sequencer sequencer(**log, clock);
  sequencer.start();

  http::Metrics metrics;
  metrics.add_source([&] {
    return http::render_sequencer_metrics(sequencer.stats(), (*log)->head(),
                                          (*log)->writable().ok());
  });
  http::Router router;
  http::add_health_routes(router, **log);
  http::add_ledger_routes(router, **log);
  http::add_metrics_routes(router, metrics);

  http::ServerOptions server_options;
  server_options.listen_host = listen->first;
  server_options.listen_port = listen->second;
  server_options.threads = settings.threads;
  http::HttpServer server(server_options, router,
                          [&metrics](std::string_view route, boost::beast::http::verb method,
                                     unsigned status, std::uint64_t latency_us) {
                            metrics.record_request(route, method, status, latency_us);
                          });
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "ledgerd: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("ledgerd: store %s at position %llu\n", store_options.path.c_str(),
              static_cast<unsigned long long>((*log)->head().position));
  std::printf("listening on http://%s:%u\n", listen->first.c_str(), server.port());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::printf("ledgerd: %s received, draining\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server.stop();
  sequencer.stop();
  log->reset();
  std::printf("ledgerd: store closed\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ledger::store::tune_allocator_for_store();
  Settings settings;
  po::options_description options("ledgerd options");
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&settings.data_dir)->default_value("./data"),
      "directory holding the store (created when missing)")(
      "listen", po::value(&settings.listen)->default_value("127.0.0.1:8080"),
      "HOST:PORT to serve HTTP on (port 0 picks a free one)")(
      "threads", po::value(&settings.threads)->default_value(0),
      "HTTP I/O threads (0: one per core)");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    po::store(po::parse_environment(options,
                                    [&](const std::string& variable) -> std::string {
                                      if (!variable.starts_with("LEDGER_")) return "";
                                      std::string name = variable.substr(7);
                                      for (auto& c : name) c = c == '_' ? '-' : std::tolower(c);
                                      return options.find_nothrow(name, false) ? name : "";
                                    }),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledgerd: %s\n", error.what());
    return 2;
  }
  if (values.count("help")) {
    std::cout << "usage: ledgerd [--data-dir DIR] [--listen HOST:PORT]\n\n" << options;
    return 0;
  }
  return run(settings);
}
