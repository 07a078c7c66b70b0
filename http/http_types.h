// The request and response types handlers see, and the one-shot reply function.
#pragma once

#include <atomic>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// The client's address, set by the server on every request (any value the client sent is
// replaced), for per-IP rate limits.
inline constexpr char kPeerHeader[] = "X-Ledger-Peer";

// The source of a streamed answer (Server-Sent Events): the server polls it on the connection's
// thread (its event loop's) every few hundred milliseconds and writes what it returns; an empty
// string means nothing new. An error ends the stream.
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  virtual std::string poll() = 0;
  virtual bool finished() const { return false; }
};

// Answers a request: call it (or `stream`, or `file`) once, from any thread. Copies share one
// answer: only the first call of any copy answers, later ones are ignored (so the server's
// exception guard can answer 500 without ever answering a request twice).
//
// A Reply is one shared pointer to its request's Target: copying one allocates nothing, and the
// server makes one Target per request (one allocation), whatever the handlers do with copies.
class Reply {
 public:
  using Send = std::function<void(Response)>;
  using Stream = std::function<void(Response head, std::shared_ptr<StreamSource> source)>;
  using File = std::function<void(Response head, std::filesystem::path path)>;
  using Work = std::function<void()>;
  using Later = std::function<void(Work work)>;

  // Where a request's answer goes: the connection (http/session.h), or a stand-in in tests. Reply
  // calls at most one of send, stream or file, once. The defaults are what a target without
  // streams, files or a thread of its own does.
  class Target {
   public:
    virtual ~Target() = default;
    virtual void send(Response response) = 0;
    // Answers 501: streaming is not supported.
    virtual void stream(Response head, std::shared_ptr<StreamSource> source);
    // Reads the file whole into the body.
    virtual void file(Response head, std::filesystem::path path);
    // Runs `work` at once, on the caller's thread.
    virtual void later(Work work);

   private:
    friend class Reply;
    std::atomic<bool> answered_{false};
  };

  Reply() = default;
  explicit Reply(std::shared_ptr<Target> target) : target_(std::move(target)) {}
  // A Reply whose target calls these functions (an empty one: the Target default).
  Reply(Send send, Stream stream = {}, File file = {}, Later later = {});

  void operator()(Response response) const {
    if (take_answer()) target_->send(std::move(response));
  }

  // Sends `head` (status and headers; the body is ignored) and then, until the client goes away
  // or the server drains, whatever `source` yields. Without streaming support, answers 501.
  void stream(Response head, std::shared_ptr<StreamSource> source) const {
    if (take_answer()) target_->stream(std::move(head), std::move(source));
  }

  // Sends `head` (status and headers) with the file at `path` as the body, read from disk in
  // pieces as the client takes them. Without file support, the file is read whole into the body.
  void file(Response head, std::filesystem::path path) const {
    if (take_answer()) target_->file(std::move(head), std::move(path));
  }

  // Runs `work` on the connection's own thread, later; without one (a Reply made by a test), at
  // once on the caller's. For callers on a thread that must not build answers: the sequencer's
  // writer hands its typed answer over, and the answer is rendered where it is sent.
  void on_connection(Work work) const {
    if (target_) {
      target_->later(std::move(work));
    } else {
      work();
    }
  }

  // True once any copy has answered.
  bool answered() const { return target_ == nullptr || target_->answered_.load(); }

 private:
  // True for the first answer only (and never for a Reply that cannot answer).
  bool take_answer() const { return target_ != nullptr && !target_->answered_.exchange(true); }

  std::shared_ptr<Target> target_;
};

// A request body taken in pieces as it arrives (uploads), instead of whole in Request::body():
// see Router::add_streamed. Destroyed without finish() when the request is abandoned (the client
// went away, a limit was hit): it must then leave nothing behind.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next piece of the body; an error refuses the request with that error.
  virtual Status write(std::string_view bytes) = 0;
  // The whole body arrived: answer the request through `reply`, exactly once.
  virtual void finish(Reply reply) = 0;
};

}  // namespace ledger::http
