#include "http/sequencer_metrics.h"

#include <fmt/format.h>

namespace ledger::http {
namespace {

// A counter of seconds, kept in microseconds.
void append_seconds_counter(std::string& out, std::string_view name, std::string_view help,
                            std::uint64_t microseconds) {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name,
                     static_cast<double>(microseconds) / 1e6);
}

}  // namespace

std::string render_sequencer_metrics(const SequencerStats& stats, const store::LogHead& head,
                                     bool writable) {
  std::string out;
  out += "# HELP ledger_log_head_position Position of the last event in the log.\n";
  out += "# TYPE ledger_log_head_position gauge\n";
  out += fmt::format("ledger_log_head_position {}\n", head.position);
  out += "# HELP ledger_store_writable 1 while the store accepts writes.\n";
  out += "# TYPE ledger_store_writable gauge\n";
  out += fmt::format("ledger_store_writable {}\n", writable ? 1 : 0);
  out += "# HELP ledger_sequencer_commands_total Commands decided by the sequencer.\n";
  out += "# TYPE ledger_sequencer_commands_total counter\n";
  out += fmt::format("ledger_sequencer_commands_total {}\n", stats.commands);
  out += "# HELP ledger_sequencer_commands_refused_total Commands refused by a domain rule.\n";
  out += "# TYPE ledger_sequencer_commands_refused_total counter\n";
  out += fmt::format("ledger_sequencer_commands_refused_total {}\n", stats.commands_refused);
  out += "# HELP ledger_sequencer_events_total Events appended.\n";
  out += "# TYPE ledger_sequencer_events_total counter\n";
  out += fmt::format("ledger_sequencer_events_total {}\n", stats.events);
  append_seconds_counter(out, "ledger_sequencer_write_seconds_total",
                         "Time in durable batch writes (WAL fsync included).",
                         stats.write_time_us_total);
  append_seconds_counter(out, "ledger_sequencer_decide_seconds_total",
                         "Time deciding batches (idempotency lookups, decide functions, expected "
                         "versions).",
                         stats.decide_time_us_total);
  append_seconds_counter(out, "ledger_sequencer_complete_seconds_total",
                         "Time in the commands' completions.", stats.complete_time_us_total);
  out += "# HELP ledger_sequencer_batch_size Commands per sequencer batch.\n";
  out += "# TYPE ledger_sequencer_batch_size histogram\n";
  std::uint64_t cumulative = 0;
  std::uint64_t bound = 1;
  for (std::size_t i = 0; i < stats.batch_size_buckets.size(); ++i) {
    cumulative += stats.batch_size_buckets[i];
    const bool last = i + 1 == stats.batch_size_buckets.size();
    out += fmt::format("ledger_sequencer_batch_size_bucket{{le=\"{}\"}} {}\n",
                       last ? std::string("+Inf") : std::to_string(bound), cumulative);
    bound *= 4;
  }
  out += fmt::format("ledger_sequencer_batch_size_count {}\n", stats.batches);
  out += fmt::format("ledger_sequencer_batch_size_sum {}\n", stats.commands);
  return out;
}

}  // namespace ledger::http
