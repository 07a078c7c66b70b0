#include "http/server.h"

#include <boost/asio/dispatch.hpp>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <limits>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <random>

#include "http/error_response.h"
#include "http/request_guard.h"

namespace ledger::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Shared {
  Shared(ServerOptions server_options, const Router& server_router, RequestObserver on_request)
      : options(std::move(server_options)), router(server_router), observer(std::move(on_request)) {}
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

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    ++shared_->connections;
    beast::error_code error;
    const auto endpoint = stream_.socket().remote_endpoint(error);
    if (!error) peer_ = endpoint.address().to_string();
  }
  ~Session() { --shared_->connections; }

  void start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::read_request, shared_from_this()));
  }

 private:
  void read_request() {
    if (shared_->draining) return close();
    request_id_.clear();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.header_bytes_max));
    // No limit while the header is read (Beast checks Content-Length against it there; and
    // boost::none compares below any length in this Beast): on_header applies the route's
    // limit, the server's or a streamed route's own.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    // Waiting for the next request on an idle connection gets the idle deadline, but only until
    // its first bytes arrive: from then on the request deadline runs, so a client trickling a
    // byte at a time (slow-loris) cannot hold the connection for the idle deadline.
    stream_.expires_after(std::chrono::milliseconds(shared_->options.idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
          if (error) return self->close();  // idle deadline, end of stream, reset
          self->buffer_.commit(bytes);
          self->read_header();
        });
  }

  void read_header() {
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    beast_http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code error, std::size_t) {
    if (error) return on_read_error(error);
    {
      const auto& head = parser_->get();
      const std::string_view target(head.target().data(), head.target().size());
      const Route* route = shared_->router.match(head.method(), target, nullptr);
      if (route != nullptr && route->streamed) return start_streamed_body(*route);
    }
    const auto declared = parser_->content_length();
    if (declared && *declared > shared_->options.body_bytes_max) {
      return on_read_error(beast_http::error::body_limit);
    }
    parser_->body_limit(shared_->options.body_bytes_max);
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    beast_http::async_read(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read_error(beast::error_code error) {
    if (error == beast_http::error::body_limit) {
      return reject(beast_http::status::payload_too_large, "too_large",
                    fmt::format("the body is over the limit of {} bytes",
                                shared_->options.body_bytes_max));
    }
    if (error == beast_http::error::header_limit) {
      return reject(beast_http::status::request_header_fields_too_large, "too_large",
                    "the request headers are too large");
    }
    const auto http_category = beast_http::make_error_code(beast_http::error::end_of_stream);
    if (error.category() == http_category.category() &&
        error != beast_http::error::end_of_stream && error != beast_http::error::partial_message) {
      return reject(beast_http::status::bad_request, "invalid_argument",
                    "the request is not valid HTTP/1.1");
    }
    close();  // end of stream, timeout, reset: nothing to answer
  }

  // Answers a request that could not be read whole, then closes the connection.
  void reject(beast_http::status status, std::string code, std::string detail) {
    Request request;
    request.version(11);
    request.keep_alive(false);
    started_ = std::chrono::steady_clock::now();
    route_name_ = "unreadable";
    method_ = beast_http::verb::unknown;
    request_id_ = shared_->next_request_id();
    refuse(problem_response(request, status, std::move(code), std::move(detail)));
  }

  // Answers with `response` and closes, without reading the rest of the request's body.
  void refuse(Response response) {
    response.keep_alive(false);
    ++shared_->in_flight;
    lingering_ = true;
    write(std::move(response));
  }

  // A streamed-body route (uploads): its handler sees the head first and either refuses at once
  // (nothing more is read) or gives the sink that takes the body piece by piece, each piece
  // within the request deadline, so a large upload never sits whole in memory.
  void start_streamed_body(const Route& route) {
    head_ = {};
    head_.base() = parser_->get().base();
    head_.set(kPeerHeader, peer_);
    identify(head_);
    started_ = std::chrono::steady_clock::now();
    method_ = head_.method();
    route_name_ = route.pattern;
    PathParams params;
    shared_->router.match(method_, std::string_view(head_.target().data(), head_.target().size()),
                          &params);
    if (auto target = check_request_target(head_, params); !target) {
      return refuse(error_response(head_, target.error()));
    }
    std::optional<Result<std::unique_ptr<BodySink>>> sink;
    if (!run_logged(head_, [&] { sink.emplace(route.streamed(head_, params)); })) {
      return refuse(unexpected_failure_response(head_));
    }
    if (!*sink) return refuse(error_response(head_, sink->error()));
    sink_ = std::move(**sink);
    body_parser_.emplace(std::move(*parser_));
    parser_.reset();
    body_parser_->body_limit(route.body_bytes_max);
    const auto expect = head_[beast_http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
      return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                               [self = shared_from_this()](beast::error_code error, std::size_t) {
                                 if (error) return self->abandon_streamed_body();
                                 self->read_body_piece();
                               });
    }
    read_body_piece();
  }

  void read_body_piece() {
    if (body_parser_->is_done()) return finish_streamed_body();
    auto& body = body_parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    beast_http::async_read_some(
        stream_, buffer_, *body_parser_,
        beast::bind_front_handler(&Session::on_body_piece, shared_from_this()));
  }

  void on_body_piece(beast::error_code error, std::size_t) {
    if (error == beast_http::error::need_buffer) error = {};
    const std::size_t got = piece_.size() - body_parser_->get().body().size;
    if (!error && got > 0) {
      Status written;
      if (!run_logged(head_,
                      [&] { written = sink_->write(std::string_view(piece_.data(), got)); })) {
        sink_.reset();
        return refuse(unexpected_failure_response(head_));
      }
      if (!written) {
        sink_.reset();
        return refuse(error_response(head_, written.error()));
      }
    }
    if (error) {
      sink_.reset();  // the sink removes what it stored
      if (error == beast_http::error::body_limit) {
        return refuse(problem_response(head_, beast_http::status::payload_too_large, "too_large",
                                       "the body is over this endpoint's limit"));
      }
      return on_read_error(error);
    }
    read_body_piece();
  }

  void abandon_streamed_body() {
    sink_.reset();
    close();
  }

  void finish_streamed_body() {
    stream_.expires_never();
    auto sink = std::move(sink_);
    request_ = std::move(head_);
    request_.keep_alive(body_parser_->keep_alive());
    body_parser_.reset();
    ++shared_->in_flight;
    const Reply reply = make_reply();
    run_guarded(request_, reply, [&] { sink->finish(reply); });
  }

  void on_read(beast::error_code error, std::size_t) {
    if (error) return on_read_error(error);
    stream_.expires_never();
    request_ = parser_->release();
    // Handlers learn the peer address from this header, which only the server sets.
    request_.set(kPeerHeader, peer_);
    identify(request_);
    started_ = std::chrono::steady_clock::now();
    method_ = request_.method();
    const std::string_view target(request_.target().data(), request_.target().size());
    const Route* route = shared_->router.match(method_, target, nullptr);
    route_name_ = route != nullptr ? route->pattern : "unmatched";
    ++shared_->in_flight;
    const Reply reply = make_reply();
    run_guarded(request_, reply, [&] { shared_->router.dispatch(request_, reply); });
  }

  // Gives the request its id: the client's X-Request-Id when well formed, else a new one. Every
  // answer carries it, and the log line of a failure names it.
  void identify(Request& request) {
    if (!is_acceptable_request_id(request_id_of(request))) {
      request.set(kRequestIdHeader, shared_->next_request_id());
    }
    request_id_ = std::string(request_id_of(request));
  }

  void mark_request_id(beast_http::fields& head) const {
    if (!request_id_.empty()) head.set(kRequestIdHeader, request_id_);
  }

  // The reply of the request being answered: each way of answering continues on this strand.
  Reply make_reply() {
    auto self = shared_from_this();
    return Reply(
        [self](Response response) {
          asio::post(self->stream_.get_executor(),
                     [self, response = std::move(response)]() mutable {
                       self->write(std::move(response));
                     });
        },
        [self](Response head, std::shared_ptr<StreamSource> source) {
          asio::post(self->stream_.get_executor(),
                     [self, head = std::move(head), source = std::move(source)]() mutable {
                       self->start_stream(std::move(head), std::move(source));
                     });
        },
        [self](Response head, std::filesystem::path path) {
          asio::post(self->stream_.get_executor(),
                     [self, head = std::move(head), path = std::move(path)]() mutable {
                       self->send_file(std::move(head), path);
                     });
        });
  }

  // A file as the body, read from disk a piece at a time as the client takes it; each piece
  // must go out within the request deadline (a stalled client is dropped, a slow one is not).
  void send_file(Response head, const std::filesystem::path& path) {
    beast_http::file_body::value_type body;
    beast::error_code error;
    body.open(path.c_str(), beast::file_mode::scan, error);
    if (error) {
      return write(error_response(request_, make_error(Errc::io_error,
                                                       "the file cannot be read")));
    }
    file_response_.emplace();
    mark_request_id(head.base());
    file_response_->base() = std::move(head.base());
    file_response_->body() = std::move(body);
    file_response_->prepare_payload();
    if (shared_->draining) file_response_->keep_alive(false);
    answered_status_ = file_response_->result_int();
    answered_keep_alive_ = file_response_->keep_alive();
    file_serializer_.emplace(*file_response_);
    write_file_piece();
  }

  void write_file_piece() {
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    beast_http::async_write_some(
        stream_, *file_serializer_,
        [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (!error && !self->file_serializer_->is_done()) return self->write_file_piece();
          self->file_serializer_.reset();
          self->file_response_.reset();
          self->on_write(error, 0);
        });
  }

  void write(Response response) {
    response_ = std::move(response);
    mark_request_id(response_.base());
    if (shared_->draining) response_.keep_alive(false);
    answered_status_ = response_.result_int();
    answered_keep_alive_ = response_.keep_alive();
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    beast_http::async_write(stream_, response_,
                            beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code error, std::size_t) {
    --shared_->in_flight;
    if (shared_->observer) {
      const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started_);
      shared_->observer(route_name_, method_, answered_status_,
                        static_cast<std::uint64_t>(latency.count()));
    }
    if (!error && lingering_) return linger();
    if (error || !answered_keep_alive_) return close();
    response_ = {};
    read_request();
  }

  // A streamed answer (Server-Sent Events): the head, then what the source yields, polled on this
  // strand; a comment line every kHeartbeat keeps proxies from timing the connection out and
  // finds clients that went away. One write at a time: a slow client cannot make us buffer.
  void start_stream(Response head, std::shared_ptr<StreamSource> source) {
    --shared_->in_flight;  // a stream is not an in-flight request: draining closes it
    if (shared_->observer) {
      const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started_);
      shared_->observer(route_name_, method_, head.result_int(),
                        static_cast<std::uint64_t>(latency.count()));
    }
    source_ = std::move(source);
    mark_request_id(head.base());
    std::string text = fmt::format("HTTP/1.1 {} {}\r\n", head.result_int(),
                                   std::string(head.reason()));
    for (const auto& field : head) {
      if (field.name() == beast_http::field::content_length ||
          field.name() == beast_http::field::connection) {
        continue;
      }
      text += fmt::format("{}: {}\r\n", std::string(field.name_string()),
                          std::string(field.value()));
    }
    text += "Connection: close\r\n\r\n";
    stream_.expires_never();
    send_stream_chunk(std::move(text));
  }

  void send_stream_chunk(std::string chunk) {
    stream_text_ = std::move(chunk);
    last_stream_write_ = std::chrono::steady_clock::now();
    stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
    asio::async_write(stream_, asio::buffer(stream_text_),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) return self->close();
                        self->stream_.expires_never();
                        self->schedule_poll();
                      });
  }

  void schedule_poll() {
    poll_timer_.expires_after(kStreamPoll);
    poll_timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error || self->shared_->draining) return self->close();
      bool finished = false;
      std::string data;
      // The source is route code: one that throws ends its stream, never the server.
      if (!run_logged(self->request_,
                      [&] {
                        finished = self->source_->finished();
                        if (!finished) data = self->source_->poll();
                      }) ||
          finished) {
        return self->close();
      }
      if (data.empty() &&
          std::chrono::steady_clock::now() - self->last_stream_write_ > kHeartbeat) {
        data = ": heartbeat\n\n";
      }
      if (data.empty()) return self->schedule_poll();
      self->send_stream_chunk(std::move(data));
    });
  }

  // After refusing a request whose body was not read (413, 431, 400), the client may still be
  // sending it. Closing at once would make the kernel reset the connection and the client could
  // lose the answer; so stop sending, read and drop what arrives for a while, then close.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::milliseconds(kLingerMs));
    drain();
  }

  void drain() {
    if (!discard_) discard_ = std::make_unique<std::array<char, kDiscardBytes>>();
    stream_.async_read_some(
        asio::buffer(*discard_),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
          self->drained_ += bytes;
          if (error || self->drained_ > kLingerBytesMax) return self->close();
          self->drain();
        });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  static constexpr std::uint64_t kLingerMs = 2'000;
  static constexpr auto kStreamPoll = std::chrono::milliseconds(250);
  static constexpr auto kHeartbeat = std::chrono::seconds(15);
  static constexpr std::size_t kLingerBytesMax = 8 << 20;
  static constexpr std::size_t kDiscardBytes = 16 * 1024;
  static constexpr std::size_t kFirstReadBytes = 4 * 1024;

  beast::tcp_stream stream_;
  std::string peer_;
  bool lingering_ = false;
  std::size_t drained_ = 0;
  // Allocated only when lingering: an idle connection should not carry 16 KiB it never uses.
  std::unique_ptr<std::array<char, kDiscardBytes>> discard_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<StreamSource> source_;
  std::string stream_text_;
  std::chrono::steady_clock::time_point last_stream_write_;
  asio::steady_timer poll_timer_{stream_.get_executor()};
  beast::flat_buffer buffer_;  // unbounded: the parser's header and body limits apply
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  Request request_;
  Response response_;
  unsigned answered_status_ = 0;
  bool answered_keep_alive_ = false;
  // A streamed-body request: its head, the parser reading its body into piece_, and the sink.
  Request head_;
  std::optional<beast_http::request_parser<beast_http::buffer_body>> body_parser_;
  std::unique_ptr<BodySink> sink_;
  std::array<char, 64 * 1024> piece_;
  // A file answer.
  std::optional<beast_http::response<beast_http::file_body>> file_response_;
  std::optional<beast_http::response_serializer<beast_http::file_body>> file_serializer_;
  std::chrono::steady_clock::time_point started_;
  std::string route_name_;
  std::string request_id_;  // of the request being answered
  beast_http::verb method_ = beast_http::verb::unknown;
};

}  // namespace

struct HttpServer::Impl {
  explicit Impl(std::shared_ptr<Shared> shared_state)
      : shared(std::move(shared_state)),
        io(static_cast<int>(thread_count())),
        acceptor(asio::make_strand(io)) {}

  std::size_t thread_count() const {
    if (shared->options.threads > 0) return shared->options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error,
                                                        tcp::socket socket) {
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

  std::shared_ptr<Shared> shared;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  bool running = false;
};

HttpServer::HttpServer(ServerOptions options, const Router& router, RequestObserver observer)
    : impl_(std::make_unique<Impl>(
          std::make_shared<Shared>(std::move(options), router, std::move(observer)))) {}

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
