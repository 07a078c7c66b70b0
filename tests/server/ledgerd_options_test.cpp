// ledgerd's options are checked at start, whatever their source (command line, LEDGER_*
// environment, --config file): a value outside its range exits with code 2 and a message naming
// the option, instead of a server that starts and then fails every request (a token lifetime of
// 0 hours made every login 400). The boundaries themselves are accepted.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <regex>

#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using testing::LedgerdProcess;
using testing::TempDirectory;

// Runs ledgerd with `arguments` (after a data dir and a free port) and answers what it did.
testing::ToolRun run_ledgerd(const TempDirectory& dir, const std::string& arguments) {
  return testing::run_tool(
      LEDGER_LEDGERD, "--data-dir " + dir.string() + "/data --listen 127.0.0.1:0 " + arguments);
}

struct BadOption {
  std::string arguments;
  std::string option;  // the name the message must give
};

TEST_CASE("every ledgerd option out of its range is refused at start with exit code 2, naming it") {
  TempDirectory dir;
  const std::vector<BadOption> cases = {
      {"--token-lifetime-hours 0", "--token-lifetime-hours"},
      {"--token-lifetime-hours 87601", "--token-lifetime-hours"},
      {"--token-lifetime-hours 18446744073709551615", "--token-lifetime-hours"},
      {"--token-lifetime-hours -1", "--token-lifetime-hours"},
      {"--threads 257", "--threads"},
      {"--password-cost 9", "--password-cost"},
      {"--password-cost 21", "--password-cost"},
      {"--body-limit 0", "--body-limit"},
      {"--body-limit 67108865", "--body-limit"},
      {"--header-limit 0", "--header-limit"},
      {"--upload-limit-mib 0", "--upload-limit-mib"},
      {"--request-timeout-ms 0", "--request-timeout-ms"},
      {"--idle-timeout-ms 0", "--idle-timeout-ms"},
      {"--max-connections 0", "--max-connections"},
      {"--sweep-interval-ms 0", "--sweep-interval-ms"},
      {"--resume-interval-ms 0", "--resume-interval-ms"},
      {"--email-interval-ms 0", "--email-interval-ms"},
      {"--min-position-wait-ms 0", "--min-position-wait-ms"},
      {"--min-position-wait-ms 60001", "--min-position-wait-ms"},
      {"--follow-poll-ms 9", "--follow-poll-ms"},
      {"--lease-timeout-ms 1999", "--lease-timeout-ms"},
      {"--follow-poll-ms 500 --lease-timeout-ms 999", "--lease-timeout-ms"},
      {"--login-limit 0", "--login-limit"},
      {"--login-limit nan", "--login-limit"},
      {"--login-limit 1000001", "--login-limit"},
      {"--listen localhost:8080", "--listen"},
      {"--listen 127.0.0.1:65536", "--listen"},
      {"--listen 127.0.0.1:80x", "--listen"},
      {"--metrics-listen 127.0.0.1", "--metrics-listen"},
      {"--email-from no-reply", "--email-from"},
      {"--email-from 'a b@example.com'", "--email-from"},
      {"--smtp-relay relay.example.com", "--smtp-relay"},
      {"--smtp-relay relay.example.com:0", "--smtp-relay"},
      {"--smtp-ca-file " + dir.string() + "/missing.pem", "--smtp-ca-file"},
      {"--webhook-secret short", "--webhook-secret"},
      {"--cors-origin '*'", "--cors-origin"},
      {"--cors-origin null", "--cors-origin"},
      {"--cors-origin https://app.example.com/", "--cors-origin"},
      {"--cors-origin https://app.example.com --cors-origin https://*.example.com",
       "--cors-origin"},
      {"--advertise-url http://10.0.0.1:8080", "--advertise-url"},  // without --store
      {"--store postgresql:///x --advertise-url https://10.0.0.1:8080", "--advertise-url"},
      {"--store postgresql:///x --advertise-url http://10.0.0.1:8080/api", "--advertise-url"},
      {"--store postgresql:///x --advertise-url http://10.0.0.1", "--advertise-url"},
      {"--node-secret-file " + dir.string() + "/secret", "--node-secret-file"},
  };
  for (const auto& bad : cases) {
    CAPTURE(bad.arguments);
    // --listen is given twice in the --listen cases: the later one is the bad one.
    const auto run = bad.option == "--listen"
                         ? testing::run_tool(LEDGER_LEDGERD, "--data-dir " + dir.string() +
                                                                 "/data " + bad.arguments)
                         : run_ledgerd(dir, bad.arguments);
    CHECK(run.exit_code == 2);
    CHECK_MESSAGE(run.output.find(bad.option) != std::string::npos, run.output);
  }
  // Listening on every address, a node of a PostgreSQL log has no address to default to.
  const auto unspecified =
      testing::run_tool(LEDGER_LEDGERD, "--data-dir " + dir.string() +
                                            "/data --store postgresql:///x --listen 0.0.0.0:0");
  CHECK(unspecified.exit_code == 2);
  CHECK_MESSAGE(unspecified.output.find("--advertise-url is required") != std::string::npos,
                unspecified.output);
  CHECK(!std::filesystem::exists(dir.path() / "data"));  // refused before anything was created
}

TEST_CASE("values from the environment and from --config are checked like the command line's") {
  TempDirectory dir;
  ::setenv("LEDGER_TOKEN_LIFETIME_HOURS", "0", 1);
  auto from_environment = run_ledgerd(dir, "");
  ::unsetenv("LEDGER_TOKEN_LIFETIME_HOURS");
  CHECK(from_environment.exit_code == 2);
  CHECK(from_environment.output.find("--token-lifetime-hours") != std::string::npos);

  ::setenv("LEDGER_EMAIL_FROM", "a@example.com\r\nBcc: b@example.com", 1);
  auto header_injection = run_ledgerd(dir, "");
  ::unsetenv("LEDGER_EMAIL_FROM");
  CHECK(header_injection.exit_code == 2);
  CHECK(header_injection.output.find("--email-from") != std::string::npos);

  const std::string config = dir.string() + "/ledgerd.conf";
  std::ofstream(config) << "idle-timeout-ms=18446744073709551615\n";
  auto from_config = run_ledgerd(dir, "--config " + config);
  CHECK(from_config.exit_code == 2);
  CHECK(from_config.output.find("--idle-timeout-ms") != std::string::npos);
}

// Starts ledgerd with `extra` and answers whether it served, then stops it.
bool serves_with(const TempDirectory& dir, const std::vector<std::string>& extra) {
  LedgerdProcess ledgerd(dir.string(), extra);
  ledgerd.wait_for_line(std::regex("listening on"));
  return ledgerd.terminate_and_wait(SIGTERM) == 0;
}

TEST_CASE("the boundaries of every ledgerd option's range are accepted") {
  TempDirectory dir;
  const std::string ca_file = dir.string() + "/ca.pem";
  std::ofstream(ca_file) << "not used without --smtp-relay\n";
  CHECK(serves_with(dir,
                    {"--password-cost",      "10",    "--body-limit",           "1024",
                     "--header-limit",       "1024",  "--upload-limit-mib",     "1",
                     "--request-timeout-ms", "100",   "--idle-timeout-ms",      "100",
                     "--max-connections",    "1",     "--token-lifetime-hours", "1",
                     "--sweep-interval-ms",  "10",    "--resume-interval-ms",   "10",
                     "--email-interval-ms",  "10",    "--min-position-wait-ms", "1",
                     "--login-limit",        "1",     "--webhook-secret",       "0123456789abcdef",
                     "--smtp-ca-file",       ca_file, "--metrics-listen",       "127.0.0.1:0"}));
  CHECK(serves_with(dir, {"--password-cost", "10", "--cors-origin", "https://app.example.com",
                          "--cors-origin", "http://127.0.0.1:3000"}));
  // The first start created the admin: the highest password cost hashes nothing here.
  CHECK(serves_with(
      dir,
      {"--password-cost",      "20",       "--body-limit",           "67108864",
       "--header-limit",       "1048576",  "--upload-limit-mib",     "4096",
       "--request-timeout-ms", "3600000",  "--idle-timeout-ms",      "86400000",
       "--max-connections",    "1000000",  "--token-lifetime-hours", "87600",
       "--sweep-interval-ms",  "86400000", "--resume-interval-ms",   "3600000",
       "--email-interval-ms",  "86400000", "--min-position-wait-ms", "60000",
       "--login-limit",        "1000000",  "--email-from",           "billing@agency.example"}));
}

TEST_CASE(
    "ledgerd --print-openapi prints the document it serves at /openapi.json and exits 0, "
    "without touching the data directory") {
  TempDirectory dir;
  const auto printed = run_ledgerd(dir, "--print-openapi");
  CHECK(printed.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(dir.string() + "/data"));
  const auto document = nlohmann::json::parse(printed.output);
  CHECK(document["openapi"] == "3.0.3");

  LedgerdProcess ledgerd(dir.string() + "/served");
  const auto port = static_cast<unsigned short>(
      std::stoi(ledgerd.wait_for_line(std::regex("listening on http://127.0.0.1:(\\d+)"))));
  testing::HttpClient client("127.0.0.1", port);
  const auto served = client.get("/openapi.json");
  REQUIRE(served.status == 200);
  CHECK(served.json() == document);
}

}  // namespace
}  // namespace ledger
