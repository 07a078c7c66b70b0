// HttpServer: Boost.Beast HTTP/1.1 over Asio, keep-alive and pipelining-safe, with limits.
//
// One io_context run by `threads` threads; each connection is a session on its own strand that
// owns its socket and buffers and lives as long as its async chain. A session reads one request
// at a time (pipelined requests wait in its buffer), hands it to the router, writes the reply
// when the handler gives it (from any thread), then reads the next: answers keep request order.
// Limits: connections_max (beyond it new connections are closed at once), header size (431),
// body size (413), a deadline for each request to arrive whole once its first byte has come (a
// slow-loris client cannot stretch it), an idle deadline between requests.
//
// `stop()` stops accepting, lets in-flight requests finish (at most drain_timeout_ms), closes
// every connection and joins the threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/result.h"
#include "http/router.h"
#include "http/server_options.h"

namespace ledger::http {

// Called once per answered request: route pattern (or "unmatched"), method, status, latency.
using RequestObserver = std::function<void(std::string_view route, beast_http::verb method,
                                           unsigned status, std::uint64_t latency_us)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, RequestObserver observer = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; fails with io_error when the address cannot be used.
  Status start();
  void stop();

  // The port actually bound (useful with listen_port = 0).
  std::uint16_t port() const { return bound_port_; }
  std::size_t connections() const;
  std::size_t requests_in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace ledger::http
