#include "tools/ledgerctl_projections.h"

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/clock.h"
#include "projections/projection_registry.h"
#include "projections/read_model_status.h"
#include "replay/inline_rebuild.h"
#include "replay/log_fold.h"
#include "replay/scan_progress.h"
#include "tools/ledgerctl_common.h"

namespace ledger::tools {
namespace {

namespace po = boost::program_options;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;

struct ProjectionOptions {
  std::string data_dir;
  std::string store;
  std::string server;
  std::string token;
  std::string format = "human";
  std::vector<std::string> names;
  bool all = false;
  bool quiet = false;
  unsigned timeout_seconds = 3600;
};

bool online(const ProjectionOptions& options) { return !options.server.empty(); }

void print_statuses(const nlohmann::json& statuses, const std::string& format, bool detailed) {
  if (format == "json") {
    std::cout << statuses.dump() << "\n";
    return;
  }
  if (format == "csv") {
    std::cout << "name,kind,version,code_version,generation,checkpoint,head,lag_events,"
                 "lag_seconds,state,failed_position,failed_error\n";
    for (const auto& s : statuses) {
      std::string error = s.value("failed_error", "");
      for (char& c : error) {
        if (c == '"') c = '\'';
      }
      std::cout << s["name"].get<std::string>() << ',' << s["kind"].get<std::string>() << ','
                << s["version"] << ',' << s["code_version"] << ',' << s["generation"] << ','
                << s["checkpoint"] << ',' << s["head"] << ',' << s["lag_events"] << ','
                << s["lag_seconds"] << ',' << s["state"].get<std::string>() << ','
                << s.value("failed_position", 0) << ",\"" << error << "\"\n";
    }
    return;
  }
  std::printf("%-16s %-7s %8s %12s %12s %10s  %s\n", "NAME", "KIND", "VERSION", "CHECKPOINT",
              "HEAD", "LAG", "STATE");
  for (const auto& s : statuses) {
    const std::string version = s["version"] == s["code_version"]
                                    ? std::to_string(s["version"].get<unsigned>())
                                    : std::to_string(s["version"].get<unsigned>()) + "->" +
                                          std::to_string(s["code_version"].get<unsigned>());
    std::printf("%-16s %-7s %8s %12llu %12llu %10llu  %s\n", s["name"].get<std::string>().c_str(),
                s["kind"].get<std::string>().c_str(), version.c_str(),
                s["checkpoint"].get<unsigned long long>(), s["head"].get<unsigned long long>(),
                s["lag_events"].get<unsigned long long>(), s["state"].get<std::string>().c_str());
    if (detailed && s["state"] == "failed") {
      std::printf("    failed at position %llu: %s\n", s.value("failed_position", 0ULL),
                  s.value("failed_error", "").c_str());
    }
    if (detailed && s["state"] == "rebuilding") {
      std::printf("    rebuilding: %llu of %llu\n", s.value("rebuild_checkpoint", 0ULL),
                  s["head"].get<unsigned long long>());
    }
  }
}

int exit_for(const nlohmann::json& statuses) {
  for (const auto& s : statuses) {
    if (s["state"] == "failed") return kExitFailed;
  }
  return kExitOk;
}

nlohmann::json server_statuses(const ProjectionOptions& options) {
  const auto [status, body] =
      request_json(options.server, options.token, "GET", "/api/admin/projections/");
  if (status != 200) fail("the server answered " + std::to_string(status) + ": " + body);
  return nlohmann::json::parse(body)["results"];
}

nlohmann::json offline_statuses(const ProjectionOptions& options) {
  auto log = open_node(options.data_dir, options.store, replay::NodeAccess::read_only);
  SystemClock clock;
  projections::ProjectionRegistry registry(*log, clock);
  projections::add_server_projections(registry);
  if (auto loaded = registry.load(); !loaded) fail(loaded.error().message);
  nlohmann::json statuses = nlohmann::json::array();
  for (const auto& status : projections::all_read_model_statuses(*log, registry)) {
    statuses.push_back(projections::status_json(status));
  }
  return statuses;
}

// The names to rebuild: the ones given, or with --all every rebuildable one of `statuses`.
std::vector<std::string> targets(const ProjectionOptions& options, const nlohmann::json& statuses,
                                 bool include_inline) {
  if (!options.all) return options.names;
  std::vector<std::string> names;
  for (const auto& s : statuses) {
    const std::string name = s["name"];
    if (s["kind"] == "async" || (include_inline && s["kind"] == "inline")) {
      names.push_back(name);
    }
  }
  return names;
}

void report(const ProjectionOptions& options, const nlohmann::json& line) {
  if (options.format == "json") {
    std::cout << line.dump() << "\n";
  } else {
    std::printf("%s: rebuilt, %s\n", line["name"].get<std::string>().c_str(),
                line["detail"].get<std::string>().c_str());
  }
}

int rebuild_offline(const ProjectionOptions& options) {
  // On PostgreSQL this node's own read models are rebuilt; it takes the writer lease so that
  // nothing folds into them meanwhile (on a running cluster, restart a node on an empty data
  // directory instead: it folds the log again).
  auto log = open_node(options.data_dir, options.store, replay::NodeAccess::writer);
  SystemClock clock;
  projections::ProjectionRegistry registry(*log, clock);
  projections::add_server_projections(registry);
  if (auto loaded = registry.load(); !loaded) fail(loaded.error().message);
  nlohmann::json statuses = nlohmann::json::array();
  for (const auto& status : projections::all_read_model_statuses(*log, registry)) {
    statuses.push_back(projections::status_json(status));
  }
  const auto names = targets(options, statuses, /*include_inline=*/true);
  std::vector<std::string> inline_names;
  for (const auto& name : names) {
    if (projections::is_inline_read_model(name)) {
      inline_names.push_back(name);
    } else if (registry.find(name) == nullptr) {
      fail("there is no read model named " + name);
    }
  }
  // Inline read models first, in one pass over the log and one atomic switch; then each
  // asynchronous one alone: the others would catch up alongside it, slowing it down and
  // blurring its figures (they catch up when the server starts).
  if (!inline_names.empty()) {
    const auto began = std::chrono::steady_clock::now();
    auto folds = replay::select_folds(inline_names);
    if (!folds) fail(folds.error().message);
    replay::ScanProgress progress("rebuild inline", log->head().position, options.quiet);
    auto rebuilt = replay::rebuild_inline(*log, *folds,
                                          [&](std::uint64_t position) { progress.at(position); });
    if (!rebuilt) fail(rebuilt.error().message);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    for (const auto& keyspace : rebuilt->keyspaces) {
      auto generation = log->keyspace_generation(keyspace.name);
      if (!generation) fail(generation.error().message);
      report(options, {{"name", keyspace.name},
                       {"kind", "inline"},
                       {"events", rebuilt->events},
                       {"rows", keyspace.rows},
                       {"generation", *generation},
                       {"seconds", seconds},
                       {"detail", std::to_string(rebuilt->events) + " events folded, " +
                                      std::to_string(keyspace.rows) + " rows, generation " +
                                      std::to_string(*generation)}});
    }
  }
  int exit_code = kExitOk;
  for (const auto& name : names) {
    if (projections::is_inline_read_model(name)) continue;
    const auto began = std::chrono::steady_clock::now();
    auto* runner = registry.find(name);
    if (auto running = runner->start(); !running) fail(running.error().message);
    if (auto rebuilding = runner->rebuild(); !rebuilding) fail(rebuilding.error().message);
    replay::ScanProgress progress(("rebuild " + name).c_str(), log->head().position, options.quiet);
    const auto deadline = began + std::chrono::seconds(options.timeout_seconds);
    for (;;) {
      auto caught_up = runner->catch_up(std::chrono::milliseconds(200));
      const auto status = runner->status();
      if (status.state == "failed") {
        std::fprintf(stderr, "ledgerctl: %s failed at position %llu: %s\n", name.c_str(),
                     static_cast<unsigned long long>(status.failed_position),
                     status.failed_error.c_str());
        exit_code = kExitFailed;
        break;
      }
      if (caught_up) {
        report(options,
               {{"name", name},
                {"generation", status.generation},
                {"checkpoint", status.checkpoint},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count()},
                {"detail", "generation " + std::to_string(status.generation) + " at position " +
                               std::to_string(status.checkpoint)}});
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) fail("timed out rebuilding " + name);
      progress.draw(status.state == "rebuilding" ? status.rebuild_checkpoint : status.checkpoint);
    }
    runner->stop();
  }
  registry.stop();
  return exit_code;
}

nlohmann::json find_status(const nlohmann::json& statuses, const std::string& name) {
  for (const auto& s : statuses) {
    if (s["name"] == name) return s;
  }
  fail("the server no longer lists " + name);
}

int rebuild_online(const ProjectionOptions& options) {
  const auto names = targets(options, server_statuses(options), /*include_inline=*/false);
  int exit_code = kExitOk;
  for (const auto& name : names) {
    const auto began = std::chrono::steady_clock::now();
    const auto [status, body] = request_json(options.server, options.token, "POST",
                                             "/api/admin/projections/" + name + "/rebuild/");
    if (status != 202) {
      std::string detail = body;
      try {
        detail = nlohmann::json::parse(body).value("detail", body);
      } catch (const nlohmann::json::exception&) {
      }
      fail(fmt::format("the server refused to rebuild {} ({}): {}", name, status, detail));
    }
    const auto accepted = nlohmann::json::parse(body);
    const std::uint64_t generation = accepted["generation"];
    replay::ScanProgress progress(("rebuild " + name).c_str(), accepted["head"], options.quiet);
    const auto deadline = began + std::chrono::seconds(options.timeout_seconds);
    for (;;) {
      const auto current = find_status(server_statuses(options), name);
      if (current["state"] == "failed") {
        std::fprintf(stderr, "ledgerctl: %s failed at position %llu: %s\n", name.c_str(),
                     current.value("failed_position", 0ULL),
                     current.value("failed_error", "").c_str());
        exit_code = kExitFailed;
        break;
      }
      if (current["state"] == "live" && current["generation"].get<std::uint64_t>() > generation) {
        report(options,
               {{"name", name},
                {"generation", current["generation"]},
                {"checkpoint", current["checkpoint"]},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count()},
                {"detail", "generation " + current["generation"].dump() + " at position " +
                               current["checkpoint"].dump()}});
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) fail("timed out rebuilding " + name);
      progress.draw(current.value("rebuild_checkpoint", 0ULL));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  return exit_code;
}

}  // namespace

int command_projections(const std::string& sub, int argc, char** argv) {
  ProjectionOptions options;
  po::options_description described(
      "ledgerctl projections " + sub +
      (sub == "rebuild" ? " NAME...|--all: rebuild read models from the log with progress; "
                          "offline (--data-dir, server stopped) or online (--server, --token)"
                        : ": every read model (inline and asynchronous) with its version, "
                          "checkpoint, lag and state; offline (--data-dir) or online (--server, "
                          "--token)"));
  described.add_options()("help,h", "show this help")("data-dir", po::value(&options.data_dir),
                                                      "the ledger's data directory (offline)")(
      "store", po::value(&options.store),
      "postgresql://... (offline) the node's log in PostgreSQL; its read models are in --data-dir")(
      "server", po::value(&options.server), "http://HOST:PORT of a running ledgerd (online)")(
      "token", po::value(&options.token),
      "an admin's bearer token (online; default: $LEDGER_TOKEN)")(
      "format", po::value(&options.format)->default_value("human"), "human, json or csv")(
      "quiet,q", po::bool_switch(&options.quiet), "no progress on stderr")(
      "timeout-seconds", po::value(&options.timeout_seconds)->default_value(3600),
      "give up waiting for a rebuild after this long");
  if (sub == "rebuild") {
    described.add_options()("all", po::bool_switch(&options.all),
                            "every read model: inline ones (offline only) and asynchronous ones")(
        "name", po::value(&options.names), "read model to rebuild (also positional)");
  }
  po::positional_options_description positional;
  positional.add("name", -1);
  po::variables_map values;
  po::store(po::command_line_parser(argc, argv).options(described).positional(positional).run(),
            values);
  if (values.count("help")) {
    std::cout << described;
    return kExitOk;
  }
  po::notify(values);
  if (options.format != "human" && options.format != "json" && options.format != "csv") {
    fail("--format must be human, json or csv");
  }
  if (options.timeout_seconds < 1 || options.timeout_seconds > 604'800) {
    fail("--timeout-seconds must be between 1 and 604800 (a week)");
  }
  if (options.token.empty()) {
    if (const char* token = std::getenv("LEDGER_TOKEN")) options.token = token;
  }
  if (online(options) == !options.data_dir.empty()) {
    fail("give either --data-dir (offline) or --server (online)");
  }
  if (online(options) && options.token.empty()) fail("--server needs --token or LEDGER_TOKEN");

  if (sub == "list" || sub == "status") {
    const auto statuses = online(options) ? server_statuses(options) : offline_statuses(options);
    print_statuses(statuses, options.format, sub == "status");
    return exit_for(statuses);
  }
  if (options.all == !options.names.empty()) fail("name the read models to rebuild, or --all");
  return online(options) ? rebuild_online(options) : rebuild_offline(options);
}

}  // namespace ledger::tools
