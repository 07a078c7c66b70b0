// The request and response types handlers see, and the one-shot reply function.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>

namespace ledger::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// The client's address, set by the server on every request (any value the client sent is
// replaced), for per-IP rate limits.
inline constexpr char kPeerHeader[] = "X-Ledger-Peer";

// The source of a streamed answer (Server-Sent Events): the server polls it on the connection's
// strand every few hundred milliseconds and writes what it returns; an empty string means
// nothing new. An error ends the stream.
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  virtual std::string poll() = 0;
  virtual bool finished() const { return false; }
};

// Answers a request: call it (or `stream`) exactly once, from any thread.
class Reply {
 public:
  using Send = std::function<void(Response)>;
  using Stream = std::function<void(Response head, std::shared_ptr<StreamSource> source)>;

  Reply() = default;
  Reply(Send send, Stream stream = {}) : send_(std::move(send)), stream_(std::move(stream)) {}

  void operator()(Response response) const { send_(std::move(response)); }

  // Sends `head` (status and headers; the body is ignored) and then, until the client goes away
  // or the server drains, whatever `source` yields. Without streaming support, answers 501.
  void stream(Response head, std::shared_ptr<StreamSource> source) const;

 private:
  Send send_;
  Stream stream_;
};

}  // namespace ledger::http
