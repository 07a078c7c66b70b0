// HttpServer: the event loops, the listener and the drain on stop. Each accepted connection is a
// Session (http/session.h) bound to one loop.
#include "http/server.h"

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>

#include "core/assert.h"
#include "http/server_state.h"
#include "http/session.h"

namespace ledger::http {

namespace {

// How long the listener waits before accepting again after a failed accept (out of file
// descriptors, out of memory): the waiting connection stays in the kernel's backlog meanwhile.
// Accepting again at once would spin the first loop at full speed until a descriptor frees.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

// One event loop: an io_context run by exactly one thread (hence the concurrency hint 1: its
// scheduler need not wake other threads). The work guard keeps the loop running while it has no
// connection yet; stop() ends it.
struct EventLoop {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;
};

std::size_t loop_count(const ServerOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<std::unique_ptr<EventLoop>> make_loops(std::size_t count) {
  std::vector<std::unique_ptr<EventLoop>> loops;
  loops.reserve(count);
  for (std::size_t i = 0; i < count; ++i) loops.push_back(std::make_unique<EventLoop>());
  return loops;
}

// Runs the loop until stopped. Route code is guarded where it runs (request_guard.h); an
// exception escaping any other completion is logged, and the loop goes on serving.
void run_loop(asio::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ledgerd: an I/O completion failed: %s\n", error.what());
    } catch (...) {
      std::fprintf(stderr, "ledgerd: an I/O completion failed\n");
    }
  }
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(std::shared_ptr<ServerState> shared_state)
      : shared(std::move(shared_state)),
        loops(make_loops(loop_count(shared->options))),
        acceptor(loops.front()->io),
        accept_retry(loops.front()->io) {
    LEDGER_ASSERT(!loops.empty(), "a server has at least one event loop");
  }

  // Accepts the next connection straight onto the next loop in turn (the socket is registered
  // with that loop's io_context), then starts its session there. Runs on the first loop's thread
  // only, so `next_loop` needs no lock.
  void accept() {
    EventLoop& loop = *loops[next_loop];
    next_loop = (next_loop + 1) % loops.size();
    acceptor.async_accept(loop.io, [this](beast::error_code error, tcp::socket socket) {
      if (error) {
        if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
        return accept_later(error);  // e.g. out of file descriptors: keep serving the others
      }
      accept_failing = false;
      if (shared->connections.load() >= shared->options.connections_max) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        try {
          std::make_shared<Session>(std::move(socket), shared)->start();
        } catch (const std::exception& failure) {  // the socket is closed as the handler returns
          std::fprintf(stderr, "ledgerd: a connection could not be started: %s\n", failure.what());
        }
      }
      accept();
    });
  }

  // Accepts again after kAcceptRetryDelay; says why once per run of failures.
  void accept_later(const beast::error_code& error) {
    if (!accept_failing) {
      std::fprintf(stderr, "ledgerd: accepting connections failed (%s); retrying every %lld ms\n",
                   error.message().c_str(), static_cast<long long>(kAcceptRetryDelay.count()));
    }
    accept_failing = true;
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([this](beast::error_code waited) {
      if (waited || !acceptor.is_open()) return;
      accept();
    });
  }

  std::shared_ptr<ServerState> shared;
  // Declared before the acceptor, which lives on the first loop and must go before it.
  std::vector<std::unique_ptr<EventLoop>> loops;
  tcp::acceptor acceptor;
  // On the first loop, as the acceptor. Not cancelled at stop: a wait that ends after the
  // acceptor closed does nothing, and one still pending goes with its loop.
  asio::steady_timer accept_retry;
  bool accept_failing = false;
  std::size_t next_loop = 0;
  bool running = false;
};

HttpServer::HttpServer(ServerOptions options, const Router& router, RequestObserver observer)
    : impl_(std::make_unique<Impl>(
          std::make_shared<ServerState>(std::move(options), router, std::move(observer)))) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  LEDGER_ASSERT(!impl_->running, "a server is started once");
  const auto& options = impl_->shared->options;
  beast::error_code error;
  const auto address = asio::ip::make_address(options.listen_host, error);
  if (error) {
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot listen on {}: not an IP address", options.listen_host));
  }
  const tcp::endpoint endpoint(address, options.listen_port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return make_error(Errc::io_error, fmt::format("cannot listen on {}:{}: {}", options.listen_host,
                                                  options.listen_port, error.message()));
  }
  bound_port_ = acceptor.local_endpoint().port();
  impl_->accept();
  impl_->running = true;
  for (auto& loop : impl_->loops) {
    loop->thread = std::thread([&io = loop->io] { run_loop(io); });
  }
  return {};
}

void HttpServer::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->shared->draining = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(impl_->shared->options.drain_timeout_ms);
  while (impl_->shared->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& loop : impl_->loops) {
    loop->work.reset();
    loop->io.stop();
  }
  for (auto& loop : impl_->loops) loop->thread.join();
  // The loops may have stopped before the posted close ran (nothing was in flight).
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::size_t HttpServer::connections() const { return impl_->shared->connections.load(); }
std::size_t HttpServer::requests_in_flight() const { return impl_->shared->in_flight.load(); }

}  // namespace ledger::http
