// DomainAudit: replays decoded events in log order and checks every money rule the log must
// obey, recomputing balances from the postings alone. It never stops early: each broken rule is a
// finding with its position.
//
// Checked per event:
// - the postings of an event sum to zero;
// - no wallet account ever goes below zero;
// - a redeem code is redeemed at most its usage limit, and at most once per user;
// - top-ups are confirmed or failed only while pending, at most once, for the requested amount;
// - course purchases are confirmed only while pending and refunded only when completed, once;
// and at the end (`compare_with_read_model`) the recomputed balances equal the stored inline
// read model, account by account.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/domain/posting_reader.h"
#include "core/store/event_log.h"
#include "events/course_events.pb.h"
#include "events/envelope.pb.h"
#include "events/ledger_accounts.pb.h"
#include "events/wallet_state.pb.h"

namespace ledger::replay {

struct AuditFinding {
  std::uint64_t position = 0;  // 0 for findings about the read model as a whole
  std::string kind;            // "unbalanced", "negative_wallet", "code_over_limit", ...
  std::string message;
};

class DomainAudit {
 public:
  // Checks one event (events must come in log order).
  void visit(const events::Envelope& envelope);

  // Compares the recomputed balances with the stored "accounts" read model and adds a finding
  // for every account that differs or exists on one side only.
  Status compare_with_read_model(const store::EventLog& log);

  const std::vector<AuditFinding>& findings() const { return findings_; }
  const std::unordered_map<std::string, events::AccountState>& balances() const {
    return balances_;
  }

 private:
  void add(std::uint64_t position, std::string kind, std::string message);
  void check_state_rules(const events::Envelope& envelope);

  domain::PostingReader reader_;
  std::unordered_map<std::string, events::AccountState> balances_;
  std::vector<AuditFinding> findings_;
  // Redeem codes: limit, redemptions and who redeemed.
  struct Code {
    std::uint32_t limit = 0;
    std::uint32_t used = 0;
    std::set<std::string> users;
  };
  std::unordered_map<std::string, Code> codes_;
  // Top-ups and course purchases: their status as the log has told so far, and amounts.
  template <class Status>
  struct Settling {
    Status status{};
    std::int64_t amount_minor = 0;
  };
  std::unordered_map<std::string, Settling<events::TopUpStatus>> topups_;
  std::unordered_map<std::string, Settling<events::CoursePurchaseStatus>> purchases_;
};

}  // namespace ledger::replay
