// The server's exception guard: route code that throws, wherever it runs (a handler, an upload's
// head, piece or finish, an event stream, a completion on another thread), is answered 500 with
// a problem document naming the request id, logged with that id, and the server goes on.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/json_response.h"
#include "http/request_guard.h"
#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_directory.h"

namespace ledger::http {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;

// Collects what is written to stderr while it lives.
class CapturedStderr {
 public:
  CapturedStderr() : file_(directory_.child("stderr")) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    REQUIRE(std::freopen(file_.c_str(), "w", stderr) != nullptr);
  }
  ~CapturedStderr() { restore(); }

  std::string text() {
    restore();
    std::ifstream in(file_);
    std::stringstream read;
    read << in.rdbuf();
    return read.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }

  testing::TempDirectory directory_;
  std::string file_;
  int saved_ = -1;
};

struct ThrowingSink : BodySink {
  bool throw_on_write = false;
  Status write(std::string_view) override {
    if (throw_on_write) throw std::runtime_error("the sink broke on a piece");
    return {};
  }
  void finish(Reply) override { throw std::runtime_error("the sink broke on finish"); }
};

struct ThrowingSource : StreamSource {
  std::string poll() override { throw std::runtime_error("the source broke"); }
};

Router throwing_router() {
  Router router;
  router.add(verb::get, "/ok/", [](const Request& request, const PathParams&, const Reply& reply) {
    reply(json_response(request, beast_http::status::ok, {{"ok", true}}));
  });
  router.add(verb::get, "/throws/", [](const Request&, const PathParams&, const Reply&) {
    throw std::runtime_error("the handler broke");
  });
  router.add(verb::get, "/throws-anything/",
             [](const Request&, const PathParams&, const Reply&) { throw 42; });
  // Answers from another thread through run_guarded, as the sequencer's completions do.
  router.add(verb::get, "/throws-later/",
             [](const Request& request, const PathParams&, const Reply& reply) {
               auto kept = std::make_shared<Request>(request);
               std::thread([kept, reply] {
                 run_guarded(*kept, reply,
                             [] { throw std::runtime_error("the completion broke"); });
               }).detach();
             });
  router.add(verb::get, "/stream/",
             [](const Request& request, const PathParams&, const Reply& reply) {
               Response head(beast_http::status::ok, request.version());
               head.set(beast_http::field::content_type, "text/event-stream");
               reply.stream(std::move(head), std::make_shared<ThrowingSource>());
             });
  router.add_streamed(
      verb::post, "/upload-head/",
      [](const Request&, const PathParams&) -> Result<std::unique_ptr<BodySink>> {
        throw std::runtime_error("the upload head broke");
      },
      1 << 20);
  router.add_streamed(
      verb::post, "/upload-piece/",
      [](const Request&, const PathParams&) -> Result<std::unique_ptr<BodySink>> {
        auto sink = std::make_unique<ThrowingSink>();
        sink->throw_on_write = true;
        return std::unique_ptr<BodySink>(std::move(sink));
      },
      1 << 20);
  router.add_streamed(
      verb::post, "/upload-finish/",
      [](const Request&, const PathParams&) -> Result<std::unique_ptr<BodySink>> {
        return std::unique_ptr<BodySink>(std::make_unique<ThrowingSink>());
      },
      1 << 20);
  return router;
}

struct GuardedServer {
  Router router = throwing_router();
  std::unique_ptr<HttpServer> server;

  GuardedServer() {
    ServerOptions options;
    options.listen_port = 0;
    options.threads = 2;
    server = std::make_unique<HttpServer>(options, router);
    REQUIRE(server->start().ok());
  }
  ~GuardedServer() { server->stop(); }

  HttpAnswer call(verb method, const std::string& target, const std::string& body = "",
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpClient client("127.0.0.1", server->port());
    return client.request(method, target, body, headers);
  }
};

void check_unexpected_failure(const HttpAnswer& answer, const std::string& log) {
  CHECK(answer.status == 500);
  CHECK(answer.header("Content-Type") == "application/problem+json");
  const std::string request_id = answer.header("X-Request-Id");
  REQUIRE_FALSE(request_id.empty());
  CHECK(answer.json()["code"] == "internal");
  CHECK(answer.json()["detail"].get<std::string>().find(request_id) != std::string::npos);
  CHECK(log.find("ledgerd: request " + request_id + " ") != std::string::npos);
}

TEST_CASE(
    "a handler that throws is answered 500 naming the request id, logged with that id, "
    "and the server goes on") {
  GuardedServer f;
  for (const char* target : {"/throws/", "/throws-anything/", "/throws-later/"}) {
    CAPTURE(target);
    CapturedStderr captured;
    const auto answer = f.call(verb::get, target);
    check_unexpected_failure(answer, captured.text());
    CHECK(f.call(verb::get, "/ok/").status == 200);
  }
  // On one keep-alive connection too: the next request is served.
  HttpClient client("127.0.0.1", f.server->port());
  CapturedStderr captured;
  CHECK(client.request(verb::get, "/throws/").status == 500);
  CHECK(client.request(verb::get, "/ok/").status == 200);
  CHECK(captured.text().find("the handler broke") != std::string::npos);
}

TEST_CASE(
    "an upload route that throws on the head, on a piece or on finish is answered 500, and "
    "the server goes on") {
  GuardedServer f;
  for (const char* target : {"/upload-head/", "/upload-piece/", "/upload-finish/"}) {
    CAPTURE(target);
    CapturedStderr captured;
    const auto answer = f.call(verb::post, target, std::string(1000, 'x'));
    check_unexpected_failure(answer, captured.text());
    CHECK(f.call(verb::get, "/ok/").status == 200);
  }
}

TEST_CASE("an event stream whose source throws is closed and logged, and the server goes on") {
  GuardedServer f;
  CapturedStderr captured;
  const auto answer = f.call(verb::get, "/stream/");
  CHECK(answer.status == 200);
  const std::string request_id = answer.header("X-Request-Id");
  REQUIRE_FALSE(request_id.empty());
  const std::string log = captured.text();
  CHECK(log.find("ledgerd: request " + request_id +
                 " GET /stream/: unhandled exception: the "
                 "source broke") != std::string::npos);
  CHECK(f.call(verb::get, "/ok/").status == 200);
}

TEST_CASE("every answer carries a request id: the client's when well formed, else a new one") {
  GuardedServer f;
  CHECK(f.call(verb::get, "/ok/", "", {{"X-Request-Id", "trace-7"}}).header("X-Request-Id") ==
        "trace-7");
  const auto first = f.call(verb::get, "/ok/").header("X-Request-Id");
  const auto second = f.call(verb::get, "/missing/").header("X-Request-Id");
  CHECK_FALSE(first.empty());
  CHECK_FALSE(second.empty());
  CHECK(first != second);
  const auto replaced =
      f.call(verb::get, "/ok/", "", {{"X-Request-Id", "two words"}}).header("X-Request-Id");
  CHECK_FALSE(replaced.empty());
  CHECK(replaced != "two words");
}

TEST_CASE("a log line escapes what the client sent, so it stays one line") {
  Request request(verb::get, "/a\nb/\xff", 11);
  request.set(kRequestIdHeader, "id-1");
  CapturedStderr captured;
  log_request_failure(request, "broke\r\nledgerd: forged line");
  const std::string log = captured.text();
  CHECK(log == "ledgerd: request id-1 GET /a\\x0ab/\\xff: broke\\x0d\\x0aledgerd: forged line\n");
}

TEST_CASE("a reply answers once, whichever of its copies is called") {
  int sent = 0;
  Reply reply([&](const Response&) { ++sent; });
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization): the copy is what is tested.
  const Reply copy = reply;
  CHECK_FALSE(copy.answered());
  reply(Response());
  copy(Response());
  reply.stream(Response(), std::make_shared<ThrowingSource>());
  CHECK(sent == 1);
  CHECK(copy.answered());
}

}  // namespace
}  // namespace ledger::http
