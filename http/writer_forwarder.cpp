// WriterForwarder: the forward's client, an async chain on the forwarder's own io_context.
#include "http/writer_forwarder.h"

#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <charconv>

#include "core/assert.h"
#include "core/secret_token.h"

namespace ledger::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// A header value that stays one header line: printable ASCII, spaces and tabs.
bool single_line(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return false;
  }
  return true;
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

Error writer_unreachable(const std::string& url, std::string_view why) {
  return make_error(Errc::store_read_only,
                    fmt::format("this node follows the log and cannot reach the writer at {} ({}): "
                                "a failover may be under way, try again",
                                url, why));
}

}  // namespace

Result<NodeUrl> parse_node_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  auto invalid = [&](std::string_view why) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a node's URL must be http://HOST:PORT ({}), got '{}'", why,
                                  single_line(url) ? url : std::string_view("(unprintable)")));
  };
  if (!url.starts_with(kScheme)) return invalid("the scheme is http; TLS ends in front of ledgerd");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return invalid("no path, query or credentials");
  }
  NodeUrl parsed;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return invalid("an IPv6 host is [ADDRESS]:PORT");
    }
    parsed.host = std::string(rest.substr(1, close - 1));
    port_text = rest.substr(close + 2);
    beast::error_code not_an_address;
    asio::ip::make_address_v6(parsed.host, not_an_address);
    if (not_an_address) return invalid("not an IPv6 address");
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return invalid("the port is required");
    parsed.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
    if (!valid_host_name(parsed.host)) return invalid("the host is a name or an IPv4 address");
  }
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return invalid("the port is 1-65535");
  }
  parsed.port = static_cast<std::uint16_t>(port);
  parsed.authority = std::string(rest);
  return parsed;
}

Result<Request> forwarded_request(const Request& incoming, const NodeUrl& writer,
                                  std::string_view node_secret, std::string_view client_address) {
  LEDGER_ASSERT(!node_secret.empty(), "a forward carries the node secret");
  Request outgoing{incoming.method(), incoming.target(), 11};
  const std::string_view target(incoming.target().data(), incoming.target().size());
  if (!single_line(target) || target.find(' ') != std::string_view::npos) {
    return make_error(Errc::invalid_argument, "the request target is not one token");
  }
  outgoing.set(beast_http::field::host, writer.authority);
  for (const std::string_view name : kForwardedHeaders) {
    const auto found = incoming.find(beast::string_view(name.data(), name.size()));
    if (found == incoming.end()) continue;
    const std::string_view value(found->value().data(), found->value().size());
    if (!single_line(value)) {
      return make_error(
          Errc::invalid_argument,
          fmt::format("the {} header holds a line break or a control character", name),
          std::string(name));
    }
    outgoing.set(beast::string_view(name.data(), name.size()),
                 beast::string_view(value.data(), value.size()));
  }
  if (!client_address.empty() && single_line(client_address)) {
    outgoing.set(kForwardedForHeader,
                 beast::string_view(client_address.data(), client_address.size()));
  }
  outgoing.set(kNodeSecretHeader, beast::string_view(node_secret.data(), node_secret.size()));
  outgoing.body() = incoming.body();
  outgoing.keep_alive(false);
  outgoing.prepare_payload();
  return outgoing;
}

// The I/O of forwards: an io_context run by the forwarder's threads.
struct WriterForwarder::Impl {
  explicit Impl(std::size_t threads)
      : io(static_cast<int>(threads)), work(asio::make_work_guard(io)) {}
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
};

namespace {

// One forward: resolve, connect (tried twice, the second time at a re-read address, when the
// first could not connect), send, read the answer. Lives as long as its async chain.
class ForwardCall : public std::enable_shared_from_this<ForwardCall> {
 public:
  ForwardCall(asio::io_context& io, WriterForwarder& forwarder, Request incoming,
              WriterForwarder::Completion done)
      : forwarder_(forwarder),
        resolver_(io),
        stream_(io),
        incoming_(std::move(incoming)),
        done_(std::move(done)) {}

  void start(bool refresh_url) {
    url_ = forwarder_.writer_url(refresh_url);
    if (url_.empty()) {
      return finish(make_error(Errc::store_read_only,
                               "this node follows the log and no writer has published its address "
                               "(a failover may be under way): try again"));
    }
    auto writer = parse_node_url(url_);
    if (!writer) return finish(writer_unreachable(url_, writer.error().message));
    const auto peer = incoming_.find(kPeerHeader);
    const std::string_view client =
        peer == incoming_.end() ? std::string_view()
                                : std::string_view(peer->value().data(), peer->value().size());
    auto outgoing = forwarded_request(incoming_, *writer, forwarder_.options().node_secret, client);
    if (!outgoing) return finish(std::move(outgoing).error());
    outgoing_ = std::move(*outgoing);
    resolver_.async_resolve(writer->host, std::to_string(writer->port),
                            [self = shared_from_this()](beast::error_code error,
                                                        const tcp::resolver::results_type& found) {
                              if (error) return self->could_not_connect(error);
                              self->stream_.expires_after(self->timeout());
                              self->stream_.async_connect(
                                  found,
                                  [self](beast::error_code connect_error, const tcp::endpoint&) {
                                    if (connect_error)
                                      return self->could_not_connect(connect_error);
                                    self->send();
                                  });
                            });
  }

 private:
  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(forwarder_.options().forward_timeout_ms);
  }

  // Nothing was sent: the writer may have moved; one more try at the address read again.
  void could_not_connect(beast::error_code error) {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    if (!retried_) {
      retried_ = true;
      return start(/*refresh_url=*/true);
    }
    finish(writer_unreachable(url_, error.message()));
  }

  void send() {
    stream_.expires_after(timeout());
    beast_http::async_write(stream_, outgoing_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                              if (error) return self->answer_lost(error);
                              self->read_answer();
                            });
  }

  void read_answer() {
    parser_.body_limit(forwarder_.options().answer_bytes_max);
    beast_http::async_read(stream_, buffer_, parser_,
                           [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) return self->answer_lost(error);
                             self->relay();
                           });
  }

  // The request may have reached the writer: its outcome is unknown, and it is not sent again.
  void answer_lost(beast::error_code error) {
    finish(make_error(
        Errc::io_error,
        fmt::format("the writer's answer was lost ({}): the command may or may not have been "
                    "applied; retry it with the same Idempotency-Key to learn which",
                    error.message())));
  }

  void relay() {
    const auto& answer = parser_.get();
    Response relayed{answer.result(), incoming_.version()};
    for (const std::string_view name : kRelayedHeaders) {
      const auto found = answer.find(beast::string_view(name.data(), name.size()));
      if (found != answer.end()) {
        relayed.set(beast::string_view(name.data(), name.size()), found->value());
      }
    }
    relayed.body() = answer.body();
    relayed.keep_alive(incoming_.keep_alive());
    relayed.prepare_payload();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    finish(std::move(relayed));
  }

  void finish(Result<Response> answer) {
    LEDGER_ASSERT(done_ != nullptr, "a forward completes once");
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(answer));
  }

  WriterForwarder& forwarder_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  Request incoming_;
  Request outgoing_;
  std::string url_;
  bool retried_ = false;
  beast::flat_buffer buffer_;
  beast_http::response_parser<beast_http::string_body> parser_;
  WriterForwarder::Completion done_;
};

}  // namespace

WriterForwarder::WriterForwarder(ForwardingOptions options, WriterLocator locator)
    : options_(std::move(options)),
      locator_(std::move(locator)),
      impl_(std::make_unique<Impl>(std::max<std::size_t>(options_.threads, 1))) {
  LEDGER_ASSERT(options_.node_secret.size() >= 16, "the node secret has 16 bytes at least");
  LEDGER_ASSERT(locator_.is_writer && locator_.writer_url, "the locator answers both questions");
  for (std::size_t i = 0; i < std::max<std::size_t>(options_.threads, 1); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

WriterForwarder::~WriterForwarder() { stop(); }

void WriterForwarder::stop() {
  if (impl_->threads.empty()) return;
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

bool WriterForwarder::is_node_secret(std::string_view value) const {
  return constant_time_equal(value, options_.node_secret);
}

std::string WriterForwarder::writer_url(bool refresh) {
  std::lock_guard lock(url_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (refresh || cached_url_.empty() ||
      now - url_read_at_ >= std::chrono::milliseconds(options_.writer_url_refresh_ms)) {
    auto read = locator_.writer_url();
    // An address that cannot be read now is no address: the caller answers 503.
    cached_url_ = read ? std::move(*read) : std::string();
    url_read_at_ = now;
  }
  return cached_url_;
}

void WriterForwarder::forward(const Request& request, Completion done) {
  auto call = std::make_shared<ForwardCall>(impl_->io, *this, request, std::move(done));
  asio::post(impl_->io, [call] { call->start(/*refresh_url=*/false); });
}

}  // namespace ledger::http
