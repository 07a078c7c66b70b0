#include "replay/log_verification.h"

#include "core/domain/inline_folds.h"
#include "replay/inline_comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/hex.h"
#include "core/store/chain_verifier.h"

namespace ledger::replay {
namespace {

constexpr std::size_t kBatchEvents = 1024;
constexpr std::size_t kBatchesInFlight = 4;

struct Batch {
  std::vector<events::Envelope> envelopes = std::vector<events::Envelope>(kBatchEvents);
  std::size_t size = 0;
};

// A bounded hand-off of batches between the two stages; nullptr ends the stream.
class BatchQueue {
 public:
  void push(Batch* batch) {
    {
      std::lock_guard lock(mutex_);
      batches_.push_back(batch);
    }
    ready_.notify_one();
  }
  Batch* pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty(); });
    Batch* batch = batches_.front();
    batches_.pop_front();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Batch*> batches_;
};

}  // namespace

Result<LogVerification> verify_log(const store::EventLog& log, const VerifyOptions& options) {
  std::vector<std::unique_ptr<Batch>> batches;
  BatchQueue full;
  BatchQueue empty;
  for (std::size_t i = 0; i < kBatchesInFlight; ++i) {
    batches.push_back(std::make_unique<Batch>());
    empty.push(batches.back().get());
  }

  DomainAudit audit;
  std::thread auditor([&] {
    while (Batch* batch = full.pop()) {
      for (std::size_t i = 0; i < batch->size; ++i) audit.visit(batch->envelopes[i]);
      batch->size = 0;
      empty.push(batch);
    }
  });

  LogVerification result;
  store::ChainVerifier verifier({}, /*check_stream_versions=*/true);
  bool anchor_seen = false;
  Batch* batch = empty.pop();
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (position > options.up_to_position) return false;
    if (verifier.visit(position, record, &batch->envelopes[batch->size])) {
      if (++batch->size == kBatchEvents) {
        full.push(batch);
        batch = empty.pop();
      }
    }
    if (options.anchor && position == options.anchor->first) {
      anchor_seen = true;
      if (to_hex(verifier.last().hash) != options.anchor->second) {
        result.findings.push_back(
            {position, "anchor_mismatch",
             "the record at the anchored position has another hash: the log was rewritten since "
             "the anchor was taken"});
      }
    }
    if (options.on_position) options.on_position(position);
    return true;
  });
  full.push(batch);
  full.push(nullptr);
  auditor.join();
  if (!scanned) return std::move(scanned).error();

  if (options.anchor && !anchor_seen) {
    result.findings.push_back({options.anchor->first, "anchor_missing",
                               fmt::format("the log ends at {}, before the anchored position",
                                           verifier.last().position)});
  }
  if (auto compared = audit.compare_with_read_model(log); !compared) {
    return std::move(compared).error();
  }
  for (const auto& finding : verifier.findings()) {
    result.findings.push_back({finding.position, finding.kind, finding.message});
  }
  if (!options.scratch_directory.empty() && options.up_to_position >= log.head().position) {
    auto compared_rows = compare_inline(log, domain::all_inline_folds(), options.scratch_directory,
                                        options.on_fold_position);
    if (!compared_rows) return std::move(compared_rows).error();
    result.rows_compared = compared_rows->rows;
    for (const auto& difference : compared_rows->first) {
      result.findings.push_back(
          {0, "row_" + difference.kind,
           fmt::format("{}/{}: the stored row {}", difference.keyspace, difference.key,
                       difference.kind == "differs"   ? "differs from the fold of the log"
                       : difference.kind == "missing" ? "is missing (the log folds into one)"
                                                      : "is not in the fold of the log")});
    }
    if (compared_rows->differences > compared_rows->first.size()) {
      result.findings.push_back(
          {0, "row_differences",
           fmt::format("{} more rows differ from the fold of the log",
                       compared_rows->differences - compared_rows->first.size())});
    }
  }
  result.findings.insert(result.findings.end(), audit.findings().begin(), audit.findings().end());
  std::stable_sort(result.findings.begin(), result.findings.end(),
                   [](const auto& a, const auto& b) { return a.position < b.position; });
  result.events = verifier.records_visited();
  result.accounts = audit.balances().size();
  result.last = verifier.last();
  return result;
}

}  // namespace ledger::replay
