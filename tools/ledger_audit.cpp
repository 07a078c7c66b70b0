// ledger-audit: finance's replay tool. Works on a data directory, also while ledgerd runs on it
// (the store is opened read-only), or on a backup.
//
//   ledger-audit head   --data-dir DIR             position and hash of the last record
//   ledger-audit verify --data-dir DIR [--quiet]   replays the whole log: hash chain, contiguous
//                                                  positions and stream versions, every record
//                                                  decodes; lists every finding
// Exit codes: 0 ok, 1 findings, 2 usage or I/O error.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/store/chain_verifier.h"
#include "core/store/rocksdb_event_log.h"

namespace {

namespace po = boost::program_options;
using namespace ledger;

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

struct CommonOptions {
  std::string data_dir;
  std::string format = "human";
  bool quiet = false;
};

po::options_description common_description(CommonOptions* common, const char* title) {
  po::options_description options(title);
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common->data_dir)->required(), "the ledger's data directory")(
      "format", po::value(&common->format)->default_value("human"), "human or json")(
      "quiet,q", po::bool_switch(&common->quiet), "no progress on stderr");
  return options;
}

// Parses; returns false (after printing help) when the command should not run.
bool parse(int argc, char** argv, const po::options_description& options) {
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return false;
  }
  po::notify(values);
  return true;
}

std::unique_ptr<store::RocksDbEventLog> open_read_only(const CommonOptions& common) {
  store::StoreOptions options;
  options.path = (std::filesystem::path(common.data_dir) / "store").string();
  options.read_only = true;
  options.verify_tail_records_on_open = 0;  // verify reports findings instead of refusing
  auto log = store::RocksDbEventLog::open(options);
  if (!log) {
    std::fprintf(stderr, "ledger-audit: %s\n", log.error().message.c_str());
    std::exit(kExitUsage);
  }
  return std::move(log).value();
}

int command_head(int argc, char** argv) {
  CommonOptions common;
  if (!parse(argc, argv, common_description(&common, "ledger-audit head"))) return kExitOk;
  auto log = open_read_only(common);
  const auto head = log->head();
  if (common.format == "json") {
    std::cout << nlohmann::json{{"position", head.position}, {"hash", to_hex(head.hash)}}.dump()
              << "\n";
  } else {
    std::cout << head.position << ":" << to_hex(head.hash) << "\n";
  }
  return kExitOk;
}

int command_verify(int argc, char** argv) {
  CommonOptions common;
  if (!parse(argc, argv, common_description(&common, "ledger-audit verify"))) return kExitOk;
  auto log = open_read_only(common);
  const std::uint64_t head = log->head().position;
  const bool show_progress = !common.quiet && isatty(STDERR_FILENO);
  store::ChainVerifier verifier({}, /*check_stream_versions=*/true);
  const auto started = std::chrono::steady_clock::now();
  auto last_progress = started;
  auto status = log->scan_records(0, [&](std::uint64_t position, std::string_view record) {
    verifier.visit(position, record);
    if (show_progress && (position & 0xFFFF) == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_progress > std::chrono::milliseconds(200)) {
        last_progress = now;
        const double seconds = std::chrono::duration<double>(now - started).count();
        const double rate = static_cast<double>(position) / seconds;
        std::fprintf(stderr, "\rverify: %llu / %llu events, %.0f events/s, ETA %.0f s   ",
                     static_cast<unsigned long long>(position),
                     static_cast<unsigned long long>(head), rate,
                     rate > 0 ? static_cast<double>(head - position) / rate : 0.0);
      }
    }
    return true;
  });
  if (show_progress) std::fprintf(stderr, "\r%80s\r", "");
  if (!status) {
    std::fprintf(stderr, "ledger-audit: %s\n", status.error().message.c_str());
    return kExitUsage;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto events = verifier.records_visited();
  const double per_second = seconds > 0 ? static_cast<double>(events) / seconds : 0;
  if (common.format == "json") {
    for (const auto& finding : verifier.findings()) {
      std::cout << nlohmann::json{{"position", finding.position},
                                  {"kind", finding.kind},
                                  {"message", finding.message}}
                       .dump()
                << "\n";
    }
    std::cout << nlohmann::json{{"events", events},
                                {"events_per_second", static_cast<std::uint64_t>(per_second)},
                                {"findings", verifier.findings().size()},
                                {"head", to_hex(verifier.last().hash)}}
                     .dump()
              << "\n";
  } else {
    for (const auto& finding : verifier.findings()) {
      std::cout << "position " << finding.position << ": " << finding.kind << ": "
                << finding.message << "\n";
    }
    std::printf("verified %llu events in %.2f s (%.0f events/s): %zu findings\n",
                static_cast<unsigned long long>(events), seconds, per_second,
                verifier.findings().size());
  }
  return verifier.findings().empty() ? kExitOk : kExitFindings;
}

void usage() {
  std::fprintf(stderr,
               "usage: ledger-audit COMMAND --data-dir DIR [options]  (COMMAND --help for more)\n"
               "  head     position and hash of the last record\n"
               "  verify   replay the whole log and report every finding\n"
               "exit codes: 0 ok, 1 findings, 2 usage or I/O error\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return kExitUsage;
  }
  const std::string command = argv[1];
  try {
    if (command == "head") return command_head(argc - 1, argv + 1);
    if (command == "verify") return command_verify(argc - 1, argv + 1);
    if (command == "--help" || command == "-h") {
      usage();
      return kExitOk;
    }
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledger-audit %s: %s\n", command.c_str(), error.what());
    return kExitUsage;
  }
  usage();
  return kExitUsage;
}
