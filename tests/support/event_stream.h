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

// Opens the caller's notification stream on the server at `port` (resuming after
// `last_event_id` when given); the answer is read with read_stream_until.
inline std::unique_ptr<boost::beast::tcp_stream> open_notification_stream(
    boost::asio::io_context& io, unsigned short port, const std::string& token,
    const std::string& last_event_id = "") {
  auto stream = std::make_unique<boost::beast::tcp_stream>(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream->connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  std::string request =
      "GET /api/notifications/stream/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
      "\r\n";
  if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
  request += "\r\n";
  boost::asio::write(stream->socket(), boost::asio::buffer(request));
  return stream;
}

}  // namespace ledger::testing
