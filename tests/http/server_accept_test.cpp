// The listener out of file descriptors (http/server.cpp): a failed accept is retried after a
// short wait instead of at once, the connections already open go on being served meanwhile, and
// the connection left waiting in the backlog is accepted and answered once a descriptor frees.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace ledger::http {
namespace {

using boost::beast::http::verb;
using testing::HttpClient;

// CPU seconds this process has used (every thread: here, the server's one loop and this test).
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Lowers this process's descriptor limit, then takes every free descriptor; gives them back
// (and the limit) when released or destroyed.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved_) == 0);
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 1024);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    for (;;) {
      const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      taken_.push_back(fd);
    }
    REQUIRE(errno == EMFILE);
  }
  ~DescriptorExhaustion() { release_all(); }
  DescriptorExhaustion(const DescriptorExhaustion&) = delete;
  DescriptorExhaustion& operator=(const DescriptorExhaustion&) = delete;

  void release_one() {
    REQUIRE(!taken_.empty());
    close(taken_.back());
    taken_.pop_back();
  }
  void release_all() {
    for (int fd : taken_) close(fd);
    taken_.clear();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> taken_;
};

TEST_CASE("out of descriptors, the listener waits between accepts and serves on when one frees") {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers' runtime needs descriptors of its own (it probes memory through a pipe before
  // reporting on it), so with none free UBSan reports objects as invalid that are not.
  MESSAGE("not run under the sanitizers: it takes every file descriptor of the process");
  return;
#endif
  Router router;
  router.add(verb::get, "/ok/", [](const Request& request, const PathParams&, const Reply& reply) {
    Response response(beast_http::status::ok, request.version());
    response.keep_alive(request.keep_alive());
    response.body() = "ok";
    response.prepare_payload();
    reply(std::move(response));
  });
  ServerOptions options;
  options.listen_port = 0;
  options.threads = 1;
  HttpServer server(options, router);
  REQUIRE(server.start().ok());

  HttpClient open_before("127.0.0.1", server.port());
  REQUIRE(open_before.get("/ok/").status == 200);

  DescriptorExhaustion exhaustion;
  exhaustion.release_one();
  // A raw socket takes the freed descriptor (and needs no other); the kernel completes its
  // connection into the listener's backlog, and every accept of it fails with EMFILE.
  const int waiting = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(waiting >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(waiting, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  const std::string request = "GET /ok/ HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  REQUIRE(write(waiting, request.data(), request.size()) == static_cast<ssize_t>(request.size()));

  // Connections already open are still served.
  CHECK(open_before.get("/ok/").status == 200);

  // A listener that accepted again at once would spin its loop for all of this second; waiting
  // between accepts costs a few wake-ups.
  const double cpu_before = process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double cpu_spent = process_cpu_seconds() - cpu_before;
  CHECK(cpu_spent < 0.1);

  // Not answered while the server has no descriptor for it.
  pollfd readable{waiting, POLLIN, 0};
  CHECK(poll(&readable, 1, 0) == 0);

  exhaustion.release_all();
  std::string answer;
  char buffer[512];
  for (;;) {  // the server closes the connection after its answer
    const ssize_t got = read(waiting, buffer, sizeof buffer);
    if (got <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(got));
  }
  close(waiting);
  CHECK(answer.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(open_before.get("/ok/").status == 200);
  server.stop();
}

}  // namespace
}  // namespace ledger::http
