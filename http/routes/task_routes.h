// Tasks (GET|POST /api/tasks/, GET|PATCH|DELETE /api/tasks/{id}/, POST .../{id}/complete/).
//
// What API.md leaves open, decided as the dashboards' users would expect:
// - Admins create tasks for any client, agents for the clients they serve; the client is sent as
//   `client` (the seed's name) or `client_id`. An unknown client, a user who is not a client and
//   a client out of the caller's scope are the same 404.
// - `due_date` is a date ("YYYY-MM-DD"), due at the end of that day (UTC), like an invoice's; the
//   clock marks an open task overdue once the day has ended (once per due date: moving the date
//   clears the mark). It can be set and moved, not removed; the same for a service.
// - Scope: a client sees their own tasks, an agent the tasks of the clients they serve that are
//   of the agent's service or of none, an admin all; any other answers 404, like a missing task.
//   An agent creates and moves tasks of their own service or of none (403 for another service).
// - Agents and admins change every field, hand a task over (`assigned_to`) and move its status;
//   DELETE cancels (the task stays, cancelled). A client changes only the status of a task
//   assigned to them, to in_progress or done (or completes it); anything else is 403.
// - done and cancelled are final: any change, completion or cancellation is 422
//   invalid_transition.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable task_routes();

}  // namespace ledger::http
