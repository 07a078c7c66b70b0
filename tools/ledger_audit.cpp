// ledger-audit: finance's replay tool. Works on a data directory, also while ledgerd runs on it
// (the store is opened read-only: it sees the log as of the moment it opens), or on a backup.
// With --store postgresql://..., the log is read from PostgreSQL and the read models compared
// are those of the node whose --data-dir is given (replay/node_store.h); it never writes either.
//
//   ledger-audit head      --data-dir DIR                  POSITION:HASH of the last record
//   ledger-audit verify    --data-dir DIR [--expect-head POS:HASH] [--scratch-dir DIR]
//                          replays every event: hash chain, contiguous positions and stream
//                          versions, every record decodes, postings sum to zero, no wallet below
//                          zero, redeem-code limits, top-up and purchase states; then compares
//                          the recomputed balances with the stored read model, and folds every
//                          inline read model apart (in the scratch directory) to compare each
//                          stored row with it
//   ledger-audit balances  --data-dir DIR [--as-of POSITION|TIME]   trial balance at that point
//   ledger-audit state     STREAM --data-dir DIR [--as-of POSITION|TIME]
//                          the rows the stream's events wrote, as they stood then (JSON)
//   ledger-audit statement --data-dir DIR --account ACCOUNT [--from T] [--to T]
//   ledger-audit export    --data-dir DIR [--from POSITION] [--to POSITION] [--postings]
//
// Every command takes --format human|json|csv and --quiet (no progress bar; the bar shows only
// when stderr is a terminal). Exit codes: 0 ok, 1 findings, 2 usage or I/O error.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/domain/account_statement.h"
#include "core/domain/keyspaces.h"
#include "core/domain/posting_reader.h"
#include "core/hex.h"
#include "core/money.h"
#include "core/store/chain_verifier.h"
#include "core/store/rocksdb_event_log.h"
#include "events/event_json.h"
#include "events/timestamp.h"
#include "replay/aggregate_state.h"
#include "replay/balance_replay.h"
#include "replay/domain_audit.h"
#include "replay/log_verification.h"
#include "replay/node_store.h"
#include "replay/scan_progress.h"

namespace {

namespace po = boost::program_options;
using namespace ledger;

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

struct CommonOptions {
  std::string data_dir;
  std::string store;
  std::string format = "human";
  bool quiet = false;
};

po::options_description common_description(CommonOptions* common, const char* title) {
  po::options_description options(title);
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common->data_dir)->required(), "the ledger's data directory")(
      "store", po::value(&common->store),
      "postgresql://... the node's log in PostgreSQL (its read models stay in --data-dir)")(
      "format", po::value(&common->format)->default_value("human"), "human, json or csv")(
      "quiet,q", po::bool_switch(&common->quiet), "no progress on stderr");
  return options;
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "ledger-audit: %s\n", message.c_str());
  std::exit(kExitUsage);
}

// Parses; returns false (after printing help) when the command should not run.
bool parse(int argc, char** argv, const po::options_description& options,
           const CommonOptions& common,
           const po::positional_options_description* positional = nullptr) {
  po::variables_map values;
  po::command_line_parser parser(argc, argv);
  parser.options(options);
  if (positional != nullptr) parser.positional(*positional);
  po::store(parser.run(), values);
  if (values.count("help")) {
    std::cout << options;
    return false;
  }
  po::notify(values);
  if (common.format != "human" && common.format != "json" && common.format != "csv") {
    usage_error("--format must be human, json or csv");
  }
  return true;
}

std::unique_ptr<store::EventLog> open_read_only(const CommonOptions& common) {
  store::StoreOptions options;
  options.verify_tail_records_on_open = 0;  // verify reports findings instead of refusing
  auto log = replay::open_node_store({common.data_dir, common.store}, replay::NodeAccess::read_only,
                                     options);
  if (!log) usage_error(log.error().message);
  return std::move(log).value();
}

int command_head(int argc, char** argv) {
  CommonOptions common;
  auto options = common_description(&common, "ledger-audit head: position and hash of the log");
  if (!parse(argc, argv, options, common)) return kExitOk;
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
  std::string expect_head;
  std::string scratch_dir;
  auto options = common_description(&common, "ledger-audit verify: replay and check everything");
  options.add_options()("expect-head", po::value(&expect_head),
                        "POS:HASH a head recorded earlier; the log must still extend it")(
      "scratch-dir", po::value(&scratch_dir),
      "where to fold the read models apart for the row comparison (must not exist; removed "
      "after; default: a new directory under the system's temporary directory)");
  if (!parse(argc, argv, options, common)) return kExitOk;
  std::optional<std::pair<std::uint64_t, std::string>> anchor;
  if (!expect_head.empty()) {
    const auto colon = expect_head.find(':');
    try {
      if (colon == std::string::npos || !hash_from_hex(expect_head.substr(colon + 1))) throw 0;
      anchor =
          std::make_pair(std::stoull(expect_head.substr(0, colon)), expect_head.substr(colon + 1));
    } catch (...) {
      usage_error("--expect-head must be POSITION:HASH as printed by `ledger-audit head`");
    }
  }

  auto log = open_read_only(common);
  const std::uint64_t head = log->head().position;
  replay::ScanProgress progress("verify", head, common.quiet);
  replay::VerifyOptions verify_options;
  verify_options.up_to_position = head;
  verify_options.anchor = anchor;
  verify_options.on_position = [&](std::uint64_t position) { progress.at(position); };
  std::error_code temp_error;
  verify_options.scratch_directory =
      !scratch_dir.empty()
          ? scratch_dir
          : (std::filesystem::temp_directory_path(temp_error) /
             fmt::format("ledger-audit-{}-{}", getpid(),
                         std::chrono::steady_clock::now().time_since_epoch().count()))
                .string();
  auto verified = replay::verify_log(*log, verify_options);
  if (!verified) usage_error(verified.error().message);
  const auto& findings = verified->findings;
  const double seconds = progress.seconds();
  const auto events = verified->events;
  const double per_second = seconds > 0 ? static_cast<double>(events) / seconds : 0;
  if (common.format == "json") {
    for (const auto& finding : findings) {
      std::cout << nlohmann::json{{"position", finding.position},
                                  {"kind", finding.kind},
                                  {"message", finding.message}}
                       .dump()
                << "\n";
    }
    std::cout << nlohmann::json{{"events", events},
                                {"events_per_second", static_cast<std::uint64_t>(per_second)},
                                {"findings", findings.size()},
                                {"accounts", verified->accounts},
                                {"rows", verified->rows_compared},
                                {"head", fmt::format("{}:{}", verified->last.position,
                                                     to_hex(verified->last.hash))}}
                     .dump()
              << "\n";
  } else if (common.format == "csv") {
    std::cout << "position,kind,message\n";
    for (const auto& finding : findings) {
      std::string message = finding.message;
      for (char& c : message) {
        if (c == '"') c = '\'';
      }
      std::cout << finding.position << "," << finding.kind << ",\"" << message << "\"\n";
    }
  } else {
    for (const auto& finding : findings) {
      std::cout << "position " << finding.position << ": " << finding.kind << ": "
                << finding.message << "\n";
    }
    std::printf(
        "verified %llu events, %zu accounts and %llu read-model rows in %.2f s (%.0f events/s): "
        "%zu findings\n",
        static_cast<unsigned long long>(events), static_cast<std::size_t>(verified->accounts),
        static_cast<unsigned long long>(verified->rows_compared), seconds, per_second,
        findings.size());
  }
  return findings.empty() ? kExitOk : kExitFindings;
}

// POSITION, or an RFC 3339 time / date (the last event recorded before it).
std::uint64_t resolve_as_of(const store::EventLog& log, const std::string& as_of) {
  if (as_of.empty()) return log.head().position;
  if (as_of.find_first_not_of("0123456789") == std::string::npos) {
    std::uint64_t position = 0;
    const auto [end, error] = std::from_chars(as_of.data(), as_of.data() + as_of.size(), position);
    // Digits past 2^64-1 used to end the program with an uncaught std::out_of_range.
    if (error != std::errc()) usage_error("--as-of is not a log position: " + as_of);
    return position;
  }
  auto time = events::parse_rfc3339(as_of);
  if (!time) time = events::parse_date(as_of);
  if (!time) usage_error("--as-of must be a position, an RFC 3339 time or a date");
  std::uint64_t last = 0;
  events::Envelope envelope;
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) return true;
    if (envelope.recorded_at_us() > *time) return false;
    last = position;
    return true;
  });
  if (!scanned) usage_error(scanned.error().message);
  return last;
}

// A stream's state at a point in history: the rows its events wrote, as they stood then.
int command_state(int argc, char** argv) {
  CommonOptions common;
  std::string as_of;
  std::string stream;
  std::string scratch_dir;
  auto options = common_description(
      &common, "ledger-audit state STREAM: an aggregate's rows at a point in history");
  options.add_options()("stream", po::value(&stream)->required(),
                        "the stream (also positional), e.g. wallet:<user id> or topup:<id>")(
      "as-of", po::value(&as_of), "POSITION or TIME (RFC 3339 or date); default: the head")(
      "scratch-dir", po::value(&scratch_dir),
      "where to fold the log apart (must not exist; removed after; default: a new directory "
      "under the system's temporary directory)");
  po::positional_options_description positional;
  positional.add("stream", 1);
  if (!parse(argc, argv, options, common, &positional)) return kExitOk;
  if (common.format == "csv") usage_error("state prints JSON or human text, not CSV");
  auto log = open_read_only(common);
  const std::uint64_t position = resolve_as_of(*log, as_of);
  std::error_code temp_error;
  if (scratch_dir.empty()) {
    scratch_dir = (std::filesystem::temp_directory_path(temp_error) /
                   fmt::format("ledger-audit-{}-{}", getpid(),
                               std::chrono::steady_clock::now().time_since_epoch().count()))
                      .string();
  }
  replay::ScanProgress progress("state", position, common.quiet);
  auto state = replay::aggregate_state(*log, stream, position, scratch_dir,
                                       [&](std::uint64_t at) { progress.at(at); });
  if (!state) usage_error(state.error().message);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : state->rows) {
    nlohmann::json value = nullptr;
    if (row.value && row.type != nullptr) {
      std::string error;
      auto json = events::payload_to_json(row.type->name(), *row.value, &error);
      if (!json) usage_error(fmt::format("{}/{}: {}", row.keyspace, row.key, error));
      value = std::move(*json);
    }
    rows.push_back({{"keyspace", row.keyspace},
                    {"key", row.key},
                    {"type", row.type != nullptr ? row.type->name() : ""},
                    {"row", value}});
  }
  const nlohmann::json answer = {{"stream", stream},
                                 {"as_of_position", state->position},
                                 {"stream_events", state->stream_events},
                                 {"stream_version", state->stream_version},
                                 {"rows", rows}};
  std::cout << (common.format == "json" ? answer.dump() : answer.dump(2)) << "\n";
  if (state->stream_events == 0) {
    std::fprintf(stderr, "ledger-audit: stream %s has no events up to position %llu\n",
                 stream.c_str(), static_cast<unsigned long long>(state->position));
    return kExitFindings;
  }
  return kExitOk;
}

int command_balances(int argc, char** argv) {
  CommonOptions common;
  std::string as_of;
  auto options = common_description(&common, "ledger-audit balances: trial balance");
  options.add_options()("as-of", po::value(&as_of),
                        "POSITION or TIME (RFC 3339 or date); default: the head");
  if (!parse(argc, argv, options, common)) return kExitOk;
  auto log = open_read_only(common);
  const std::uint64_t position = resolve_as_of(*log, as_of);
  auto balances = replay::replay_balances(*log, position);
  if (!balances) usage_error(balances.error().message);
  std::int64_t sum = 0;
  if (common.format == "csv") std::cout << "account,balance,total_credited,total_debited\n";
  for (const auto& [account, state] : *balances) {
    sum += state.balance_minor();
    const auto balance = Money::from_minor(state.balance_minor()).format();
    if (common.format == "json") {
      std::cout << nlohmann::json{{"account", account},
                                  {"balance", balance},
                                  {"total_credited",
                                   Money::from_minor(state.total_credited_minor()).format()},
                                  {"total_debited",
                                   Money::from_minor(state.total_debited_minor()).format()}}
                       .dump()
                << "\n";
    } else if (common.format == "csv") {
      std::cout << account << "," << balance << ","
                << Money::from_minor(state.total_credited_minor()).format() << ","
                << Money::from_minor(state.total_debited_minor()).format() << "\n";
    } else {
      std::printf("%-48s %20s\n", account.c_str(), balance.c_str());
    }
  }
  const std::string total = Money::from_minor(sum).format();
  if (common.format == "json") {
    std::cout << nlohmann::json{{"as_of_position", position},
                                {"accounts", balances->size()},
                                {"sum", total}}
                     .dump()
              << "\n";
  } else if (common.format == "human") {
    std::printf("%-48s %20s\nas of position %llu\n", "sum (must be 0.00)", total.c_str(),
                static_cast<unsigned long long>(position));
  }
  return sum == 0 ? kExitOk : kExitFindings;
}

std::int64_t parse_time_option(const std::string& text, std::int64_t fallback) {
  if (text.empty()) return fallback;
  auto time = events::parse_rfc3339(text);
  if (!time) time = events::parse_date(text);
  if (!time) usage_error("times are RFC 3339 (2026-11-23T10:00:00Z) or dates (2026-11-23)");
  return *time;
}

int command_statement(int argc, char** argv) {
  CommonOptions common;
  std::string account, from, to;
  auto options = common_description(&common, "ledger-audit statement: one account's postings");
  options.add_options()("account", po::value(&account)->required(), "e.g. wallet:<user id>")(
      "from", po::value(&from), "start time (inclusive)")("to", po::value(&to),
                                                          "end time (exclusive)");
  if (!parse(argc, argv, options, common)) return kExitOk;
  auto log = open_read_only(common);
  auto statement = domain::account_statement(*log, account, parse_time_option(from, 0),
                                             parse_time_option(to, INT64_MAX));
  if (!statement) usage_error(statement.error().message);
  if (common.format == "json") {
    for (const auto& line : statement->lines) {
      std::cout << nlohmann::json{{"position", line.position},
                                  {"at", events::format_rfc3339(line.recorded_at_us)},
                                  {"event_type", line.event_type},
                                  {"stream", line.stream_id},
                                  {"amount", line.amount.format()},
                                  {"balance_after", line.balance_after.format()}}
                       .dump()
                << "\n";
    }
    std::cout << nlohmann::json{{"account", account},
                                {"opening_balance", statement->opening_balance.format()},
                                {"closing_balance", statement->closing_balance.format()},
                                {"lines", statement->lines.size()}}
                     .dump()
              << "\n";
  } else if (common.format == "csv") {
    std::cout << "position,at,event_type,stream,amount,balance_after\n";
    for (const auto& line : statement->lines) {
      std::cout << line.position << "," << events::format_rfc3339(line.recorded_at_us) << ","
                << line.event_type << "," << line.stream_id << "," << line.amount.format() << ","
                << line.balance_after.format() << "\n";
    }
  } else {
    std::printf("statement of %s\nopening balance %s\n", account.c_str(),
                statement->opening_balance.format().c_str());
    for (const auto& line : statement->lines) {
      std::printf("%10llu  %s  %-26s %14s %16s\n", static_cast<unsigned long long>(line.position),
                  events::format_rfc3339(line.recorded_at_us).c_str(), line.event_type.c_str(),
                  line.amount.format().c_str(), line.balance_after.format().c_str());
    }
    std::printf("closing balance %s\n", statement->closing_balance.format().c_str());
  }
  return kExitOk;
}

int command_export(int argc, char** argv) {
  CommonOptions common;
  std::uint64_t from = 1, to = UINT64_MAX;
  bool postings = false;
  auto options = common_description(
      &common, "ledger-audit export: events as JSON lines, or postings as CSV (--postings)");
  options.add_options()("from", po::value(&from)->default_value(1), "first position")(
      "to", po::value(&to), "last position (default: the head)")(
      "postings", po::bool_switch(&postings), "one CSV row per posting instead of events");
  if (!parse(argc, argv, options, common)) return kExitOk;
  auto log = open_read_only(common);
  const std::uint64_t head = std::min(to, log->head().position);
  replay::ScanProgress progress("export", head, common.quiet);
  domain::PostingReader reader;
  events::Envelope envelope;
  int failures = 0;
  if (postings) std::cout << "position,recorded_at,event_type,stream,account,amount\n";
  auto scanned = log->scan_records(from > 0 ? from - 1 : 0, [&](std::uint64_t position,
                                                                std::string_view record) {
    if (position > head) return false;
    progress.at(position);
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      std::fprintf(stderr, "ledger-audit: position %llu does not decode\n",
                   static_cast<unsigned long long>(position));
      ++failures;
      return true;
    }
    if (postings) {
      auto found = reader.read(envelope.event_type(), envelope.payload());
      if (!found) {
        ++failures;
        return true;
      }
      for (const auto& entry : *found) {
        std::cout << position << "," << events::format_rfc3339(envelope.recorded_at_us()) << ","
                  << envelope.event_type() << "," << envelope.stream_id() << "," << entry.account()
                  << "," << Money::from_minor(entry.amount_minor()).format() << "\n";
      }
    } else {
      std::string error;
      auto json = events::envelope_to_json(envelope, &error);
      if (!json) {
        std::fprintf(stderr, "ledger-audit: position %llu: %s\n",
                     static_cast<unsigned long long>(position), error.c_str());
        ++failures;
        return true;
      }
      std::cout << json->dump() << "\n";
    }
    return true;
  });
  if (!scanned) usage_error(scanned.error().message);
  return failures == 0 ? kExitOk : kExitFindings;
}

void usage() {
  std::fprintf(stderr,
               "usage: ledger-audit COMMAND --data-dir DIR [options]  (COMMAND --help for more)\n"
               "  head       position and hash of the last record\n"
               "  verify     replay the whole log and report every finding\n"
               "  balances   trial balance of every account, --as-of a position or time\n"
               "  state      a stream's rows (its aggregate's state), --as-of a position or time\n"
               "  statement  one account's postings with running balance\n"
               "  export     events as JSON lines, or postings as CSV\n"
               "options of every command: --format human|json|csv, --quiet\n"
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
    if (command == "balances") return command_balances(argc - 1, argv + 1);
    if (command == "state") return command_state(argc - 1, argv + 1);
    if (command == "statement") return command_statement(argc - 1, argv + 1);
    if (command == "export") return command_export(argc - 1, argv + 1);
    if (command == "--help" || command == "-h") {
      usage();
      return kExitOk;
    }
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledger-audit %s: %s\n", command.c_str(), error.what());
    return kExitUsage;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ledger-audit %s: %s\n", command.c_str(), error.what());
    return kExitUsage;
  }
  usage();
  return kExitUsage;
}
