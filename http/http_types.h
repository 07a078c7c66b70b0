// The request and response types handlers see, and the one-shot reply function.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>

namespace ledger::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// The client's address, set by the server on every request (any value the client sent is
// replaced), for per-IP rate limits.
inline constexpr char kPeerHeader[] = "X-Ledger-Peer";

// Sends the response for a request. Call exactly once, from any thread.
using Reply = std::function<void(Response)>;

}  // namespace ledger::http
