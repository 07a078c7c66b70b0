// The "tasks" fold: each task, with its per-client and per-assignee index rows and the row the
// deadline sweeper scans, from the task events.
//
//   task/<task_id>                         TaskState
//   of-client/<client_id>/<task_id>        TaskState holding only task_id
//   of-assignee/<user_id>/<task_id>        TaskState holding only task_id (moves with the task
//                                          when it is handed over)
//   due/<task_id>                          TaskState holding only task_id and due_date, while the
//                                          task is open (todo or in progress), has a due date
//                                          and is not marked overdue
//
// Tasks are never erased: a cancelled one stays, with its status.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

inline constexpr std::string_view kTaskKeyPrefix = "task/";
inline constexpr std::string_view kDueTaskKeyPrefix = "due/";
std::string task_key(std::string_view task_id);
std::string client_task_prefix(std::string_view client_id);
std::string assignee_task_prefix(std::string_view user_id);
std::string due_task_key(std::string_view task_id);

InlineFold tasks_fold();

}  // namespace ledger::domain
