// Session: a file answer, streamed from disk.
#include <chrono>

#include "http/error_response.h"
#include "http/session.h"

namespace ledger::http {

// A file as the body, read from disk a piece at a time as the client takes it; each piece
// must go out within the request deadline (a stalled client is dropped, a slow one is not).
void Session::send_file(Response head, const std::filesystem::path& path) {
  beast_http::file_body::value_type body;
  beast::error_code error;
  body.open(path.c_str(), beast::file_mode::scan, error);
  if (error) {
    return write(error_response(request_, make_error(Errc::io_error, "the file cannot be read")));
  }
  file_response_.emplace();
  mark_answer(head.base());
  file_response_->base() = std::move(head.base());
  file_response_->body() = std::move(body);
  file_response_->prepare_payload();
  if (shared_->draining) file_response_->keep_alive(false);
  answered_status_ = file_response_->result_int();
  answered_keep_alive_ = file_response_->keep_alive();
  file_serializer_.emplace(*file_response_);
  write_file_piece();
}

void Session::write_file_piece() {
  stream_.expires_after(std::chrono::milliseconds(shared_->options.request_timeout_ms));
  beast_http::async_write_some(stream_, *file_serializer_,
                               [self = shared_from_this()](beast::error_code error, std::size_t) {
                                 if (!error && !self->file_serializer_->is_done())
                                   return self->write_file_piece();
                                 self->file_serializer_.reset();
                                 self->file_response_.reset();
                                 self->on_write(error, 0);
                               });
}

}  // namespace ledger::http
