// Verifying a whole log: the hash chain, positions and stream versions (store::ChainVerifier) and
// every money rule with the recomputed balances (DomainAudit), then the balances against the
// stored read model, and (with a scratch directory) every row of every inline read model
// against the fold of the log (inline_comparison.h). Never stops early: every finding, with its
// position.
//
// One read of the log, in stages on their own threads: the scanning thread reads the records in
// order and checks the chain, decoding each envelope into a batch; the auditing thread folds the
// batches' events through the money rules; and, when rows are compared, a third thread folds the
// same decoded envelopes through the inline folds into the scratch store (in log order, stopping
// at the first failure as fold_log does), which is compared with the stored rows once the scan
// is done. Batches are recycled by the last stage done with them (their decoded messages keep
// their buffers), and at most a few are in flight, so memory stays bounded whatever the log's
// length. The findings, their order and the errors are those of a scan, a fold and a
// comparison run one after the other.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/store/event_log.h"
#include "replay/domain_audit.h"

namespace ledger::replay {

struct LogVerification {
  std::vector<AuditFinding> findings;  // by position (0: about the read model)
  std::uint64_t events = 0;
  std::uint64_t accounts = 0;
  std::uint64_t rows_compared = 0;  // inline rows compared with the fold of the log
  store::LogHead last;              // the last record visited and the hash it claims
};

struct VerifyOptions {
  std::uint64_t up_to_position = UINT64_MAX;
  // POSITION and lower-case hex hash the log must still hold ("verify --expect-head").
  std::optional<std::pair<std::uint64_t, std::string>> anchor;
  std::function<void(std::uint64_t)> on_position;  // progress, from the scanning thread
  // Where to fold the inline read models apart for the row comparison (must not exist; removed
  // after). Empty: no row comparison. Only done when verifying up to the head (as it is when
  // the scan starts); the rows are folded during the scan, so `on_position` covers both.
  std::string scratch_directory;
};

Result<LogVerification> verify_log(const store::EventLog& log, const VerifyOptions& options);

}  // namespace ledger::replay
