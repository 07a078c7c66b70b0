// Tasks: work to do for one client, shown on the client's, the agents' and the admins' task
// boards.
//
// Rules (each refused command writes nothing):
// - A task belongs to a client (a user whose role is client; invalid_argument on client_id
//   otherwise) and has a title (1-200 bytes), a description (<= 5000), a service (marketing,
//   website, courses, or none), a priority (low, medium, high) and an optional due date
//   (YYYY-MM-DD, due at the end of that day, UTC; when set or moved, not already past).
// - Its assignee is the client, an agent serving the client (for the task's service when it has
//   one, for any service otherwise) or an admin; anyone else is invalid_argument on assigned_to.
//   No assignee given: the client. A change of service checks the assignee again.
// - Status: todo -> in_progress | done | cancelled; in_progress -> todo | done | cancelled. done
//   and cancelled are final: any command on a final task is invalid_transition. Asking for the
//   status a task already has changes nothing.
// - A command `as_assignee` acts only for the task's assignee: when the task is someone else's
//   it is forbidden (who may act so is the API's business: clients, on their own tasks).
// - The clock marks an open task with a due date overdue once, when the end of its due date has
//   passed (`mark_task_overdue`, run by the deadline sweeper); moving the due date clears the
//   mark, so the new date can be missed again; done and cancelled tasks are not overdue.
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "tasks" fold
// (tasks_fold.h, which also lists the row keys). Ids and times come in the command or from
// uow.now_us(): given the same state and command, the same events.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/domain/tasks_fold.h"
#include "core/domain/unit_of_work.h"
#include "events/task_events.pb.h"
#include "events/task_state.pb.h"

namespace ledger::domain {

std::string task_stream(std::string_view task_id);

// The services a task may be about ("marketing", "website", "courses").
std::span<const std::string_view> task_services();

struct TaskFields {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> service;
  std::optional<events::TaskPriority> priority;
  std::optional<std::string> due_date;  // "YYYY-MM-DD"
};

struct CreateTask {
  TaskId task_id;
  UserId client_id;
  UserId assigned_to;  // empty: the client
  TaskFields fields;   // title and priority required
  ActorId created_by;
};
Result<events::TaskState> create_task(UnitOfWork& uow, const CreateTask& command);

// Changes the given fields, hands the task over and moves its status, in that order, in one
// commit.
struct UpdateTask {
  TaskId task_id;
  TaskFields fields;                  // only the given ones change
  std::optional<UserId> assigned_to;  // a new assignee
  std::optional<events::TaskStatus> status;
  ActorId updated_by;
  bool as_assignee = false;
};
Result<events::TaskState> update_task(UnitOfWork& uow, const UpdateTask& command);

struct CompleteTask {
  TaskId task_id;
  ActorId completed_by;
  bool as_assignee = false;
};
Result<events::TaskState> complete_task(UnitOfWork& uow, const CompleteTask& command);

struct CancelTask {
  TaskId task_id;
  ActorId cancelled_by;
};
Result<events::TaskState> cancel_task(UnitOfWork& uow, const CancelTask& command);

// The sweeper's command: marks the task overdue when it is due (see the rules); otherwise
// answers it unchanged.
struct MarkTaskOverdue {
  TaskId task_id;
};
Result<events::TaskState> mark_task_overdue(UnitOfWork& uow, const MarkTaskOverdue& command);

// Pure rules, for readers and tests.
bool task_transition_allowed(events::TaskStatus from, events::TaskStatus to);
bool task_is_open(events::TaskStatus status);  // todo or in progress

}  // namespace ledger::domain
