// ServerOptions: every limit and tunable of the HTTP server, with its default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ledger::http {

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 picks a free port (see HttpServer::port())
  std::size_t threads = 0;           // I/O threads; 0 means one per core
  std::size_t connections_max = 10'000;
  std::size_t header_bytes_max = 16 * 1024;   // larger headers answer 431
  std::size_t body_bytes_max = 1 << 20;       // larger bodies answer 413
  std::uint64_t request_timeout_ms = 15'000;  // a request must arrive whole within this
  std::uint64_t idle_timeout_ms = 60'000;     // a keep-alive connection may idle this long
  std::uint64_t drain_timeout_ms = 10'000;    // on shutdown, in-flight requests get this long
  // Exact origins whose pages may call the API from a browser (http/cors.h); none by default.
  std::vector<std::string> cors_origins;
  std::uint64_t cors_max_age_seconds = 600;  // how long a browser may keep a preflight's answer
};

}  // namespace ledger::http
