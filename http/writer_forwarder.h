// WriterForwarder: a follower's way to the writer, so that a client sees one API on every node
// (docs/follower-forwarding.md).
//
// With a PostgreSQL log, one node writes (it holds the writer lease) and the others follow
// (core/store/postgres_event_log.h). A request to a route that writes the log
// (RouteDeclaration::writes_log) reaching a follower is proxied to the writer: its method,
// target, body and the headers the routes read (kForwardedHeaders) go to the writer's advertised
// URL, with the hop header kNodeSecretHeader carrying the nodes' shared secret and
// X-Forwarded-For the client's address; the writer's answer (status, body, kRelayedHeaders) is
// relayed once this node's head has reached the position the answer names (X-Ledger-Position),
// so that the client's next read here sees its write.
//
// Promises and failure modes:
// - Nothing is retried once it may have reached the writer: an answer lost after the request was
//   sent (connection dropped, timeout) answers 503 io_error saying the outcome is unknown (a
//   retry with the same Idempotency-Key is safe). A forward that could not connect (nothing was
//   sent) is tried once more after re-reading the writer's address.
// - No writer address published, or none reachable: 503 store_read_only, Retry-After: 1 (a
//   failover is under way or the writer is down).
// - A forwarded request (valid hop header) reaching a node that does not write is answered 503
//   store_read_only and never forwarded again; a hop header with the wrong secret answers 403.
// - A header value that would not be a single header line (CR, LF, NUL or another control
//   character) is refused (400 naming the header) rather than copied.
// - The I/O of forwards runs on the forwarder's own threads (an io_context of `threads`): an I/O
//   thread of the server never waits for the writer. One connection per forward.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "http/http_types.h"

namespace ledger::http {

// The hop header: a request carrying it with the right secret comes from a node.
inline constexpr char kNodeSecretHeader[] = "X-Ledger-Node-Secret";
inline constexpr char kForwardedForHeader[] = "X-Forwarded-For";

// The request headers a forward carries (what the routes read), and the answer headers it relays.
inline constexpr std::string_view kForwardedHeaders[] = {
    "Content-Type",   "Authorization", "Idempotency-Key", "X-Request-Id",
    "X-Min-Position", "X-Signature",   "Accept",
};
inline constexpr std::string_view kRelayedHeaders[] = {
    "Content-Type", "X-Ledger-Position", "Idempotent-Replayed", "Retry-After",
    "Location",     "WWW-Authenticate",  "Cache-Control",
};

// An advertised node URL: http://HOST:PORT with an optional "/" (no other path, no query).
struct NodeUrl {
  std::string host;  // a name or an IP address (IPv6 without its brackets)
  std::uint16_t port = 0;
  std::string authority;  // HOST:PORT as the Host header has it
};

// Parses an advertised URL; invalid_argument saying what is wrong. Only http: ledgerd serves plain
// HTTP (TLS ends in front of it), and so does the forwarder.
Result<NodeUrl> parse_node_url(std::string_view url);

// Where the writer is and whether it is this node.
struct WriterLocator {
  std::function<bool()> is_writer;
  // The writer's advertised URL, empty when none is published (blocking: a database read).
  std::function<Result<std::string>()> writer_url;
};

struct ForwardingOptions {
  // The nodes' shared secret (ledgerd's --node-secret-file); required (16 bytes at least).
  std::string node_secret;
  std::uint64_t forward_timeout_ms = 10'000;    // connect, send and answer, per attempt
  std::uint64_t writer_url_refresh_ms = 1'000;  // the cached address is re-read this often
  std::size_t answer_bytes_max = 8 << 20;       // a larger answer of the writer is lost (503)
  std::size_t threads = 1;
};

// The request sent to the writer for `incoming`: invalid_argument (naming the header) when a
// header to copy is not a single header line. `client_address` goes into X-Forwarded-For.
Result<Request> forwarded_request(const Request& incoming, const NodeUrl& writer,
                                  std::string_view node_secret, std::string_view client_address);

class WriterForwarder {
 public:
  // The answer of the writer as this node relays it, or why there is none.
  using Completion = std::function<void(Result<Response>)>;

  WriterForwarder(ForwardingOptions options, WriterLocator locator);
  ~WriterForwarder();
  WriterForwarder(const WriterForwarder&) = delete;
  WriterForwarder& operator=(const WriterForwarder&) = delete;

  bool is_writer() const { return locator_.is_writer(); }
  // Whether `value` (a hop header) is the node secret, compared in constant time.
  bool is_node_secret(std::string_view value) const;

  // Sends `request` to the writer; `done` is called once, on a forwarder thread, with the
  // answer to relay (status, body, kRelayedHeaders) or the error to answer.
  void forward(const Request& request, Completion done);

  // The writer's address as cached (re-read when older than writer_url_refresh_ms or when
  // `refresh`); empty when none is published or it cannot be read.
  std::string writer_url(bool refresh);

  // Joins the threads; forwards still in flight are abandoned unanswered (stop the HTTP server
  // first: its drain waits for the requests in flight).
  void stop();

  const ForwardingOptions& options() const { return options_; }

 private:
  struct Impl;
  ForwardingOptions options_;
  WriterLocator locator_;
  std::mutex url_mutex_;
  std::string cached_url_;
  std::chrono::steady_clock::time_point url_read_at_{};
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledger::http
