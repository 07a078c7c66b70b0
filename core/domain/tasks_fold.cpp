#include "core/domain/tasks_fold.h"

#include <utility>

#include "core/domain/keyspaces.h"
#include "core/domain/task.h"
#include "events/task_events.pb.h"
#include "events/task_state.pb.h"

namespace ledger::domain {
namespace {

// The task row, with its assignee and due index rows in step with it. `previous_assignee` is
// whose index row the task leaves (empty: none).
void save_task(KeyspaceRows& rows, const events::TaskState& task,
               std::string_view previous_assignee) {
  const std::string& id = task.task_id();
  rows.save(task_key(id), task);
  events::TaskState index;
  index.set_task_id(id);
  if (!previous_assignee.empty() && previous_assignee != task.assigned_to()) {
    rows.erase(assignee_task_prefix(previous_assignee) + id);
  }
  if (!task.assigned_to().empty()) rows.save(assignee_task_prefix(task.assigned_to()) + id, index);
  if (task_is_open(task.status()) && !task.due_date().empty() && !task.overdue()) {
    index.set_due_date(task.due_date());
    rows.save(due_task_key(id), index);
  } else {
    rows.erase(due_task_key(id));
  }
}

// Applies `change` to the task row and saves it with its index rows; a task the fold never saw
// changes nothing (folds are total).
template <class Change>
Status change_task(KeyspaceRows& rows, const FoldedEvent& event, const std::string& task_id,
                   Change change) {
  auto row = rows.load<events::TaskState>(task_key(task_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return {};
  events::TaskState& task = **row;
  const std::string previous_assignee = task.assigned_to();
  change(task);
  task.set_updated_at_us(event.recorded_at_us);
  save_task(rows, task, previous_assignee);
  return {};
}

// The content fields TaskCreated and TaskUpdated carry in full (the values after the event).
template <class E>
void set_task_fields(const E& event, events::TaskState& task) {
  task.set_title(event.title());
  task.set_description(event.description());
  task.set_service(event.service());
  task.set_priority(event.priority());
  task.set_due_date(event.due_date());
}

Status task_created(KeyspaceRows& rows, const FoldedEvent& event,
                    const events::TaskCreated& created) {
  events::TaskState task;
  task.set_task_id(created.task_id());
  task.set_client_id(created.client_id());
  set_task_fields(created, task);
  task.set_status(events::TASK_STATUS_TODO);
  task.set_created_by(created.created_by());
  task.set_created_at_us(event.recorded_at_us);
  task.set_updated_at_us(event.recorded_at_us);
  save_task(rows, task, {});
  // The client's index row holds only the id; readers load the task row.
  events::TaskState index;
  index.set_task_id(created.task_id());
  rows.save(client_task_prefix(created.client_id()) + created.task_id(), index);
  return {};
}

Status evolve_tasks(KeyspaceRows& rows, const FoldedEvent& event) {
  using events::TaskState;
  if (const auto* created = event.as<events::TaskCreated>()) {
    return task_created(rows, event, *created);
  }
  if (const auto* updated = event.as<events::TaskUpdated>()) {
    return change_task(rows, event, updated->task_id(), [&](TaskState& task) {
      // A new due date is a new deadline: the overdue mark was for the old one.
      if (task.due_date() != updated->due_date()) task.set_overdue(false);
      set_task_fields(*updated, task);
    });
  }
  if (const auto* assigned = event.as<events::TaskAssigned>()) {
    return change_task(rows, event, assigned->task_id(),
                       [&](TaskState& task) { task.set_assigned_to(assigned->assigned_to()); });
  }
  if (const auto* changed = event.as<events::TaskStatusChanged>()) {
    return change_task(rows, event, changed->task_id(),
                       [&](TaskState& task) { task.set_status(changed->to_status()); });
  }
  if (const auto* completed = event.as<events::TaskCompleted>()) {
    return change_task(rows, event, completed->task_id(), [&](TaskState& task) {
      task.set_status(events::TASK_STATUS_DONE);
      task.set_overdue(false);
      task.set_completed_by(completed->completed_by());
      task.set_completed_at_us(event.recorded_at_us);
    });
  }
  if (const auto* cancelled = event.as<events::TaskCancelled>()) {
    return change_task(rows, event, cancelled->task_id(), [&](TaskState& task) {
      task.set_status(events::TASK_STATUS_CANCELLED);
      task.set_overdue(false);
      task.set_cancelled_by(cancelled->cancelled_by());
    });
  }
  if (const auto* overdue = event.as<events::TaskOverdue>()) {
    return change_task(rows, event, overdue->task_id(),
                       [](TaskState& task) { task.set_overdue(true); });
  }
  return {};
}

}  // namespace

std::string task_key(std::string_view task_id) {
  return std::string(kTaskKeyPrefix) + std::string(task_id);
}
std::string client_task_prefix(std::string_view client_id) {
  return "of-client/" + std::string(client_id) + "/";
}
std::string assignee_task_prefix(std::string_view user_id) {
  return "of-assignee/" + std::string(user_id) + "/";
}
std::string due_task_key(std::string_view task_id) {
  return std::string(kDueTaskKeyPrefix) + std::string(task_id);
}

InlineFold tasks_fold() {
  return InlineFold{
      .keyspace = kTasksKeyspace,
      .version = 1,
      .description =
          "tasks, with their per-client and per-assignee index rows and the open "
          "tasks with a due date the deadline sweeper scans",
      .events = {events::TaskCreated::descriptor(), events::TaskUpdated::descriptor(),
                 events::TaskAssigned::descriptor(), events::TaskStatusChanged::descriptor(),
                 events::TaskCompleted::descriptor(), events::TaskCancelled::descriptor(),
                 events::TaskOverdue::descriptor()},
      .every_event = false,
      .evolve = evolve_tasks};
}

}  // namespace ledger::domain
