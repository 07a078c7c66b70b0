// Prometheus exposition of the sequencer's and the store's figures: commands, refusals, batches,
// batch sizes (histogram), time spent in durable writes, and the log head.
#pragma once

#include <string>

#include "core/sequencer.h"
#include "core/store/event_log.h"

namespace ledger::http {

std::string render_sequencer_metrics(const SequencerStats& stats, const store::LogHead& head,
                                     bool writable);

}  // namespace ledger::http
