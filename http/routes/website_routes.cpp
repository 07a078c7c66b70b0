#include "http/routes/website_routes.h"

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/domain/website_project.h"
#include "events/enum_names.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"
#include "http/scoped_rows.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;
constexpr std::string_view kWebsite = "website";

nlohmann::json project_json(const events::WebsiteProjectState& project) {
  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [question, answer] : project.answers()) answers[question] = answer;
  nlohmann::json completed = nlohmann::json::array();
  for (const auto& phase : project.completed_phases()) completed.push_back(phase);
  return {
      {"id", project.project_id()},
      {"client_id", project.client_id()},
      {"agent_id",
       project.agent_id().empty() ? nlohmann::json(nullptr) : nlohmann::json(project.agent_id())},
      {"name", project.name()},
      {"answers", std::move(answers)},
      {"completed_phases", std::move(completed)},
      {"current_phase", project.current_phase().empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(project.current_phase())},
      {"status", events::enum_name(project.status())},
      {"progress", static_cast<int>(project.completed_phases_size() * 100 /
                                    static_cast<int>(domain::website_phases().size()))},
      {"created_at", time_json(project.created_at_us())},
      {"updated_at", time_json(project.updated_at_us())}};
}

Renderer<events::WebsiteProjectState> render_project() {
  return [](const events::WebsiteProjectState& project) -> Result<nlohmann::json> {
    return project_json(project);
  };
}

Result<events::WebsiteProjectState> visible_project(const ApiContext& api, const Caller& caller,
                                                    std::string_view id) {
  auto project = domain::read_row<events::WebsiteProjectState>(api.log, domain::kWebsitesKeyspace,
                                                               domain::website_project_key(id));
  if (!project) return std::move(project).error();
  if (!project->has_value()) return make_error(Errc::not_found, "there is no such project");
  if (auto scope =
          require_client_scope(api.log, caller, (*project)->client_id(), kWebsite, "project");
      !scope) {
    return std::move(scope).error();
  }
  return std::move(**project);
}

void create_project(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto name = body->string("name", domain::text_limits::kName);
  if (!name) return reply_error(request, name.error(), reply);
  auto answers = body->string_map("answers", 50, domain::text_limits::kNote);
  if (!answers) return reply_error(request, answers.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  auto client = domain::find_user(api.log, caller.user_id.str());
  if (!client) return reply_error(request, client.error(), reply);
  std::string agent_id;
  if (client->has_value()) {
    const auto& agents = (*client)->agents();
    if (auto it = agents.find(std::string(kWebsite)); it != agents.end()) agent_id = it->second;
  }
  domain::CreateWebsiteProject command{domain::WebsiteProjectId{api.ids.next()}, caller.user_id,
                                       domain::UserId{agent_id}, *name, *answers};
  run_command<events::WebsiteProjectState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_website_project(uow, command); },
      render_project(), beast_http::status::created, std::move(reply));
}

void list_projects(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    const bool index = caller.is_client();
    const std::string prefix = index ? domain::client_website_project_prefix(caller.user_id.str())
                                     : std::string(domain::kWebsiteProjectKeyPrefix);
    auto status =
        query_param(std::string_view(request.target().data(), request.target().size()), "status");
    ScopedRows<events::WebsiteProjectState> rows{
        std::string(domain::kWebsitesKeyspace),
        "website project",
        std::string(kWebsite),
        {},
        [&status](const events::WebsiteProjectState& row) {
          return !status || events::enum_name(row.status()) == *status;
        },
        [](const events::WebsiteProjectState& row) { return project_json(row); }};
    if (index) {  // a client's index rows hold the project id
      rows.full_key = [](const events::WebsiteProjectState& row) {
        return domain::website_project_key(row.project_id());
      };
    }
    ListSource source = scoped_state_rows(api.log, caller, prefix, std::move(rows));
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void get_project(ApiContext& api, const Request& request, const PathParams& params,
                 const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto project = visible_project(api, caller, params.get("id"));
    if (!project) return std::move(project).error();
    return project_json(*project);
  });
}

void complete_phase(ApiContext& api, const Request& request, const PathParams& params,
                    const Caller& caller, Reply reply) {
  if (auto project = visible_project(api, caller, params.get("id")); !project) {
    return reply_error(request, project.error(), reply);
  }
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto phase = body->string("phase", domain::text_limits::kServiceName);
  if (!phase) return reply_error(request, phase.error(), reply);
  auto note = body->optional_long_text("note", domain::text_limits::kNote);
  if (!note) return reply_error(request, note.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::CompleteWebsitePhase command{domain::WebsiteProjectId{params.get("id")}, *phase,
                                       note->value_or(""), caller.user_id};
  run_command<events::WebsiteProjectState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::complete_website_phase(uow, command); },
      render_project(), beast_http::status::ok, std::move(reply));
}

}  // namespace

void add_website_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::get, "/api/website-projects/",
             for_roles(api, {Role::admin, Role::agent, Role::client}, list_projects));
  router.add(verb::post, "/api/website-projects/", for_roles(api, {Role::client}, create_project));
  router.add(verb::get, "/api/website-projects/{id}/",
             for_roles_with_params(api, {Role::admin, Role::agent, Role::client}, get_project));
  router.add(verb::post, "/api/website-projects/{id}/complete_phase/",
             for_roles_with_params(api, {Role::agent, Role::admin}, complete_phase));
}

}  // namespace ledger::http
