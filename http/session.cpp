// Session: the request loop. Read a request (idle deadline until its first byte, then the request
// deadline), hand it to the router, write the answer, then keep the connection or close it.
#include "http/session.h"

#include <fmt/format.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <limits>

#include "http/cors.h"
#include "http/error_response.h"
#include "http/request_guard.h"

namespace ledger::http {

Session::Session(tcp::socket&& socket, std::shared_ptr<ServerState> shared)
    : stream_(std::move(socket)), shared_(std::move(shared)) {
  ++shared_->connections;
  beast::error_code error;
  const auto endpoint = stream_.socket().remote_endpoint(error);
  if (!error) peer_ = endpoint.address().to_string();
}

Session::~Session() { --shared_->connections; }

void Session::start() {
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&Session::read_request, shared_from_this()));
}

void Session::read_request() {
  if (shared_->draining) return close();
  request_id_.clear();
  origin_.clear();
  route_ = nullptr;
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
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                            if (error) return self->close();  // idle deadline, end of stream, reset
                            self->buffer_.commit(bytes);
                            self->read_header();
                          });
}

void Session::read_header() {
  stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
  beast_http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

void Session::on_header(beast::error_code error, std::size_t) {
  if (error) return on_read_error(error);
  origin_ = allowed_origin(shared_->options, parser_->get());
  {
    const auto& head = parser_->get();
    matched_target_ = std::string_view(head.target().data(), head.target().size());
    params_ = PathParams();
    route_ = shared_->router.match(head.method(), matched_target_, &params_);
    if (route_ != nullptr && route_->streamed) return start_streamed_body();
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

void Session::on_read_error(beast::error_code error) {
  if (error == beast_http::error::body_limit) {
    return reject(
        beast_http::status::payload_too_large, "too_large",
        fmt::format("the body is over the limit of {} bytes", shared_->options.body_bytes_max));
  }
  if (error == beast_http::error::header_limit) {
    return reject(beast_http::status::request_header_fields_too_large, "too_large",
                  "the request headers are too large");
  }
  const auto http_category = beast_http::make_error_code(beast_http::error::end_of_stream);
  if (error.category() == http_category.category() && error != beast_http::error::end_of_stream &&
      error != beast_http::error::partial_message) {
    return reject(beast_http::status::bad_request, "invalid_argument",
                  "the request is not valid HTTP/1.1");
  }
  close();  // end of stream, timeout, reset: nothing to answer
}

void Session::reject(beast_http::status status, std::string code, std::string detail) {
  Request request;
  request.version(11);
  request.keep_alive(false);
  started_ = std::chrono::steady_clock::now();
  route_name_ = "unreadable";
  method_ = beast_http::verb::unknown;
  request_id_ = shared_->next_request_id();
  refuse(problem_response(request, status, std::move(code), std::move(detail)));
}

void Session::refuse(Response response) {
  response.keep_alive(false);
  ++shared_->in_flight;
  lingering_ = true;
  write(std::move(response));
}

void Session::on_read(beast::error_code error, std::size_t) {
  if (error) return on_read_error(error);
  stream_.expires_never();
  request_ = parser_->release();
  // Handlers learn the peer address from this header, which only the server sets.
  request_.set(kPeerHeader, peer_);
  identify(request_);
  started_ = std::chrono::steady_clock::now();
  method_ = request_.method();
  // The parameters point into the head's target; the released request owns that head now.
  const std::string_view target(request_.target().data(), request_.target().size());
  params_ = params_.rebased(matched_target_, target);
  matched_target_ = target;
  route_name_ = route_ != nullptr ? std::string_view(route_->pattern) : "unmatched";
  ++shared_->in_flight;
  if (is_preflight(request_)) {
    return write(preflight_response(shared_->options, shared_->router, request_));
  }
  const Reply reply = make_reply();
  run_guarded(request_, reply, [&] { shared_->router.dispatch(request_, route_, params_, reply); });
}

void Session::identify(Request& request) {
  if (!is_acceptable_request_id(request_id_of(request))) {
    request.set(kRequestIdHeader, shared_->next_request_id());
  }
  request_id_ = std::string(request_id_of(request));
}

void Session::mark_answer(beast_http::fields& head) const {
  if (!request_id_.empty()) head.set(kRequestIdHeader, request_id_);
  if (method_ != beast_http::verb::options) add_cors_headers(shared_->options, origin_, head);
}

// The target of one request's Reply: each way of answering is posted to the connection's loop.
class Session::ReplyTarget final : public Reply::Target {
 public:
  explicit ReplyTarget(std::shared_ptr<Session> session) : session_(std::move(session)) {}

  void send(Response response) override {
    asio::post(session_->stream_.get_executor(),
               [session = session_, response = std::move(response)]() mutable {
                 session->write(std::move(response));
               });
  }

  void stream(Response head, std::shared_ptr<StreamSource> source) override {
    asio::post(session_->stream_.get_executor(),
               [session = session_, head = std::move(head), source = std::move(source)]() mutable {
                 session->start_stream(std::move(head), std::move(source));
               });
  }

  void file(Response head, std::filesystem::path path) override {
    asio::post(session_->stream_.get_executor(),
               [session = session_, head = std::move(head), path = std::move(path)]() mutable {
                 session->send_file(std::move(head), path);
               });
  }

  void later(Reply::Work work) override {
    asio::post(session_->stream_.get_executor(), std::move(work));
  }

 private:
  std::shared_ptr<Session> session_;
};

Reply Session::make_reply() { return Reply(std::make_shared<ReplyTarget>(shared_from_this())); }

void Session::write(Response response) {
  response_ = std::move(response);
  mark_answer(response_.base());
  if (shared_->draining) response_.keep_alive(false);
  answered_status_ = response_.result_int();
  answered_keep_alive_ = response_.keep_alive();
  stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
  beast_http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code error, std::size_t) {
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

void Session::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace ledger::http
