// ledgerctl: the operators' command line.
//
//   ledgerctl stats   --data-dir DIR   events, head, and bytes on disk per column family
//   ledgerctl compact --data-dir DIR   flush and compact every column family (server stopped)
// Exit codes: 0 ok, 2 usage or I/O error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/store/rocksdb_event_log.h"

namespace {

namespace po = boost::program_options;
using namespace ledger;

struct CommonOptions {
  std::string data_dir;
  std::string format = "human";
};

bool parse(int argc, char** argv, CommonOptions* common, const char* title) {
  po::options_description options(title);
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common->data_dir)->required(), "the ledger's data directory")(
      "format", po::value(&common->format)->default_value("human"), "human or json");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return false;
  }
  po::notify(values);
  return true;
}

std::unique_ptr<store::RocksDbEventLog> open_store(const CommonOptions& common, bool read_only) {
  store::StoreOptions options;
  options.path = (std::filesystem::path(common.data_dir) / "store").string();
  options.read_only = read_only;
  auto log = store::RocksDbEventLog::open(options);
  if (!log) {
    std::fprintf(stderr, "ledgerctl: %s\n", log.error().message.c_str());
    std::exit(2);
  }
  return std::move(log).value();
}

int command_stats(int argc, char** argv) {
  CommonOptions common;
  if (!parse(argc, argv, &common, "ledgerctl stats")) return 0;
  auto log = open_store(common, /*read_only=*/true);
  const auto head = log->head();
  const auto sizes = log->size_per_column_family();
  if (common.format == "json") {
    nlohmann::json families = nlohmann::json::object();
    for (const auto& [name, bytes] : sizes) families[name] = bytes;
    std::cout << nlohmann::json{{"events", head.position},
                                {"head_hash", to_hex(head.hash)},
                                {"bytes_per_column_family", families}}
                     .dump()
              << "\n";
    return 0;
  }
  std::printf("events: %llu\nhead:   %llu:%s\n", static_cast<unsigned long long>(head.position),
              static_cast<unsigned long long>(head.position), to_hex(head.hash).c_str());
  for (const auto& [name, bytes] : sizes) {
    std::printf("  %-28s %12llu bytes\n", name.c_str(), static_cast<unsigned long long>(bytes));
  }
  return 0;
}

int command_compact(int argc, char** argv) {
  CommonOptions common;
  if (!parse(argc, argv, &common, "ledgerctl compact")) return 0;
  auto log = open_store(common, /*read_only=*/false);
  if (auto status = log->compact(); !status) {
    std::fprintf(stderr, "ledgerctl: %s\n", status.error().message.c_str());
    return 2;
  }
  std::printf("compacted\n");
  return 0;
}

void usage() {
  std::fprintf(stderr,
               "usage: ledgerctl COMMAND --data-dir DIR [options]  (COMMAND --help for more)\n"
               "  stats     events, head and size on disk per column family\n"
               "  compact   flush and compact the store (with the server stopped)\n"
               "exit codes: 0 ok, 2 usage or I/O error\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  const std::string command = argv[1];
  try {
    if (command == "stats") return command_stats(argc - 1, argv + 1);
    if (command == "compact") return command_compact(argc - 1, argv + 1);
    if (command == "--help" || command == "-h") {
      usage();
      return 0;
    }
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledgerctl %s: %s\n", command.c_str(), error.what());
    return 2;
  }
  usage();
  return 2;
}
