// ServerState: what every session of one HttpServer shares (internal to the server's files).
//
// The options and the router are read-only once the server starts; the counters are atomics read
// by HttpServer (connections(), requests_in_flight(), the drain on stop()) and written by the
// sessions from any I/O thread.
#pragma once

#include <fmt/format.h>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include "http/router.h"
#include "http/server.h"
#include "http/server_options.h"

namespace ledger::http {

struct ServerState {
  ServerState(ServerOptions server_options, const Router& server_router, RequestObserver on_request)
      : options(std::move(server_options)),
        router(server_router),
        observer(std::move(on_request)) {}
  ServerOptions options;
  const Router& router;
  RequestObserver observer;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> draining{false};
  // Request ids made by this server: a random prefix per server, then a counter.
  const std::string request_id_prefix = fmt::format("{:08x}", std::random_device()());
  std::atomic<std::uint64_t> requests_numbered{0};

  std::string next_request_id() {
    return fmt::format("{}-{}", request_id_prefix, ++requests_numbered);
  }
};

}  // namespace ledger::http
