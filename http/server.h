// HttpServer: Boost.Beast HTTP/1.1 over Asio, keep-alive and pipelining-safe, with limits.
//
// `threads` event loops, each an io_context run by exactly one thread. Each connection is a
// session bound to one loop for its whole life: it owns its socket and buffers, lives as long as
// its async chain, and all its work runs on its loop's one thread, so it needs no strand and no
// lock (nothing on the hot path is shared between loops but the server's atomic counters).
// A session reads one request at a time (pipelined requests wait in its buffer), hands it to the
// router, writes the reply when the handler gives it (from any thread: the reply is posted to
// the connection's loop), then reads the next: answers keep request order.
//
// Accepting: one listening socket, on the first loop, hands each accepted connection to the next
// loop in turn (round-robin), so connections spread evenly over the loops whatever their
// addresses. Chosen over one SO_REUSEPORT listener per loop because it is simpler and keeps the
// listener's guarantees: a port already in use fails start() (SO_REUSEPORT would let a second
// server share it silently), listen_port = 0 needs nothing special, and no connection waiting
// in one listener's backlog is lost when the listeners close. Accepting costs the first loop a
// share of its thread, which is small beside serving requests.
//
// A handler runs on its connection's loop and holds that loop while it runs: slow work (password
// hashing, waits) goes elsewhere and answers through its Reply, as the sequencer does.
//
// Limits: connections_max (beyond it new connections are closed at once), header size (431),
// body size (413), a deadline for each request to arrive whole once its first byte has come (a
// slow-loris client cannot stretch it), an idle deadline between requests.
//
// `stop()` stops accepting, lets in-flight requests finish (at most drain_timeout_ms), then stops
// every loop and joins the threads; the connections close when the server is destroyed.
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
