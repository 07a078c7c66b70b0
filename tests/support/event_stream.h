// The notification feed's event stream as a browser's EventSource reads it, for tests: opening
// GET /api/notifications/stream/ on a raw connection and reading what it sends until a text
// appears.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace ledger::testing {

// Reads what an event stream sends, appending to `seen`, until `wanted` is in it or two seconds
// pass; answers `seen`.
inline std::string read_stream_until(boost::beast::tcp_stream& stream, std::string& seen,
                                     const std::string& wanted) {
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (seen.find(wanted) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    stream.expires_after(std::chrono::milliseconds(300));
    boost::beast::error_code error;
    const std::size_t read = stream.socket().read_some(boost::asio::buffer(buffer), error);
    if (read > 0) seen.append(buffer, read);
    if (error && error != boost::asio::error::would_block &&
        error != boost::asio::error::try_again) {
      if (error == boost::beast::error::timeout) continue;
      break;
    }
  }
  return seen;
}

// Sends GET `target` with `header_lines` (each "Name: value\r\n") on a new connection to the
// server at `port`; the answer is read with read_stream_until.
inline std::unique_ptr<boost::beast::tcp_stream> open_event_stream(
    boost::asio::io_context& io, unsigned short port, const std::string& target,
    const std::string& header_lines) {
  auto stream = std::make_unique<boost::beast::tcp_stream>(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream->connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + header_lines + "\r\n";
  boost::asio::write(stream->socket(), boost::asio::buffer(request));
  return stream;
}

// Opens the caller's notification stream on the server at `port` (resuming after
// `last_event_id` when given); the answer is read with read_stream_until.
inline std::unique_ptr<boost::beast::tcp_stream> open_notification_stream(
    boost::asio::io_context& io, unsigned short port, const std::string& token,
    const std::string& last_event_id = "") {
  std::string header_lines = "Authorization: Bearer " + token + "\r\n";
  if (!last_event_id.empty()) header_lines += "Last-Event-ID: " + last_event_id + "\r\n";
  return open_event_stream(io, port, "/api/notifications/stream/", header_lines);
}

}  // namespace ledger::testing
