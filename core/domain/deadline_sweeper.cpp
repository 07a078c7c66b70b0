#include "core/domain/deadline_sweeper.h"

#include <cstdio>
#include <vector>

#include "core/domain/calendar.h"
#include "core/domain/course.h"
#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/subscription.h"
#include "core/domain/task.h"
#include "core/domain/wallet.h"
#include "events/timestamp.h"

namespace ledger::domain {
namespace {

const CommandOrigin kSweeperOrigin{"system", "deadline-sweep", "", "", ""};

// Submits `decide` and waits for it; counts the outcome.
template <class Answer>
void run(Ledger& ledger, DomainDecide<Answer> decide, SweepReport& report) {
  ++report.commands_submitted;
  auto done = ledger.execute_and_wait<Answer>(kSweeperOrigin, std::move(decide));
  if (!done) ++report.failures;
}

// Marks the open tasks whose due date has ended overdue.
Status sweep_tasks(const store::EventLog& log, Ledger& ledger, std::int64_t now,
                   SweepReport& report) {
  std::vector<std::string> tasks;
  auto scanned =
      log.scan_state(kTasksKeyspace, kDueTaskKeyPrefix, store::ReadDirection::forward,
                     [&](std::string_view, std::string_view value) {
                       ++report.tasks_checked;
                       events::TaskState task;
                       if (!task.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                         return true;
                       }
                       auto due_end = end_of_date_us(task.due_date());
                       if (due_end && now >= *due_end) tasks.push_back(task.task_id());
                       return true;
                     });
  if (!scanned) return scanned;
  for (const auto& id : tasks) {
    run<events::TaskState>(
        ledger, [id](UnitOfWork& uow) { return mark_task_overdue(uow, {TaskId{id}}); }, report);
  }
  return {};
}

// Expires the PayPal purchases pending for kPendingPurchaseLifetimeUs.
Status sweep_course_purchases(const store::EventLog& log, Ledger& ledger, std::int64_t now,
                              SweepReport& report) {
  std::vector<std::string> purchases;
  auto scanned =
      log.scan_state(kCoursesKeyspace, kPendingPurchaseKeyPrefix, store::ReadDirection::forward,
                     [&](std::string_view, std::string_view value) {
                       ++report.course_purchases_checked;
                       events::CoursePurchaseState purchase;
                       if (!purchase.ParseFromArray(value.data(), static_cast<int>(value.size())))
                         return true;
                       if (now >= purchase.purchased_at_us() + kPendingPurchaseLifetimeUs) {
                         purchases.push_back(purchase.purchase_id());
                       }
                       return true;
                     });
  if (!scanned) return scanned;
  for (const auto& id : purchases) {
    run<events::CoursePurchaseState>(
        ledger, [id](UnitOfWork& uow) { return expire_course_purchase(uow, {PurchaseId{id}}); },
        report);
  }
  return {};
}

}  // namespace

Result<SweepReport> DeadlineSweeper::sweep_once() {
  SweepReport report;
  const std::int64_t now = clock_.now_us();

  std::vector<std::string> invoices;
  auto scanned =
      log_.scan_state(kBillingKeyspace, kOpenInvoiceKeyPrefix, store::ReadDirection::forward,
                      [&](std::string_view, std::string_view value) {
                        ++report.invoices_checked;
                        events::InvoiceState invoice;
                        if (!invoice.ParseFromArray(value.data(), static_cast<int>(value.size())))
                          return true;
                        auto due_end = end_of_date_us(invoice.due_date());
                        if (!due_end || invoice.overdue()) return true;
                        const bool reminder_due =
                            now >= *due_end - kInvoiceReminderLeadUs && !invoice.reminder_sent();
                        if (reminder_due || now >= *due_end)
                          invoices.push_back(invoice.invoice_id());
                        return true;
                      });
  if (!scanned) return std::move(scanned).error();
  for (const auto& id : invoices) {
    run<events::InvoiceState>(
        ledger_, [id](UnitOfWork& uow) { return mark_invoice_deadlines(uow, {InvoiceId{id}}); },
        report);
  }

  std::vector<std::string> subscriptions;
  scanned = log_.scan_state(
      kBillingKeyspace, kActiveSubscriptionKeyPrefix, store::ReadDirection::forward,
      [&](std::string_view, std::string_view value) {
        ++report.subscriptions_checked;
        events::SubscriptionState subscription;
        if (!subscription.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          return true;
        }
        auto due = subscription_due(subscription, now);
        if (due && *due != SubscriptionDue::nothing) {
          subscriptions.push_back(subscription.subscription_id());
        }
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  for (const auto& id : subscriptions) {
    const std::string transaction = ids_.next();
    const std::string invoice = ids_.next();
    run<events::SubscriptionState>(
        ledger_,
        [id, transaction, invoice](UnitOfWork& uow) {
          return advance_subscription(
              uow, {SubscriptionId{id}, TransactionId{transaction}, InvoiceId{invoice}});
        },
        report);
  }

  std::vector<std::string> holds;
  scanned =
      log_.scan_state(kWalletsKeyspace, "hold/", store::ReadDirection::forward,
                      [&](std::string_view, std::string_view value) {
                        ++report.holds_checked;
                        events::HoldState hold;
                        if (!hold.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                          return true;
                        }
                        if (hold.status() == events::HOLD_STATUS_OPEN &&
                            hold.expires_at_us() != 0 && hold.expires_at_us() <= now) {
                          holds.push_back(hold.hold_id());
                        }
                        return true;
                      });
  if (!scanned) return std::move(scanned).error();
  for (const auto& id : holds) {
    run<events::HoldState>(
        ledger_, [id](UnitOfWork& uow) { return expire_hold(uow, {HoldId{id}}); }, report);
  }

  if (auto swept = sweep_tasks(log_, ledger_, now, report); !swept) {
    return std::move(swept).error();
  }
  if (auto swept = sweep_course_purchases(log_, ledger_, now, report); !swept) {
    return std::move(swept).error();
  }
  return report;
}

void DeadlineSweeper::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      auto report = sweep_once();
      if (!report) {
        std::fprintf(stderr, "ledgerd: deadline sweep failed: %s\n",
                     report.error().message.c_str());
      }
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void DeadlineSweeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ledger::domain
