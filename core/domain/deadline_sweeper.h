// DeadlineSweeper: the time-driven commands. Every interval it looks at the open invoices, the
// active subscriptions, the open holds, the open tasks with a due date and the pending PayPal
// course purchases in the read models and submits, for each one whose time has come, the command
// that moves it on (mark_invoice_deadlines, advance_subscription: reminders, renewals charged or
// invoiced, access ended when a renewal invoice's grace period ends unpaid; expire_hold,
// mark_task_overdue, expire_course_purchase). The deciders
// re-check the time from the sequencer's clock, so a sweep that sees stale state or runs twice
// writes nothing wrong: each mark, renewal or expiry happens once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/domain/ledger.h"
#include "core/id_generator.h"
#include "core/store/event_log.h"

namespace ledger::domain {

struct SweepReport {
  std::uint64_t invoices_checked = 0;
  std::uint64_t subscriptions_checked = 0;
  std::uint64_t holds_checked = 0;
  std::uint64_t tasks_checked = 0;
  std::uint64_t course_purchases_checked = 0;  // pending PayPal purchases looked at
  std::uint64_t commands_submitted = 0;
  std::uint64_t failures = 0;
};

class DeadlineSweeper {
 public:
  DeadlineSweeper(const store::EventLog& log, Ledger& ledger, const Clock& clock, IdGenerator& ids)
      : log_(log), ledger_(ledger), clock_(clock), ids_(ids) {}
  ~DeadlineSweeper() { stop(); }

  // One pass: submits the due commands and waits for them. Safe to call from any thread.
  Result<SweepReport> sweep_once();

  // Runs sweep_once every `interval` on a thread of its own until stop().
  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  const store::EventLog& log_;
  Ledger& ledger_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ledger::domain
