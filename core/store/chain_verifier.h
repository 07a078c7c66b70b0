// ChainVerifier: checks a run of stored records, fed in key order, for everything the log
// promises about its own structure, and lists every break it finds (it never stops early):
// - the key's position equals the envelope's position, and positions are contiguous;
// - each record's seal: hash = SHA-256(previous hash || body), and the envelope's previous_hash
//   equals the hash of the record before;
// - each record decodes as an Envelope;
// - optionally, stream versions are contiguous from 1 in every stream (this needs memory per
//   stream, so the store's tail check on open leaves it off).
// After a record with a bad hash the verifier continues from the hash that record claims, so one
// altered record yields findings at its own position rather than at every later one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/sha256.h"
#include "core/store/commit.h"
#include "core/store/event_log.h"
#include "events/envelope.pb.h"

namespace ledger::store {

struct ChainFinding {
  std::uint64_t position = 0;  // where it was found (the key's position)
  std::string kind;            // "gap", "position_mismatch", "bad_hash", "bad_link", ...
  std::string message;
};

class ChainVerifier {
 public:
  // `before` is the head just before the first record that will be visited ({0, zero hash} to
  // verify from the start of the log).
  ChainVerifier(LogHead before, bool check_stream_versions);

  // Feeds the record stored under `key_position`. `envelope`, when not null, receives the decoded
  // envelope; answers whether the record decoded.
  bool visit(std::uint64_t key_position, std::string_view record,
             events::Envelope* envelope = nullptr);

  const std::vector<ChainFinding>& findings() const { return findings_; }
  std::uint64_t records_visited() const { return records_visited_; }
  // The last position visited and the hash it claims.
  LogHead last() const { return last_; }

 private:
  void add_finding(std::uint64_t position, std::string kind, std::string message);

  LogHead last_;
  bool check_stream_versions_;
  std::uint64_t records_visited_ = 0;
  std::unordered_map<std::string, std::uint64_t> stream_versions_;
  std::vector<ChainFinding> findings_;
  Sha256 hasher_;
  events::Envelope scratch_;
};

// The stores' tail check on open: verifies the records `scan` feeds (in key order, the first one
// right after `before`) and answers corruption naming the first break and how many were found.
// `scan` answers the status of reading the records.
Status verify_chain_tail(LogHead before, const std::function<Status(const RecordVisitor&)>& scan);

}  // namespace ledger::store
