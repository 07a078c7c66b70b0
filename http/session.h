// Session: one connection of the HttpServer (internal to the server's files; see http/server.h).
//
// A session owns its socket and buffers and lives as long as its async chain (every completion
// holds a shared_ptr to it); all its work runs on the one thread of the event loop its socket is
// bound to (http/server.h), so its members need no lock and it needs no strand. Whatever reaches
// it from another thread (a Reply) is posted to that loop. It reads one request at a time, hands it
// to the router, writes the answer, then reads the next. The ways a request is read or answered
// each live in their own file:
//   session.cpp                  the request loop: read, dispatch, write, keep-alive or close
//   session_streamed_body.cpp    a streamed-body route (uploads): the body taken piece by piece
//   session_event_stream.cpp     a streamed answer (Server-Sent Events), polled and heartbeated
//   session_file_answer.cpp      a file as the body, read from disk as the client takes it
//   session_lingering_close.cpp  after refusing an unread body: stop sending, drain, then close
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "http/http_types.h"
#include "http/router.h"
#include "http/server_state.h"

namespace ledger::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<ServerState> shared);
  ~Session();

  void start();

 private:
  // The request loop (session.cpp).
  void read_request();
  void read_header();
  void on_header(beast::error_code error, std::size_t);
  void on_read_error(beast::error_code error);
  // Answers a request that could not be read whole, then closes the connection.
  void reject(beast_http::status status, std::string code, std::string detail);
  // Answers with `response` and closes, without reading the rest of the request's body.
  void refuse(Response response);
  void on_read(beast::error_code error, std::size_t);
  // Gives the request its id: the client's X-Request-Id when well formed, else a new one. Every
  // answer carries it, and the log line of a failure names it.
  void identify(Request& request);
  // Marks an answer's head: its request id, and CORS headers for the request's origin
  // (http/cors.h; a preflight's answer has its own).
  void mark_answer(beast_http::fields& head) const;
  // The reply of the request being answered: each way of answering is posted to the
  // connection's loop, whichever thread calls it (one allocation, its ReplyTarget).
  class ReplyTarget;
  Reply make_reply();
  void write(Response response);
  void on_write(beast::error_code error, std::size_t);
  void close();

  // A streamed-body route (session_streamed_body.cpp).
  void start_streamed_body();
  void read_body_piece();
  void on_body_piece(beast::error_code error, std::size_t);
  void abandon_streamed_body();
  void finish_streamed_body();

  // A file answer (session_file_answer.cpp).
  void send_file(Response head, const std::filesystem::path& path);
  void write_file_piece();

  // A streamed answer (session_event_stream.cpp).
  void start_stream(Response head, std::shared_ptr<StreamSource> source);
  void send_stream_chunk(std::string chunk);
  void schedule_poll();

  // Lingering close (session_lingering_close.cpp).
  void linger();
  void drain();

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
  std::shared_ptr<ServerState> shared_;
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
  // The route of the request being read or answered, matched once when its head arrived
  // (nullptr: none), its path parameters as views into the target of the head they were matched
  // in (`matched_target_`), and its name for metrics (a view of the router's pattern or a fixed
  // text: the router outlives every session).
  const Route* route_ = nullptr;
  PathParams params_;
  std::string_view matched_target_;
  std::string_view route_name_;
  std::string request_id_;  // of the request being answered
  std::string origin_;      // of the request being answered, when CORS allows it; else empty
  beast_http::verb method_ = beast_http::verb::unknown;
};

}  // namespace ledger::http
