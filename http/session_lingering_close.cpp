// Session: the lingering close after a refused request.
#include <chrono>

#include "http/session.h"

namespace ledger::http {

// After refusing a request whose body was not read (413, 431, 400), the client may still be
// sending it. Closing at once would make the kernel reset the connection and the client could
// lose the answer; so stop sending, read and drop what arrives for a while, then close.
void Session::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::milliseconds(kLingerMs));
  drain();
}

void Session::drain() {
  if (!discard_) discard_ = std::make_unique<std::array<char, kDiscardBytes>>();
  stream_.async_read_some(asio::buffer(*discard_),
                          [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                            self->drained_ += bytes;
                            if (error || self->drained_ > kLingerBytesMax) return self->close();
                            self->drain();
                          });
}

}  // namespace ledger::http
