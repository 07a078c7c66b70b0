// ledgerd as a real process for tests: spawned on a free loopback port with a data dir, its
// stdout captured line by line; killed with SIGKILL on destruction if still running.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

extern char** environ;

namespace ledger::testing {

// A running ledgerd whose stdout is captured; killed on destruction if still running.
class LedgerdProcess {
 public:
  explicit LedgerdProcess(const std::string& data_dir, std::vector<std::string> extra = {}) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const std::string program = LEDGER_LEDGERD;
    std::vector<std::string> args = {program,       "--data-dir", data_dir, "--listen",
                                     "127.0.0.1:0", "--threads",  "2"};
    args.insert(args.end(), extra.begin(), extra.end());
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

  // The first admin's password, from the 0600 file ledgerd writes on first start (after the
  // "created admin" line).
  static std::string admin_password(const std::string& data_dir) {
    std::ifstream file(data_dir + "/initial-admin-password");
    std::string password;
    std::getline(file, password);
    REQUIRE_MESSAGE(!password.empty(), "no initial admin password in " << data_dir);
    return password;
  }

  // Every line read from stdout so far.
  const std::string& seen() const { return seen_; }

  pid_t pid() const { return pid_; }

  // A line of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"), 0 when absent.
  std::uint64_t memory_kib(const std::string& field) const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
    }
    return 0;
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

}  // namespace ledger::testing
