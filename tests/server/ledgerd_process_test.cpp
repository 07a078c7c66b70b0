// ledgerd as operators run it: a real process on a free loopback port with a temporary data dir.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include "tests/support/http_client.h"
#include "tests/support/temp_directory.h"

extern char** environ;

namespace ledger {
namespace {

// A running ledgerd whose stdout is captured; killed on destruction if still running.
class LedgerdProcess {
 public:
  explicit LedgerdProcess(const std::string& data_dir) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const std::string program = LEDGER_LEDGERD;
    std::vector<std::string> args = {program,       "--data-dir", data_dir, "--listen",
                                     "127.0.0.1:0", "--threads",  "2"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    output_fd_ = fds[0];
  }
  ~LedgerdProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(output_fd_);
  }

  // Reads stdout until a line matches `pattern` (or 30 s pass); returns the first capture.
  std::string wait_for_line(const std::regex& pattern) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch match;
      std::size_t newline;
      while ((newline = output_.find('\n')) != std::string::npos) {
        const std::string line = output_.substr(0, newline);
        output_.erase(0, newline + 1);
        seen_ += line + "\n";
        if (std::regex_search(line, match, pattern))
          return match.size() > 1 ? match[1].str() : std::string();
      }
      pollfd poll_fd{output_fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, 100) > 0) {
        char buffer[1024];
        const ssize_t count = ::read(output_fd_, buffer, sizeof(buffer));
        if (count <= 0) break;
        output_.append(buffer, static_cast<std::size_t>(count));
      }
    }
    FAIL("ledgerd did not print the expected line; it printed:\n" << seen_);
    return {};
  }

  int terminate_and_wait(int signal_number) {
    ::kill(pid_, signal_number);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  std::string output_;
  std::string seen_;
};

TEST_CASE("ledgerd serves health and the log head, and closes the store cleanly on SIGTERM") {
  testing::TempDirectory dir;
  LedgerdProcess ledgerd(dir.string());
  const std::string password =
      ledgerd.wait_for_line(std::regex("created admin@localhost with password (\\S+)"));
  const std::string port =
      ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  {
    testing::HttpClient client("127.0.0.1", static_cast<unsigned short>(std::stoi(port)));
    auto health = client.get("/healthz");
    CHECK(health.status == 200);
    CHECK(health.json()["status"] == "ok");
    auto head = client.get("/api/ledger/head/");  // same connection: keep-alive
    CHECK(head.status == 200);
    CHECK(head.json()["position"] == 1);  // the first admin
    CHECK(head.json()["hash"].get<std::string>().size() == 64);
    CHECK(head.header("X-Ledger-Position") == "1");
    auto login = client.request(boost::beast::http::verb::post, "/api/auth/login/",
                                nlohmann::json{{"email", "admin@localhost"},
                                               {"password", password}}
                                    .dump());
    CHECK(login.status == 200);
    auto missing = client.get("/api/ledger/head");  // no trailing slash: not the same path
    CHECK(missing.status == 404);
    CHECK(missing.header("Content-Type") == "application/problem+json");
    CHECK(missing.json()["status"] == 404);
    auto metrics = client.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("ledger_http_requests_total{route=\"/healthz\",method=\"GET\","
                            "status=\"200\"} 1") != std::string::npos);
    CHECK(metrics.body.find("ledger_log_head_position 2") != std::string::npos);
    CHECK(metrics.body.find("ledger_sequencer_batch_size_bucket") != std::string::npos);
  }
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  LedgerdProcess again(dir.string());  // the store reopens: it was closed cleanly
  const std::string second = again.wait_for_line(std::regex("(created admin|listening on)"));
  CHECK(second == "listening on");  // the admin exists: no new password
  CHECK(again.terminate_and_wait(SIGINT) == 0);
}

TEST_CASE("ledgerd refuses a malformed --listen with exit code 2") {
  testing::TempDirectory dir;
  const std::string program = LEDGER_LEDGERD;
  const std::string command =
      program + " --data-dir " + dir.string() + " --listen nonsense 2>/dev/null";
  const int status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 2);
}

}  // namespace
}  // namespace ledger
