// ledgerd and its code MAC key (DATA_DIR/secrets/code-mac-key): made on the first start and kept
// across restarts; a damaged key stops ledgerd before it opens the store.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/ledgerd_process.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

std::string key_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void start_and_stop(const std::string& data_dir) {
  testing::LedgerdProcess ledgerd(data_dir, {"--password-cost", "10"});
  ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
}

TEST_CASE("ledgerd makes its code MAC key on the first start, owner-only, and keeps it") {
  testing::TempDirectory dir;
  const auto path = dir.path() / "secrets" / "code-mac-key";
  start_and_stop(dir.string());
  REQUIRE(std::filesystem::exists(path));
  const std::string first = key_bytes(path);
  CHECK(first.size() == 32);
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);
  start_and_stop(dir.string());
  CHECK(key_bytes(path) == first);
}

TEST_CASE("ledgerd refuses to start when its code MAC key is not 32 bytes") {
  testing::TempDirectory dir;
  const auto path = dir.path() / "secrets" / "code-mac-key";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << std::string(31, 'k');
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  // `timeout` turns a ledgerd that started anyway into exit code 124 instead of a hung test.
  auto run = testing::run_tool("timeout 30 " + std::string(LEDGER_LEDGERD),
                               "--data-dir " + dir.string() + " --listen 127.0.0.1:0");
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("code-mac-key") != std::string::npos);
  CHECK(run.output.find("exactly 32 bytes") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "store"));
  CHECK(key_bytes(path) == std::string(31, 'k'));
}

}  // namespace
}  // namespace ledger
