#include "replay/log_verification.h"

#include "core/domain/inline_folds.h"
#include "replay/inline_comparison.h"
#include "replay/log_fold.h"
#include "replay/scratch_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/hex.h"
#include "core/store/chain_verifier.h"

namespace ledger::replay {
namespace {

constexpr std::size_t kBatchEvents = 1024;
constexpr std::size_t kBatchesInFlight = 6;

// Decoded envelopes and the positions they are stored at, read by every consuming stage; the
// last stage to finish with a batch recycles it.
struct Batch {
  std::vector<events::Envelope> envelopes = std::vector<events::Envelope>(kBatchEvents);
  std::vector<std::uint64_t> positions = std::vector<std::uint64_t>(kBatchEvents);
  std::size_t size = 0;
  std::atomic<int> readers = 0;
};

// A bounded hand-off of batches between the stages; nullptr ends the stream.
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

// The row comparison's fold, run as a stage of the scan: the inline folds over the envelopes
// the scan decoded, up to `up_to`, into a scratch store. Like fold_log it stops at the first
// failure: a fold's error, or (reported by the scan) a record that does not decode.
struct RowFold {
  std::unique_ptr<ScratchStore> scratch;
  std::optional<EnvelopeFolder> folder;
  std::uint64_t up_to = 0;
  Status failure;
  std::uint64_t failure_position = UINT64_MAX;
  std::atomic<std::uint64_t> undecodable = UINT64_MAX;  // the first one up to `up_to`

  void visit(std::uint64_t position, const events::Envelope& envelope) {
    if (position > up_to || position >= undecodable.load(std::memory_order_relaxed) || !failure) {
      return;
    }
    if (auto folded = folder->fold(position, envelope); !folded) {
      failure = std::move(folded);
      failure_position = position;
    }
  }
  // What fold_log would have answered: its first failure in log order, or the final flush's.
  Status finish() {
    const std::uint64_t bad_record = undecodable.load();
    if (bad_record != UINT64_MAX && bad_record < failure_position) {
      return make_error(Errc::corruption, fmt::format("record {} does not decode", bad_record));
    }
    if (!failure) return std::move(failure);
    return folder->finish();
  }
};

}  // namespace

Result<LogVerification> verify_log(const store::EventLog& log, const VerifyOptions& options) {
  // The inline rows are folded during the same scan (one read and one decode of each record),
  // when they are compared at all: only when verifying up to the head.
  const auto inline_folds = domain::all_inline_folds();
  const std::uint64_t head = log.head().position;
  const bool compare_rows = !options.scratch_directory.empty() && options.up_to_position >= head;
  std::optional<RowFold> row_fold;
  Status scratch_opened;
  if (compare_rows) {
    std::vector<std::string> keyspaces;
    keyspaces.reserve(inline_folds.size());
    for (const auto* fold : inline_folds) keyspaces.emplace_back(fold->keyspace);
    auto scratch = ScratchStore::open(options.scratch_directory, keyspaces);
    if (scratch) {
      row_fold.emplace();
      row_fold->scratch = std::move(*scratch);
      row_fold->folder.emplace(inline_folds, *row_fold->scratch);
      row_fold->up_to = head;
    } else {
      scratch_opened = std::move(scratch).error();  // reported where the comparison would run
    }
  }

  std::vector<std::unique_ptr<Batch>> batches;
  BatchQueue empty;
  for (std::size_t i = 0; i < kBatchesInFlight; ++i) {
    batches.push_back(std::make_unique<Batch>());
    empty.push(batches.back().get());
  }
  const int stages = row_fold ? 2 : 1;
  auto done_with = [&](Batch* batch) {
    if (batch->readers.fetch_sub(1) == 1) {
      batch->size = 0;
      empty.push(batch);
    }
  };

  DomainAudit audit;
  BatchQueue to_audit;
  std::thread auditor([&] {
    while (Batch* batch = to_audit.pop()) {
      for (std::size_t i = 0; i < batch->size; ++i) audit.visit(batch->envelopes[i]);
      done_with(batch);
    }
  });
  BatchQueue to_fold;
  std::thread folder;
  if (row_fold) {
    folder = std::thread([&] {
      while (Batch* batch = to_fold.pop()) {
        for (std::size_t i = 0; i < batch->size; ++i) {
          row_fold->visit(batch->positions[i], batch->envelopes[i]);
        }
        done_with(batch);
      }
    });
  }
  auto hand_on = [&](Batch* batch) {
    batch->readers = stages;
    to_audit.push(batch);
    if (row_fold) to_fold.push(batch);
  };

  LogVerification result;
  store::ChainVerifier verifier({}, /*check_stream_versions=*/true);
  bool anchor_seen = false;
  Batch* batch = empty.pop();
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (position > options.up_to_position) return false;
    if (verifier.visit(position, record, &batch->envelopes[batch->size])) {
      batch->positions[batch->size] = position;
      if (++batch->size == kBatchEvents) {
        hand_on(batch);
        batch = empty.pop();
      }
    } else if (row_fold && position <= row_fold->up_to &&
               row_fold->undecodable.load(std::memory_order_relaxed) == UINT64_MAX) {
      row_fold->undecodable = position;
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
  hand_on(batch);
  to_audit.push(nullptr);
  to_fold.push(nullptr);
  auditor.join();
  if (folder.joinable()) folder.join();
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
  if (compare_rows) {
    if (!scratch_opened) return std::move(scratch_opened).error();
    if (auto folded = row_fold->finish(); !folded) return std::move(folded).error();
    auto compared_rows =
        compare_folded_rows(log, inline_folds, *row_fold->scratch, row_fold->up_to);
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
