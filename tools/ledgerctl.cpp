// ledgerctl: the operators' command line.
//
//   ledgerctl stats   --data-dir DIR   events, head, and bytes on disk per column family
//   ledgerctl compact --data-dir DIR   flush and compact every column family (server stopped)
//   ledgerctl users create-admin --data-dir DIR --email E [--name N]   (server stopped)
//   ledgerctl tokens revoke --data-dir DIR --user ID                   (server stopped)
//   ledgerctl backup --to DIR --data-dir DIR                           (server stopped)
//   ledgerctl backup --server URL --token T --name NAME                (online, via the server)
//   ledgerctl restore --from BACKUP --data-dir DIR                     (into an empty data dir)
//   ledgerctl projections list|status [--data-dir DIR | --server URL --token T]
//   ledgerctl projections rebuild NAME|--all [--data-dir DIR | --server URL --token T]
// users, tokens and projections also take --store postgresql://... for a node whose log is in
// PostgreSQL (its read models in --data-dir; writing needs the writer lease: replay/node_store.h).
// Exit codes: 0 ok, 1 findings, 2 usage or I/O error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/code_mac_key.h"
#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "core/id_generator.h"
#include "core/password_hasher.h"
#include "core/secure_random.h"
#include "core/sequencer.h"
#include "core/store/blob_store.h"
#include "core/store/rocksdb_event_log.h"
#include "tools/ledgerctl_common.h"
#include "tools/ledgerctl_projections.h"

namespace {

namespace po = boost::program_options;
using namespace ledger;
using namespace ledger::tools;

// Runs one domain command on a stopped data dir through the real sequencer.
template <class Answer>
Result<domain::Executed<Answer>> run_offline(store::EventLog& log,
                                             domain::DomainDecide<Answer> decide) {
  SystemClock clock;
  Sequencer sequencer(log, clock);
  sequencer.start();
  domain::Ledger ledger(sequencer);
  auto done =
      ledger.execute_and_wait<Answer>({"ledgerctl", "ledgerctl", "", "", ""}, std::move(decide));
  sequencer.stop();
  return done;
}

int command_create_admin(int argc, char** argv) {
  CommonOptions common;
  std::string email, name = "Administrator";
  po::options_description options("ledgerctl users create-admin (server stopped)");
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common.data_dir)->required(), "the ledger's data directory")(
      "store", po::value(&common.store),
      "postgresql://... the log in PostgreSQL (this node needs the writer lease)")(
      "email", po::value(&email)->required(), "the new admin's email")(
      "name", po::value(&name)->default_value("Administrator"), "display name");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  auto log = open_node(common.data_dir, common.store, replay::NodeAccess::writer);
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  for (int i = 0; i < 24; ++i) password.push_back(kAlphabet[secure_random_below(kAlphabet.size())]);
  SystemClock clock;
  IdGenerator ids(clock);
  domain::RegisterUser command{domain::UserId{ids.next()}, email, name,        "admin", "", 0,
                               hash_password(password),    true,  "ledgerctl", "",      "", ""};
  auto created = run_offline<events::UserState>(
      *log, [command](domain::UnitOfWork& uow) { return domain::register_user(uow, command); });
  if (!created) fail(created.error().message);
  std::printf("created admin %s (%s) with password %s\n", created->answer.email().c_str(),
              created->answer.user_id().c_str(), password.c_str());
  return 0;
}

int command_revoke_tokens(int argc, char** argv) {
  CommonOptions common;
  std::string user;
  po::options_description options("ledgerctl tokens revoke (server stopped)");
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common.data_dir)->required(), "the ledger's data directory")(
      "store", po::value(&common.store),
      "postgresql://... the log in PostgreSQL (this node needs the writer lease)")(
      "user", po::value(&user)->required(), "revoke every token of this user id");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  auto log = open_node(common.data_dir, common.store, replay::NodeAccess::writer);
  std::vector<std::string> digests;
  auto scanned =
      log->scan_state(domain::kIdentityKeyspace, "token/", store::ReadDirection::forward,
                      [&](std::string_view key, std::string_view value) {
                        events::TokenState token;
                        if (token.ParseFromArray(value.data(), static_cast<int>(value.size())) &&
                            token.user_id() == user && !token.revoked()) {
                          digests.emplace_back(key.substr(6));
                        }
                        return true;
                      });
  if (!scanned) fail(scanned.error().message);
  for (const auto& digest : digests) {
    auto revoked = run_offline<events::TokenState>(*log, [digest](domain::UnitOfWork& uow) {
      return domain::revoke_token(uow, {digest, "ledgerctl"});
    });
    if (!revoked) fail(revoked.error().message);
  }
  std::printf("revoked %zu tokens of %s\n", digests.size(), user.c_str());
  return 0;
}

int command_backup(int argc, char** argv) {
  CommonOptions common;
  std::string to, server, token, name;
  po::options_description options(
      "ledgerctl backup: --to DIR --data-dir DIR (server stopped), or online with --server URL "
      "--token T --name NAME (written under the server's --backup-dir)");
  options.add_options()("help,h", "show this help")("data-dir", po::value(&common.data_dir),
                                                    "the ledger's data directory (offline)")(
      "to", po::value(&to), "target directory (offline; must not exist)")(
      "server", po::value(&server), "http://HOST:PORT of a running ledgerd (online)")(
      "token", po::value(&token), "an admin's bearer token (online)")("name", po::value(&name),
                                                                      "backup name (online)");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  if (!server.empty()) {
    if (token.empty() || name.empty()) fail("online backups need --token and --name");
    const auto [status, body] = request_json(server, token, "POST", "/api/admin/backup/",
                                             nlohmann::json{{"name", name}}.dump());
    if (status != 201)
      fail("the server refused the backup (" + std::to_string(status) + "): " + body);
    std::printf("%s\n", body.c_str());
    return 0;
  }
  if (common.data_dir.empty() || to.empty()) fail("offline backups need --data-dir and --to");
  if (std::filesystem::exists(to)) fail(to + " exists; backups go to a new directory");
  auto log = open_store(common, /*read_only=*/false);
  std::filesystem::create_directories(to);
  const auto head = log->head();
  if (auto written = log->checkpoint_to((std::filesystem::path(to) / "store").string()); !written) {
    fail(written.error().message);
  }
  auto blobs = store::copy_blob_directory(std::filesystem::path(common.data_dir) / "blobs",
                                          std::filesystem::path(to) / "blobs");
  if (!blobs) fail(blobs.error().message);
  if (auto key = copy_code_mac_key(common.data_dir, to); !key) fail(key.error().message);
  std::printf("backed up %llu events (head %llu:%s) and %llu files to %s\n",
              static_cast<unsigned long long>(head.position),
              static_cast<unsigned long long>(head.position), to_hex(head.hash).c_str(),
              static_cast<unsigned long long>(*blobs), to.c_str());
  return 0;
}

int command_restore(int argc, char** argv) {
  CommonOptions common;
  std::string from;
  po::options_description options("ledgerctl restore: a backup into an empty data directory");
  options.add_options()("help,h", "show this help")("from", po::value(&from)->required(),
                                                    "the backup directory (holding store/)")(
      "data-dir", po::value(&common.data_dir)->required(), "the data directory to create");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  const auto source = std::filesystem::path(from) / "store";
  const auto target = std::filesystem::path(common.data_dir) / "store";
  if (!std::filesystem::exists(source)) fail("no store in " + from);
  if (std::filesystem::exists(target))
    fail(target.string() + " exists; restore into a new data dir");
  std::filesystem::create_directories(common.data_dir);
  std::filesystem::copy(source, target, std::filesystem::copy_options::recursive);
  auto blobs = store::copy_blob_directory(std::filesystem::path(from) / "blobs",
                                          std::filesystem::path(common.data_dir) / "blobs");
  if (!blobs) fail(blobs.error().message);
  if (auto key = copy_code_mac_key(from, common.data_dir); !key) fail(key.error().message);
  // Opening it verifies the tail of the hash chain; ledger-audit verify checks all of it.
  auto log = open_store(common, /*read_only=*/false);
  const auto head = log->head();
  std::printf("restored %llu events (head %llu:%s) and %llu files into %s\n",
              static_cast<unsigned long long>(head.position),
              static_cast<unsigned long long>(head.position), to_hex(head.hash).c_str(),
              static_cast<unsigned long long>(*blobs), common.data_dir.c_str());
  return 0;
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
               "  users create-admin   add an administrator (server stopped)\n"
               "  tokens revoke        revoke every token of a user (server stopped)\n"
               "  backup    a consistent copy: offline (--to) or online (--server)\n"
               "  restore   a backup into a new data directory\n"
               "  projections list|status   every read model: kind, version, checkpoint, lag, "
               "state\n"
               "  projections rebuild NAME|--all   rebuild from the log, with progress\n"
               "  (projections: offline with --data-dir, or online with --server and --token)\n"
               "exit codes: 0 ok, 1 a projection failed, 2 usage or I/O error\n");
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
    if (command == "backup") return command_backup(argc - 1, argv + 1);
    if (command == "restore") return command_restore(argc - 1, argv + 1);
    const std::string sub = argc > 2 ? argv[2] : "";
    if (command == "users" && sub == "create-admin")
      return command_create_admin(argc - 2, argv + 2);
    if (command == "tokens" && sub == "revoke") return command_revoke_tokens(argc - 2, argv + 2);
    if (command == "projections" && (sub == "list" || sub == "status" || sub == "rebuild")) {
      return command_projections(sub, argc - 2, argv + 2);
    }
    if (command == "--help" || command == "-h") {
      usage();
      return 0;
    }
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledgerctl %s: %s\n", command.c_str(), error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ledgerctl %s: %s\n", command.c_str(), error.what());
    return 2;
  }
  usage();
  return 2;
}
