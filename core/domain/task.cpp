#include "core/domain/task.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "core/domain/calendar.h"
#include "core/domain/emit_and_read.h"
#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "events/enum_names.h"
#include "events/user_state.pb.h"

namespace ledger::domain {
namespace {

constexpr std::array<std::string_view, 3> kTaskServices = {"marketing", "website", "courses"};

Status validate_fields(const TaskFields& fields) {
  if (fields.title) {
    if (auto valid = require_text(*fields.title, "title", text_limits::kName); !valid) {
      return valid;
    }
  }
  if (fields.description) {
    if (auto valid = limit_text(*fields.description, "description", text_limits::kDescription);
        !valid) {
      return valid;
    }
  }
  if (fields.service && !fields.service->empty() &&
      std::find(kTaskServices.begin(), kTaskServices.end(), *fields.service) ==
          kTaskServices.end()) {
    return make_error(Errc::invalid_argument, "service must be marketing, website or courses",
                      "service");
  }
  if (fields.priority && *fields.priority == events::TASK_PRIORITY_UNSPECIFIED) {
    return make_error(Errc::invalid_argument, "priority must be low, medium or high", "priority");
  }
  return {};
}

// A due date being set or moved: a date whose end has not passed.
Status check_due_date(const UnitOfWork& uow, const std::string& due_date) {
  if (due_date.empty()) return {};
  auto due_end = end_of_date_us(due_date);
  if (!due_end) {
    return make_error(Errc::invalid_argument, "due_date must be a date like 2026-12-01",
                      "due_date");
  }
  if (*due_end <= uow.now_us()) {
    return make_error(Errc::invalid_argument, "due_date is in the past", "due_date");
  }
  return {};
}

Result<std::optional<events::UserState>> load_user_row(UnitOfWork& uow, std::string_view user_id) {
  return uow.load<events::UserState>(kIdentityKeyspace, user_key(user_id));
}

Result<events::UserState> load_client(UnitOfWork& uow, std::string_view client_id) {
  auto client = load_user_row(uow, client_id);
  if (!client) return std::move(client).error();
  if (!client->has_value() || (*client)->role() != "client") {
    return make_error(Errc::invalid_argument, "client_id must name a client", "client_id");
  }
  return std::move(**client);
}

// Ok when `task`'s assignee may hold it (see the rules in task.h).
Status check_assignee(UnitOfWork& uow, const events::TaskState& task) {
  const Error refused = make_error(
      Errc::invalid_argument,
      task.service().empty()
          ? "assigned_to must be the client, an agent serving the client or an admin"
          : fmt::format("assigned_to must be the client, the client's {} agent or an admin",
                        task.service()),
      "assigned_to");
  if (task.assigned_to() == task.client_id()) return {};
  auto assignee = load_user_row(uow, task.assigned_to());
  if (!assignee) return std::move(assignee).error();
  if (!assignee->has_value()) return refused;
  const std::string& role = (*assignee)->role();
  if (role == "admin") return {};
  if (role != "agent") return refused;
  auto client = load_client(uow, task.client_id());
  if (!client) return std::move(client).error();
  for (const auto& [service, agent] : client->agents()) {
    if (agent == task.assigned_to() && (task.service().empty() || service == task.service())) {
      return {};
    }
  }
  return refused;
}

Result<events::TaskState> load_task(UnitOfWork& uow, std::string_view task_id) {
  if (auto valid = require_id(task_id, "task_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::TaskState>(kTasksKeyspace, task_key(task_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, "there is no such task");
  return std::move(**row);
}

// The task, if it may still change and the actor may act on it.
Result<events::TaskState> load_open_task(UnitOfWork& uow, std::string_view task_id,
                                         const ActorId& actor, bool as_assignee) {
  auto task = load_task(uow, task_id);
  if (!task) return task;
  if (as_assignee && task->assigned_to() != actor.str()) {
    return make_error(Errc::forbidden, "this task is assigned to someone else");
  }
  if (!task_is_open(task->status())) {
    return make_error(Errc::invalid_transition, fmt::format("the task is {}: it no longer changes",
                                                            events::enum_name(task->status())));
  }
  return task;
}

// Emits `event` on the task's stream; answers the task's row as the fold left it.
template <class E>
Result<events::TaskState> record(UnitOfWork& uow, const std::string& task_id, const E& event) {
  return emit_and_read<events::TaskState>(uow, task_stream(task_id), event, kTasksKeyspace,
                                          task_key(task_id));
}

// Sets the given fields on `task`; names the ones that changed in `changed`.
void apply_fields(const TaskFields& fields, events::TaskState& task,
                  std::vector<std::string>& changed) {
  auto set_text = [&](const std::optional<std::string>& value, const std::string& current,
                      void (events::TaskState::*setter)(const std::string&), const char* name) {
    if (value && *value != current) {
      (task.*setter)(*value);
      changed.push_back(name);
    }
  };
  set_text(fields.title, task.title(), &events::TaskState::set_title<const std::string&>, "title");
  set_text(fields.description, task.description(),
           &events::TaskState::set_description<const std::string&>, "description");
  set_text(fields.service, task.service(), &events::TaskState::set_service<const std::string&>,
           "service");
  set_text(fields.due_date, task.due_date(), &events::TaskState::set_due_date<const std::string&>,
           "due_date");
  if (fields.priority && *fields.priority != task.priority()) {
    task.set_priority(*fields.priority);
    changed.push_back("priority");
  }
}

events::TaskAssigned assigned_event(const events::TaskState& task, std::string previous_assignee,
                                    const ActorId& assigned_by) {
  events::TaskAssigned assigned;
  assigned.set_task_id(task.task_id());
  assigned.set_client_id(task.client_id());
  assigned.set_assigned_to(task.assigned_to());
  assigned.set_previous_assignee(std::move(previous_assignee));
  assigned.set_assigned_by(assigned_by.str());
  assigned.set_title(task.title());
  assigned.set_description(task.description());
  assigned.set_service(task.service());
  assigned.set_priority(task.priority());
  assigned.set_due_date(task.due_date());
  return assigned;
}

Result<events::TaskState> record_completed(UnitOfWork& uow, const events::TaskState& task,
                                           const ActorId& completed_by) {
  events::TaskCompleted completed;
  completed.set_task_id(task.task_id());
  completed.set_client_id(task.client_id());
  completed.set_from_status(task.status());
  completed.set_completed_by(completed_by.str());
  completed.set_created_by(task.created_by());
  completed.set_assigned_to(task.assigned_to());
  completed.set_title(task.title());
  completed.set_service(task.service());
  return record(uow, task.task_id(), completed);
}

Result<events::TaskState> record_cancelled(UnitOfWork& uow, const events::TaskState& task,
                                           const ActorId& cancelled_by) {
  events::TaskCancelled cancelled;
  cancelled.set_task_id(task.task_id());
  cancelled.set_client_id(task.client_id());
  cancelled.set_from_status(task.status());
  cancelled.set_cancelled_by(cancelled_by.str());
  return record(uow, task.task_id(), cancelled);
}

// Ok when a task may move from `from` to `to` (another status than its own).
Status check_move(events::TaskStatus from, events::TaskStatus to) {
  if (task_transition_allowed(from, to)) return {};
  return make_error(
      Errc::invalid_transition,
      fmt::format("a {} task cannot become {}", events::enum_name(from),
                  to == events::TASK_STATUS_UNSPECIFIED ? "nothing" : events::enum_name(to)),
      "status");
}

// Moves the open `task` to `to` (another status than its own): the event of that move.
Result<events::TaskState> move_task(UnitOfWork& uow, const events::TaskState& task,
                                    events::TaskStatus to, const ActorId& actor) {
  const events::TaskStatus from = task.status();
  if (auto allowed = check_move(from, to); !allowed) return std::move(allowed).error();
  if (to == events::TASK_STATUS_DONE) return record_completed(uow, task, actor);
  if (to == events::TASK_STATUS_CANCELLED) return record_cancelled(uow, task, actor);
  events::TaskStatusChanged changed;
  changed.set_task_id(task.task_id());
  changed.set_client_id(task.client_id());
  changed.set_from_status(from);
  changed.set_to_status(to);
  changed.set_changed_by(actor.str());
  return record(uow, task.task_id(), changed);
}

}  // namespace

std::string task_stream(std::string_view task_id) { return "task:" + std::string(task_id); }

std::span<const std::string_view> task_services() { return kTaskServices; }

bool task_is_open(events::TaskStatus status) {
  return status == events::TASK_STATUS_TODO || status == events::TASK_STATUS_IN_PROGRESS;
}

bool task_transition_allowed(events::TaskStatus from, events::TaskStatus to) {
  using enum events::TaskStatus;
  static constexpr std::array<std::pair<events::TaskStatus, events::TaskStatus>, 6> kAllowed = {{
      {TASK_STATUS_TODO, TASK_STATUS_IN_PROGRESS},
      {TASK_STATUS_TODO, TASK_STATUS_DONE},
      {TASK_STATUS_TODO, TASK_STATUS_CANCELLED},
      {TASK_STATUS_IN_PROGRESS, TASK_STATUS_TODO},
      {TASK_STATUS_IN_PROGRESS, TASK_STATUS_DONE},
      {TASK_STATUS_IN_PROGRESS, TASK_STATUS_CANCELLED},
  }};
  return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

Result<events::TaskState> create_task(UnitOfWork& uow, const CreateTask& command) {
  if (auto valid = require_id(command.task_id.str(), "task_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  if (!command.fields.title) {
    return make_error(Errc::invalid_argument, "title is required", "title");
  }
  if (!command.fields.priority) {
    return make_error(Errc::invalid_argument, "priority is required", "priority");
  }
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  if (auto valid = check_due_date(uow, command.fields.due_date.value_or("")); !valid) {
    return std::move(valid).error();
  }
  if (auto client = load_client(uow, command.client_id.str()); !client) {
    return std::move(client).error();
  }
  if (auto unused =
          uow.require_unused(command.task_id, kTasksKeyspace, task_key(command.task_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::TaskState task;
  task.set_task_id(command.task_id.str());
  task.set_client_id(command.client_id.str());
  task.set_assigned_to(command.assigned_to.empty() ? command.client_id.str()
                                                   : command.assigned_to.str());
  std::vector<std::string> ignored;
  apply_fields(command.fields, task, ignored);
  if (auto valid = check_assignee(uow, task); !valid) return std::move(valid).error();

  events::TaskCreated created;
  created.set_task_id(task.task_id());
  created.set_client_id(task.client_id());
  created.set_title(task.title());
  created.set_description(task.description());
  created.set_service(task.service());
  created.set_priority(task.priority());
  created.set_due_date(task.due_date());
  created.set_created_by(command.created_by.str());
  if (auto emitted = uow.emit(task_stream(task.task_id()), created); !emitted) {
    return std::move(emitted).error();
  }
  return record(uow, task.task_id(), assigned_event(task, "", command.created_by));
}

Result<events::TaskState> update_task(UnitOfWork& uow, const UpdateTask& command) {
  auto task = load_open_task(uow, command.task_id.str(), command.updated_by, command.as_assignee);
  if (!task) return task;
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  std::vector<std::string> changed;
  apply_fields(command.fields, *task, changed);
  const bool due_date_moved =
      std::find(changed.begin(), changed.end(), "due_date") != changed.end();
  if (due_date_moved) {
    if (auto valid = check_due_date(uow, task->due_date()); !valid) {
      return std::move(valid).error();
    }
  }
  const std::string previous_assignee = task->assigned_to();
  if (command.assigned_to && !command.assigned_to->empty()) {
    task->set_assigned_to(command.assigned_to->str());
  }
  const bool handed_over = task->assigned_to() != previous_assignee;
  const bool service_changed =
      std::find(changed.begin(), changed.end(), "service") != changed.end();
  if (handed_over || service_changed) {
    if (auto valid = check_assignee(uow, *task); !valid) return std::move(valid).error();
  }
  const bool moves = command.status && *command.status != task->status();
  if (moves) {
    if (auto allowed = check_move(task->status(), *command.status); !allowed) {
      return std::move(allowed).error();
    }
  }

  if (!changed.empty()) {
    events::TaskUpdated updated;
    updated.set_task_id(task->task_id());
    updated.set_client_id(task->client_id());
    for (const auto& name : changed) updated.add_changed(name);
    updated.set_title(task->title());
    updated.set_description(task->description());
    updated.set_service(task->service());
    updated.set_priority(task->priority());
    updated.set_due_date(task->due_date());
    updated.set_updated_by(command.updated_by.str());
    if (auto emitted = uow.emit(task_stream(task->task_id()), updated); !emitted) {
      return std::move(emitted).error();
    }
  }
  if (handed_over) {
    if (auto emitted = uow.emit(task_stream(task->task_id()),
                                assigned_event(*task, previous_assignee, command.updated_by));
        !emitted) {
      return std::move(emitted).error();
    }
  }
  if (moves) return move_task(uow, *task, *command.status, command.updated_by);
  if (changed.empty() && !handed_over) return task;  // nothing to record
  return load_task(uow, task->task_id());
}

Result<events::TaskState> complete_task(UnitOfWork& uow, const CompleteTask& command) {
  auto task = load_open_task(uow, command.task_id.str(), command.completed_by, command.as_assignee);
  if (!task) return task;
  return record_completed(uow, *task, command.completed_by);
}

Result<events::TaskState> cancel_task(UnitOfWork& uow, const CancelTask& command) {
  auto task = load_open_task(uow, command.task_id.str(), command.cancelled_by, false);
  if (!task) return task;
  return record_cancelled(uow, *task, command.cancelled_by);
}

Result<events::TaskState> mark_task_overdue(UnitOfWork& uow, const MarkTaskOverdue& command) {
  auto task = load_task(uow, command.task_id.str());
  if (!task) return task;
  if (!task_is_open(task->status()) || task->overdue() || task->due_date().empty()) return task;
  auto due_end = end_of_date_us(task->due_date());
  if (!due_end) return make_error(Errc::corruption, "a stored task has a malformed due date");
  if (uow.now_us() < *due_end) return task;
  events::TaskOverdue overdue;
  overdue.set_task_id(task->task_id());
  overdue.set_client_id(task->client_id());
  overdue.set_assigned_to(task->assigned_to());
  overdue.set_title(task->title());
  overdue.set_due_date(task->due_date());
  overdue.set_service(task->service());
  return record(uow, task->task_id(), overdue);
}

}  // namespace ledger::domain
