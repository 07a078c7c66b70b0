#include "http/routes/task_routes.h"

#include <fmt/format.h>

#include <functional>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/task.h"
#include "core/domain/text_limits.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

Renderer<events::TaskState> render_task() {
  return [](const events::TaskState& task) -> Result<nlohmann::json> { return task_json(task); };
}

// Whether the caller may see `task`: the scope of its client and service (http/authorization.h):
// an agent sees the tasks of the clients they serve, of their own service or of none.
Result<bool> task_in_scope(const store::EventLog& log, const Caller& caller,
                           const events::TaskState& task) {
  return in_client_scope(log, caller, task.client_id(), task.service());
}

// The task at `id` if the caller may see it (not_found otherwise, the same answer).
Result<events::TaskState> visible_task(const ApiContext& api, const Caller& caller,
                                       std::string_view id) {
  const Error missing = make_error(Errc::not_found, "there is no such task");
  auto task =
      domain::read_row<events::TaskState>(api.log, domain::kTasksKeyspace, domain::task_key(id));
  if (!task) return std::move(task).error();
  if (!task->has_value()) return missing;
  auto visible = task_in_scope(api.log, caller, **task);
  if (!visible) return std::move(visible).error();
  if (!*visible) return missing;
  return std::move(**task);
}

std::vector<std::string> service_names() {
  std::vector<std::string> names;
  for (const auto service : domain::task_services()) names.emplace_back(service);
  return names;
}

// The task fields a create or update body may hold (a new task needs a title and a priority).
std::vector<Field> task_fields(bool creating) {
  namespace limits = domain::text_limits;
  const Field title = field::text("title", limits::kName);
  const Field priority = field::choice<events::TaskPriority>("priority");
  return {creating ? title : title.optional(),
          field::long_text("description", limits::kDescription).optional(),
          field::text("assigned_to", limits::kId)
              .optional()
              .described(creating ? "the client, an agent serving the client (for the task's "
                                    "service, if it has one) or an admin; default the client"
                                  : "hands the task over (who may hold it: as when created)"),
          field::choice("service", service_names()).optional(),
          creating ? priority : priority.optional(),
          field::date("due_date")
              .optional()
              .described("due at the end of that day (UTC); not already past")};
}

domain::TaskFields read_fields(const RequestFields& body) {
  domain::TaskFields fields;
  fields.title = body.optional_text("title");
  fields.description = body.optional_text("description");
  fields.service = body.optional_text("service");
  fields.priority = body.optional_choice<events::TaskPriority>("priority");
  if (auto due = body.optional_integer("due_date")) fields.due_date = events::format_date(*due);
  return fields;
}

// A text sent under `name` or `alias` (the seed's DRF name and ours): nullopt when neither (or
// only empty) was sent; invalid_argument when the two name different things.
Result<std::optional<std::string>> either_of(const RequestFields& fields, const char* name,
                                             const char* alias) {
  auto first = fields.optional_text(name);
  auto second = fields.optional_text(alias);
  if (first && first->empty()) first.reset();
  if (second && second->empty()) second.reset();
  if (first && second && *first != *second) {
    return make_error(Errc::invalid_argument,
                      fmt::format("{} and {} name different users: send one", name, alias), name);
  }
  return first ? first : second;
}

std::optional<domain::UserId> assignee_of(const RequestFields& body) {
  auto assignee = body.optional_text("assigned_to");
  if (!assignee || assignee->empty()) return std::nullopt;
  return domain::UserId{*assignee};
}

// An agent's tasks are of the agent's own service or of none (forbidden otherwise).
Status check_agent_service(const Caller& caller, const std::optional<std::string>& service) {
  if (!caller.is_agent() || !service || service->empty() || *service == caller.department) {
    return {};
  }
  return make_error(Errc::forbidden,
                    fmt::format("a {} agent's tasks are of the {} service or of none",
                                caller.department, caller.department),
                    "service");
}

// A client only moves a task along: to in_progress or done (forbidden otherwise). Whether the
// task is the client's to move (its assignee) the decider checks.
Status check_client_change(const RequestFields& body) {
  for (const auto& declared : task_fields(false)) {
    if (body.has(declared.name)) {
      return make_error(Errc::forbidden,
                        fmt::format("{}: a client only moves a task assigned to them along, "
                                    "with status",
                                    declared.name),
                        declared.name);
    }
  }
  const auto status = body.optional_choice<events::TaskStatus>("status");
  if (status && *status != events::TASK_STATUS_IN_PROGRESS && *status != events::TASK_STATUS_DONE) {
    return make_error(Errc::forbidden, "a client moves a task to in_progress or done", "status");
  }
  return {};
}

void create_task(ApiContext& api, const RouteInput& in, Reply reply) {
  auto client_id = either_of(in.body, "client", "client_id");
  if (!client_id) return reply_error(in.request, client_id.error(), reply);
  if (!client_id->has_value()) {
    return reply_error(in.request,
                       make_error(Errc::invalid_argument, "client is required", "client"), reply);
  }
  const std::string client = **client_id;
  // A client outside the caller's scope answers exactly like an unknown id.
  if (auto agent = service_client_agent(api.log, in.caller, client, ""); !agent) {
    return reply_error(in.request, agent.error(), reply);
  }
  const domain::TaskFields fields = read_fields(in.body);
  if (auto allowed = check_agent_service(in.caller, fields.service); !allowed) {
    return reply_error(in.request, allowed.error(), reply);
  }
  domain::CreateTask command{domain::TaskId{api.ids.next()}, domain::UserId{client},
                             assignee_of(in.body).value_or(domain::UserId{}), fields,
                             in.caller.user_id};
  run_command<events::TaskState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_task(uow, command); }, render_task(),
      beast_http::status::created, std::move(reply));
}

std::vector<Field> task_filters() {
  namespace limits = domain::text_limits;
  return {field::choice<events::TaskStatus>("status").optional(),
          field::text("client", limits::kId).optional(),
          field::text("client_id", limits::kId).optional().described("the same as client"),
          field::text("assigned_to", limits::kId).optional(),
          field::boolean("overdue").optional().described(
              "true: open tasks the clock found past their due date; false: the others")};
}

// The tasks the caller may see, newest first, filtered by the query.
Result<ListSource> visible_tasks(ApiContext& api, const RouteInput& in) {
  auto client = either_of(in.query, "client", "client_id");
  if (!client) return std::move(client).error();
  const auto status = in.query.optional_choice<events::TaskStatus>("status");
  const auto assignee = in.query.optional_text("assigned_to");
  const auto overdue = in.query.optional_boolean("overdue");
  // The narrowest rows that hold every answer: a client's own, the filtered client's or
  // assignee's index rows, or every task.
  std::string prefix(domain::kTaskKeyPrefix);
  if (in.caller.is_client()) {
    prefix = domain::client_task_prefix(in.caller.user_id.str());
  } else if (*client) {
    prefix = domain::client_task_prefix(**client);
  } else if (assignee) {
    prefix = domain::assignee_task_prefix(*assignee);
  }
  const bool index = prefix != domain::kTaskKeyPrefix;
  const store::EventLog& log = api.log;
  return state_rows(
      log, domain::kTasksKeyspace, std::move(prefix),
      [&log, caller = in.caller, index, client = *client, status, assignee, overdue](
          std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
        auto task = domain::decode_row<events::TaskState>(value, "task");
        if (!task) return std::move(task).error();
        if (index) {  // index rows hold the id only
          auto full = domain::read_row<events::TaskState>(log, domain::kTasksKeyspace,
                                                          domain::task_key(task->task_id()));
          if (!full) return std::move(full).error();
          if (!full->has_value()) return std::optional<nlohmann::json>();
          task = std::move(**full);
        }
        const bool kept = (!status || task->status() == *status) &&
                          (!client || task->client_id() == *client) &&
                          (!assignee || task->assigned_to() == *assignee) &&
                          (!overdue || task->overdue() == *overdue);
        if (!kept) return std::optional<nlohmann::json>();
        auto visible = task_in_scope(log, caller, *task);
        if (!visible) return std::move(visible).error();
        if (!*visible) return std::optional<nlohmann::json>();
        return std::optional<nlohmann::json>(task_json(*task));
      });
}

void list_tasks(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto source = visible_tasks(api, in);
    if (!source) return std::move(source).error();
    auto count = count_items(*source);
    if (!count) return std::move(count).error();
    return list_page(in.request, *source, *count);
  });
}

void get_task(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto task = visible_task(api, in.caller, in.path.get("id"));
    if (!task) return std::move(task).error();
    return task_json(*task);
  });
}

// Runs `decide` on the task the path names, when the caller may see it (404 otherwise, before
// anything else) and `allowed` (when given) lets the caller do it; answers the task.
void command_on_task(ApiContext& api, const RouteInput& in, Reply reply,
                     const std::function<Status()>& allowed,
                     domain::DomainDecide<events::TaskState> decide) {
  if (auto task = visible_task(api, in.caller, in.path.get("id")); !task) {
    return reply_error(in.request, task.error(), reply);
  }
  if (allowed) {
    if (auto may = allowed(); !may) return reply_error(in.request, may.error(), reply);
  }
  run_command<events::TaskState>(api, in.request, in.caller.user_id, std::move(decide),
                                 render_task(), beast_http::status::ok, std::move(reply));
}

void update_task(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::TaskFields fields = read_fields(in.body);
  const domain::UpdateTask command{domain::TaskId{in.path.get("id")},
                                   fields,
                                   assignee_of(in.body),
                                   in.body.optional_choice<events::TaskStatus>("status"),
                                   in.caller.user_id,
                                   in.caller.is_client()};
  command_on_task(
      api, in, std::move(reply),
      [&]() -> Status {
        if (in.caller.is_client()) return check_client_change(in.body);
        return check_agent_service(in.caller, fields.service);
      },
      [command](UnitOfWork& uow) { return domain::update_task(uow, command); });
}

void complete_task(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::CompleteTask command{domain::TaskId{in.path.get("id")}, in.caller.user_id,
                                     in.caller.is_client()};
  command_on_task(api, in, std::move(reply), {},
                  [command](UnitOfWork& uow) { return domain::complete_task(uow, command); });
}

void cancel_task(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::CancelTask command{domain::TaskId{in.path.get("id")}, in.caller.user_id};
  command_on_task(api, in, std::move(reply), {},
                  [command](UnitOfWork& uow) { return domain::cancel_task(uow, command); });
}

}  // namespace

RouteTable task_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  const std::vector<Role> runners = {Role::admin, Role::agent};
  std::vector<Field> create_body = {
      field::text("client", limits::kId).optional().described("the client the task is for"),
      field::text("client_id", limits::kId).optional().described("the same as client")};
  for (auto& declared : task_fields(true)) create_body.push_back(std::move(declared));
  std::vector<Field> update_body = task_fields(false);
  update_body.push_back(field::choice<events::TaskStatus>("status").optional().described(
      "todo -> in_progress | done | cancelled; in_progress -> todo | done | cancelled; done and "
      "cancelled are final. Clients: in_progress or done, on tasks assigned to them"));
  return {
      {.method = verb::get,
       .path = "/api/tasks/",
       .operation_id = "listTasks",
       .summary = "Tasks the caller may see, newest first",
       .roles = everyone,
       .query = task_filters(),
       .paged = true,
       .answer = task_schema(),
       .handler = list_tasks},
      {.method = verb::post,
       .path = "/api/tasks/",
       .operation_id = "createTask",
       .summary = "Create a task for a client (agents: a client they serve, of their service or "
                  "of none)",
       .roles = runners,
       .body = create_body,
       .success = beast_http::status::created,
       .answer = task_schema(),
       .errors = {Errc::not_found, Errc::forbidden},
       .handler = create_task},
      {.method = verb::get,
       .path = "/api/tasks/{id}/",
       .operation_id = "getTask",
       .summary = "One task",
       .roles = everyone,
       .answer = task_schema(),
       .errors = {Errc::not_found},
       .handler = get_task},
      {.method = verb::patch,
       .path = "/api/tasks/{id}/",
       .operation_id = "updateTask",
       .summary = "Change, hand over or move a task (clients: the status of their own tasks)",
       .roles = everyone,
       .body = update_body,
       .answer = task_schema(),
       .errors = {Errc::not_found, Errc::forbidden, Errc::invalid_transition},
       .handler = update_task},
      {.method = verb::delete_,
       .path = "/api/tasks/{id}/",
       .operation_id = "cancelTask",
       .summary = "Cancel a task (it stays, cancelled)",
       .roles = runners,
       .answer = task_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = cancel_task},
      {.method = verb::post,
       .path = "/api/tasks/{id}/complete/",
       .operation_id = "completeTask",
       .summary = "Mark a task done (clients: a task assigned to them)",
       .roles = everyone,
       .answer = task_schema(),
       .errors = {Errc::not_found, Errc::forbidden, Errc::invalid_transition},
       .handler = complete_task},
  };
}

}  // namespace ledger::http
