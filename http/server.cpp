// HttpServer: the listener, the I/O threads and the drain on stop. Each accepted connection is a
// Session (http/session.h).
#include "http/server.h"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdio>

#include "http/server_state.h"
#include "http/session.h"

namespace ledger::http {

struct HttpServer::Impl {
  explicit Impl(std::shared_ptr<ServerState> shared_state)
      : shared(std::move(shared_state)),
        io(static_cast<int>(thread_count())),
        acceptor(asio::make_strand(io)) {}

  std::size_t thread_count() const {
    if (shared->options.threads > 0) return shared->options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }

  void accept() {
    acceptor.async_accept(
        asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
          if (error) {
            if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
            return accept();  // e.g. out of file descriptors: keep serving the others
          }
          if (shared->connections.load() >= shared->options.connections_max) {
            beast::error_code ignored;
            socket.close(ignored);
          } else {
            std::make_shared<Session>(std::move(socket), shared)->start();
          }
          accept();
        });
  }

  // Runs the io_context until stopped. Route code is guarded where it runs (request_guard.h); an
  // exception escaping any other completion is logged, and the thread goes on serving.
  void run_io() {
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

  std::shared_ptr<ServerState> shared;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  bool running = false;
};

HttpServer::HttpServer(ServerOptions options, const Router& router, RequestObserver observer)
    : impl_(std::make_unique<Impl>(
          std::make_shared<ServerState>(std::move(options), router, std::move(observer)))) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
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
  for (std::size_t i = 0; i < impl_->thread_count(); ++i) {
    impl_->threads.emplace_back([this] { impl_->run_io(); });
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
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::size_t HttpServer::connections() const { return impl_->shared->connections.load(); }
std::size_t HttpServer::requests_in_flight() const { return impl_->shared->in_flight.load(); }

}  // namespace ledger::http
