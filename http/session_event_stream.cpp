// Session: a streamed answer (Server-Sent Events).
#include <fmt/format.h>
#include <boost/asio/write.hpp>
#include <chrono>

#include "http/request_guard.h"
#include "http/session.h"

namespace ledger::http {

// A streamed answer (Server-Sent Events): the head, then what the source yields, polled on the
// connection's loop; a comment line every kHeartbeat keeps proxies from timing the connection out
// and finds clients that went away. One write at a time: a slow client cannot make us buffer.
void Session::start_stream(Response head, std::shared_ptr<StreamSource> source) {
  --shared_->in_flight;  // a stream is not an in-flight request: draining closes it
  if (shared_->observer) {
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    shared_->observer(route_name_, method_, head.result_int(),
                      static_cast<std::uint64_t>(latency.count()));
  }
  source_ = std::move(source);
  mark_answer(head.base());
  std::string text =
      fmt::format("HTTP/1.1 {} {}\r\n", head.result_int(), std::string(head.reason()));
  for (const auto& field : head) {
    if (field.name() == beast_http::field::content_length ||
        field.name() == beast_http::field::connection) {
      continue;
    }
    text += fmt::format("{}: {}\r\n", std::string(field.name_string()), std::string(field.value()));
  }
  text += "Connection: close\r\n\r\n";
  stream_.expires_never();
  send_stream_chunk(std::move(text));
}

void Session::send_stream_chunk(std::string chunk) {
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

void Session::schedule_poll() {
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
    if (data.empty() && std::chrono::steady_clock::now() - self->last_stream_write_ > kHeartbeat) {
      data = ": heartbeat\n\n";
    }
    if (data.empty()) return self->schedule_poll();
    self->send_stream_chunk(std::move(data));
  });
}

}  // namespace ledger::http
