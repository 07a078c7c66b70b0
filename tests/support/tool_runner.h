// Runs one of the command-line tools as a child process and captures what it prints.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace ledger::testing {

struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together

  // The last line, parsed (the summary line of --format json).
  nlohmann::json last_json() const {
    const auto end = output.find_last_not_of('\n');
    const auto newline = output.rfind('\n', end);
    const auto start = newline == std::string::npos ? 0 : newline + 1;
    return nlohmann::json::parse(output.substr(start, end - start + 1));
  }
};

inline ToolRun run_tool(const std::string& program, const std::string& arguments) {
  const std::string command = program + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  ToolRun run;
  char buffer[4096];
  while (std::size_t read = std::fread(buffer, 1, sizeof(buffer), pipe)) {
    run.output.append(buffer, read);
  }
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace ledger::testing
