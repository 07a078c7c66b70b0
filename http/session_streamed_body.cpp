// Session: a streamed-body route (uploads).
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>

#include "http/error_response.h"
#include "http/request_guard.h"
#include "http/session.h"

namespace ledger::http {

// A streamed-body route (uploads): its handler sees the head first and either refuses at once
// (nothing more is read) or gives the sink that takes the body piece by piece, each piece
// within the request deadline, so a large upload never sits whole in memory.
void Session::start_streamed_body() {
  LEDGER_ASSERT(route_ != nullptr && route_->streamed, "a streamed route was matched");
  const Route& route = *route_;
  head_ = {};
  head_.base() = parser_->get().base();
  head_.set(kPeerHeader, peer_);
  identify(head_);
  started_ = std::chrono::steady_clock::now();
  method_ = head_.method();
  route_name_ = route.pattern;
  // The parameters were matched in the parser's head; head_ is a copy of it.
  const PathParams params = params_.rebased(
      matched_target_, std::string_view(head_.target().data(), head_.target().size()));
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

void Session::read_body_piece() {
  if (body_parser_->is_done()) return finish_streamed_body();
  auto& body = body_parser_->get().body();
  body.data = piece_.data();
  body.size = piece_.size();
  stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
  beast_http::async_read_some(
      stream_, buffer_, *body_parser_,
      beast::bind_front_handler(&Session::on_body_piece, shared_from_this()));
}

void Session::on_body_piece(beast::error_code error, std::size_t) {
  if (error == beast_http::error::need_buffer) error = {};
  const std::size_t got = piece_.size() - body_parser_->get().body().size;
  if (!error && got > 0) {
    Status written;
    if (!run_logged(head_, [&] { written = sink_->write(std::string_view(piece_.data(), got)); })) {
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

void Session::abandon_streamed_body() {
  sink_.reset();
  close();
}

void Session::finish_streamed_body() {
  stream_.expires_never();
  auto sink = std::move(sink_);
  request_ = std::move(head_);
  request_.keep_alive(body_parser_->keep_alive());
  body_parser_.reset();
  ++shared_->in_flight;
  const Reply reply = make_reply();
  run_guarded(request_, reply, [&] { sink->finish(reply); });
}

}  // namespace ledger::http
