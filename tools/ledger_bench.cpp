// ledger-bench: measurements of the engine, printed for people and, on the last line, as one
// JSON object for scripts. See BENCHMARKS.md for the recorded figures and the commands.
//
//   ledger-bench append --events N --streams S --batch B --data-dir DIR [--payload-bytes P]
//       [--store postgresql://...]
//       Durable appends of synthetic events through the sequencer, keeping B commands in flight
//       so that the sequencer can group them.
//   ledger-bench debit --wallets W --events N --data-dir DIR [--batch B] [--store URL]
//       [--idempotency-keys]
//       Durable wallet payments (pay_from_wallet: balance check, double-entry postings, inline
//       balances) through the sequencer, round-robin over W funded wallets; with
//       --idempotency-keys each carries a key of its own, as a client's Idempotency-Key header.
//   With --store postgresql://..., the log is that PostgreSQL database's (its read models in
//   DATA_DIR/state), as `ledgerd --store` keeps it.
//   ledger-bench http-open-loop --url http://HOST:PORT/PATH --rate R [--connections C]
//       [--seconds S] [--method M] [--body JSON] [--tokens-file F] [--threads T] [--name NAME]
//       Open-loop HTTP load at R requests/s (tools/load/http_open_loop.h): latency from each
//       request's intended send time, percentiles p50/p99/p99.9/max.
#include <boost/program_options.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/domain/wallet.h"
#include "core/sequencer.h"
#include "core/store/allocator_tuning.h"
#include "core/store/rocksdb_event_log.h"
#include "events/event_types.h"
#include "events/test_events.pb.h"
#include "replay/node_store.h"
#include "tools/load/http_open_loop.h"

namespace {

namespace po = boost::program_options;
using namespace ledger;

Pipelining parse_pipelining(const std::string& name) {
  if (name == "adaptive") return Pipelining::adaptive;
  if (name == "always") return Pipelining::always;
  if (name == "never") return Pipelining::never;
  throw po::error("--pipelining is adaptive, always or never");
}

struct LoopResult {
  std::uint64_t commands = 0;
  std::uint64_t failures = 0;
  double seconds = 0;
  std::vector<std::uint32_t> latencies_us;
};

// Runs `total` commands through the sequencer keeping `in_flight` outstanding: each completion
// submits the next command, so the sequencer always has work to group.
LoopResult run_closed_loop(Sequencer& sequencer, std::uint64_t total, std::uint64_t in_flight,
                           const std::function<Command(std::uint64_t)>& make_command) {
  LoopResult result;
  result.latencies_us.resize(total);
  std::mutex mutex;
  std::condition_variable done;
  std::uint64_t next = 0;
  std::uint64_t completed = 0;
  std::uint64_t failures = 0;
  const auto started = std::chrono::steady_clock::now();

  std::function<void()> submit_next = [&] {
    std::uint64_t index;
    {
      std::lock_guard lock(mutex);
      if (next >= total) return;
      index = next++;
    }
    const auto submitted = std::chrono::steady_clock::now();
    sequencer.submit(make_command(index),
                     [&, index, submitted](const Result<store::CommitOutcome>& r) {
                       const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - submitted);
                       result.latencies_us[index] = static_cast<std::uint32_t>(latency.count());
                       // Submit the next command before counting this one: once the last completion
                       // is counted, the waiting caller returns and destroys the mutex, the
                       // condition variable and submit_next, so counting must be the last thing a
                       // completion does.
                       submit_next();
                       std::lock_guard lock(mutex);
                       if (!r) ++failures;
                       ++completed;
                       if (completed == total) done.notify_all();
                     });
  };
  for (std::uint64_t i = 0; i < std::min(in_flight, total); ++i) submit_next();
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return completed == total; });
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.commands = total;
  result.failures = failures;
  return result;
}

std::uint32_t percentile(std::vector<std::uint32_t> values, double fraction) {
  if (values.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                   values.end());
  return values[index];
}

nlohmann::json report(const std::string& name, const LoopResult& result,
                      const SequencerStats& stats) {
  const double per_second = static_cast<double>(result.commands) / result.seconds;
  nlohmann::json json = {
      {"bench", name},
      {"events", result.commands},
      {"failures", result.failures},
      {"seconds", result.seconds},
      {"per_second", static_cast<std::uint64_t>(per_second)},
      {"p50_us", percentile(result.latencies_us, 0.50)},
      {"p99_us", percentile(result.latencies_us, 0.99)},
      {"p999_us", percentile(result.latencies_us, 0.999)},
      {"batches", stats.batches},
      {"mean_batch", stats.batches
                         ? static_cast<double>(stats.commands) / static_cast<double>(stats.batches)
                         : 0.0},
      {"decide_ms_total", stats.decide_time_us_total / 1000},
      {"write_ms_total", stats.write_time_us_total / 1000},
      {"complete_ms_total", stats.complete_time_us_total / 1000},
  };
  const auto share = [&](std::uint64_t us) {
    return 100.0 * static_cast<double>(us) / 1e6 / result.seconds;
  };
  std::printf(
      "%s: %llu commands in %.2f s = %.0f/s; latency p50 %u us, p99 %u us, p99.9 %u us; "
      "%llu batches (mean %.0f commands); of the run's time: %.0f%% deciding and %.0f%% in "
      "completions (writer thread), %.0f%% in durable writes (commit thread)\n",
      name.c_str(), static_cast<unsigned long long>(result.commands), result.seconds, per_second,
      json["p50_us"].get<std::uint32_t>(), json["p99_us"].get<std::uint32_t>(),
      json["p999_us"].get<std::uint32_t>(), static_cast<unsigned long long>(stats.batches),
      json["mean_batch"].get<double>(), share(stats.decide_time_us_total),
      share(stats.complete_time_us_total), share(stats.write_time_us_total));
  if (result.failures > 0) {
    std::printf("%s: %llu commands FAILED\n", name.c_str(),
                static_cast<unsigned long long>(result.failures));
  }
  return json;
}

// The store the bench writes: RocksDB under DATA_DIR, or (a postgresql:// URL) the PostgreSQL
// log with its read models under DATA_DIR/state, written as the lease-holding node.
std::unique_ptr<store::EventLog> open_store(const std::string& data_dir, const std::string& url) {
  auto log = replay::open_node_store({data_dir, url}, replay::NodeAccess::writer);
  if (!log) {
    std::fprintf(stderr, "ledger-bench: %s\n", log.error().message.c_str());
    std::exit(2);
  }
  return std::move(log).value();
}

int bench_append(int argc, char** argv) {
  std::uint64_t events = 1'000'000, streams = 1000, batch = 1000, payload_bytes = 150;
  std::string data_dir, store_url, pipelining = "adaptive";
  po::options_description options("ledger-bench append");
  options.add_options()("help,h", "show this help")(
      "events", po::value(&events)->default_value(events), "events to append")(
      "streams", po::value(&streams)->default_value(streams), "streams to spread them over")(
      "batch", po::value(&batch)->default_value(batch), "commands kept in flight")(
      "pipelining", po::value(&pipelining)->default_value(pipelining),
      "decide the next batch while one is written: adaptive, always or never")(
      "payload-bytes", po::value(&payload_bytes)->default_value(payload_bytes),
      "approximate bytes per event payload")("data-dir", po::value(&data_dir)->required(),
                                             "directory for the store (use a fresh one)")(
      "store", po::value(&store_url),
      "postgresql://... append to this PostgreSQL log instead (use a fresh database)");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  if (events == 0 || streams == 0 || batch == 0) throw po::error("counts must be positive");

  auto log = open_store(data_dir, store_url);
  SystemClock clock;
  Sequencer sequencer(*log, clock, SequencerOptions{.pipelining = parse_pipelining(pipelining)});
  sequencer.start();
  const std::string type = events::event_type_of<events::SyntheticEventAppended>();
  const std::string filler(payload_bytes > 16 ? payload_bytes - 16 : 0, 'x');
  auto result = run_closed_loop(sequencer, events, batch, [&](std::uint64_t index) {
    Command command;
    command.decide = [&, index](DecisionContext&) -> Result<store::CommitRequest> {
      events::SyntheticEventAppended event;
      event.set_sequence(index);
      event.set_filler(filler);
      store::CommitRequest commit;
      commit.events.push_back(
          {"bench:" + std::to_string(index % streams), type, event.SerializeAsString()});
      commit.actor = "bench";
      return commit;
    };
    return command;
  });
  sequencer.stop();
  auto json = report("append", result, sequencer.stats());
  json["streams"] = streams;
  json["in_flight"] = batch;
  json["pipelining"] = pipelining;
  std::cout << json.dump() << std::endl;
  return result.failures == 0 ? 0 : 1;
}

// Wraps a domain decider as a sequencer command.
template <class Answer>
Command domain_command(std::function<Result<Answer>(domain::UnitOfWork&)> decide) {
  Command command;
  command.decide =
      [decide = std::move(decide)](DecisionContext& context) -> Result<store::CommitRequest> {
    domain::UnitOfWork uow(context);
    auto answer = decide(uow);
    if (!answer) return std::move(answer).error();
    store::CommitRequest commit = uow.finish(answer->SerializeAsString());
    commit.actor = "bench";
    return commit;
  };
  return command;
}

int bench_debit(int argc, char** argv) {
  std::uint64_t events = 1'000'000, wallets = 1000, batch = 1000;
  std::string data_dir, store_url, pipelining = "adaptive";
  bool idempotency_keys = false;
  po::options_description options("ledger-bench debit");
  options.add_options()("help,h", "show this help")(
      "events", po::value(&events)->default_value(events), "debits to make")(
      "wallets", po::value(&wallets)->default_value(wallets), "wallets to spread them over")(
      "batch", po::value(&batch)->default_value(batch), "commands kept in flight")(
      "pipelining", po::value(&pipelining)->default_value(pipelining),
      "decide the next batch while one is written: adaptive, always or never")(
      "data-dir", po::value(&data_dir)->required(), "directory for the store (use a fresh one)")(
      "store", po::value(&store_url),
      "postgresql://... append to this PostgreSQL log instead (use a fresh database)")(
      "idempotency-keys", po::bool_switch(&idempotency_keys),
      "give every debit an idempotency key of its own");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  po::notify(values);
  if (events == 0 || wallets == 0 || batch == 0) throw po::error("counts must be positive");

  auto log = open_store(data_dir, store_url);
  SystemClock clock;
  Sequencer sequencer(*log, clock, SequencerOptions{.pipelining = parse_pipelining(pipelining)});
  sequencer.start();
  // Fund every wallet with enough for its share of the debits (one cent each), plus margin.
  const Money funding = Money::from_minor(static_cast<std::int64_t>(events / wallets + 100));
  auto funded = run_closed_loop(sequencer, wallets * 2, batch, [&](std::uint64_t index) {
    const std::string user = "user-" + std::to_string(index / 2);
    const std::string topup = "fund-" + std::to_string(index / 2);
    if (index % 2 == 0) {
      return domain_command<events::TopUpRequested>([=](domain::UnitOfWork& uow) {
        return domain::request_topup(
            uow, {domain::UserId{user}, domain::TopUpId{topup}, funding, "card"});
      });
    }
    return domain_command<events::WalletCredited>([=](domain::UnitOfWork& uow) {
      return domain::confirm_topup(uow, {domain::TopUpId{topup}, "bench", "bench",
                                         domain::TransactionId{topup + "-credit"}});
    });
  });
  if (funded.failures > 0) {
    std::fprintf(stderr, "ledger-bench debit: funding failed\n");
    return 1;
  }
  const auto before = sequencer.stats();
  auto result = run_closed_loop(sequencer, events, batch, [&](std::uint64_t index) {
    const std::string user = "user-" + std::to_string(index % wallets);
    Command command = domain_command<events::WalletDebited>([index, user](domain::UnitOfWork& uow) {
      return domain::pay_from_wallet(
          uow, {domain::UserId{user}, domain::TransactionId{"debit-" + std::to_string(index)},
                Money::from_minor(1), "payment", "marketing", "", ""});
    });
    if (idempotency_keys) {
      command.idempotency_key = user + "/debit-key-" + std::to_string(index);
      command.request_fingerprint = "pay 0.01 marketing";
    }
    return command;
  });
  sequencer.stop();
  SequencerStats stats = sequencer.stats();
  stats.batches -= before.batches;
  stats.commands -= before.commands;
  stats.decide_time_us_total -= before.decide_time_us_total;
  stats.write_time_us_total -= before.write_time_us_total;
  stats.complete_time_us_total -= before.complete_time_us_total;
  auto json = report("debit", result, stats);
  json["wallets"] = wallets;
  json["idempotency_keys"] = idempotency_keys;
  json["in_flight"] = batch;
  json["pipelining"] = pipelining;
  std::cout << json.dump() << std::endl;
  return result.failures == 0 ? 0 : 1;
}

// Splits http://HOST:PORT/PATH into the options' host, port and target.
void parse_url(const std::string& url, load::OpenLoopOptions& options) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw po::error("--url must start with http://");
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  options.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  options.host = authority.substr(0, colon);
  options.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (options.host.empty() || options.port.empty()) throw po::error("--url has no host or port");
}

int bench_http_open_loop(int argc, char** argv) {
  load::OpenLoopOptions options;
  std::string url, tokens_file, name = "http-open-loop";
  double seconds = 10, drain_seconds = 5;
  po::options_description description("ledger-bench http-open-loop");
  description.add_options()("help,h", "show this help")("url", po::value(&url)->required(),
                                                        "http://HOST:PORT/PATH")(
      "rate", po::value(&options.rate_per_second)->required(), "requests per second, in total")(
      "connections", po::value(&options.connections)->default_value(options.connections),
      "keep-alive connections")(
      "threads", po::value(&options.threads)->default_value(options.threads), "client threads")(
      "seconds", po::value(&seconds)->default_value(seconds), "length of the schedule")(
      "drain-seconds", po::value(&drain_seconds)->default_value(drain_seconds),
      "how long late answers are awaited after the schedule ends")(
      "method", po::value(&options.method)->default_value(options.method), "HTTP method")(
      "body", po::value(&options.body), "request body (JSON)")(
      "tokens-file", po::value(&tokens_file), "bearer tokens, one a line, taken round robin")(
      "name", po::value(&name)->default_value(name), "the \"bench\" field of the JSON line");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, description), values);
  if (values.count("help")) {
    std::cout << description;
    return 0;
  }
  po::notify(values);
  parse_url(url, options);
  if (seconds <= 0 || drain_seconds < 0) throw po::error("--seconds must be positive");
  options.duration_ms = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  options.drain_timeout_ms =
      std::chrono::milliseconds(static_cast<std::int64_t>(drain_seconds * 1000));
  if (!tokens_file.empty()) {
    std::ifstream in(tokens_file);
    if (!in) throw po::error("cannot read " + tokens_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) options.bearer_tokens.push_back(line);
    }
  }

  load::OpenLoopResult result;
  try {
    result = load::run_open_loop(options);
  } catch (const std::runtime_error& error) {
    std::fprintf(stderr, "ledger-bench http-open-loop: %s\n", error.what());
    return 2;
  }
  const auto& latencies = result.latencies;
  const double per_second =
      result.seconds > 0 ? static_cast<double>(result.answered) / result.seconds : 0.0;
  std::printf(
      "%s: target %llu/s over %llu connections, %.1f s: %llu due, %llu answered "
      "(%.0f/s), %llu errors, %llu unanswered; latency from intended send time p50 %llu "
      "us, p99 %llu us, p99.9 %llu us, max %llu us\n",
      name.c_str(), static_cast<unsigned long long>(options.rate_per_second),
      static_cast<unsigned long long>(options.connections), seconds,
      static_cast<unsigned long long>(result.due), static_cast<unsigned long long>(result.answered),
      per_second, static_cast<unsigned long long>(result.errors),
      static_cast<unsigned long long>(result.unanswered),
      static_cast<unsigned long long>(latencies.percentile_us(50)),
      static_cast<unsigned long long>(latencies.percentile_us(99)),
      static_cast<unsigned long long>(latencies.percentile_us(99.9)),
      static_cast<unsigned long long>(latencies.max_us()));
  nlohmann::json json = {{"bench", name},
                         {"mode", "open-loop"},
                         {"target_per_second", options.rate_per_second},
                         {"connections", options.connections},
                         {"seconds", result.seconds},
                         {"requests", result.answered},
                         {"due", result.due},
                         {"errors", result.errors},
                         {"unanswered", result.unanswered},
                         {"per_second", static_cast<std::uint64_t>(per_second)},
                         {"p50_us", latencies.percentile_us(50)},
                         {"p99_us", latencies.percentile_us(99)},
                         {"p999_us", latencies.percentile_us(99.9)},
                         {"max_us", latencies.max_us()},
                         {"mean_us", latencies.mean_us()}};
  std::cout << json.dump() << std::endl;
  return 0;
}

void usage() {
  std::fprintf(stderr,
               "usage: ledger-bench COMMAND [options]   (COMMAND --help for its options)\n"
               "  append   durable appends through the sequencer\n"
               "  debit    durable wallet payments through the sequencer\n"
               "  http-open-loop   HTTP requests at a fixed rate, latency from intended send\n");
}

}  // namespace

// An exception that reaches main is a bug we did not foresee: std::terminate names it and aborts.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  ledger::store::tune_allocator_for_store();
  if (argc < 2) {
    usage();
    return 2;
  }
  const std::string command = argv[1];
  try {
    if (command == "append") return bench_append(argc - 1, argv + 1);
    if (command == "debit") return bench_debit(argc - 1, argv + 1);
    if (command == "http-open-loop") return bench_http_open_loop(argc - 1, argv + 1);
  } catch (const po::error& error) {
    std::fprintf(stderr, "ledger-bench %s: %s\n", command.c_str(), error.what());
    return 2;
  }
  usage();
  return 2;
}
