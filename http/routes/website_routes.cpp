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
#include "http/route_declaration.h"
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

void create_project(ApiContext& api, const RouteInput& in, Reply reply) {
  auto client = domain::find_user(api.log, in.caller.user_id.str());
  if (!client) return reply_error(in.request, client.error(), reply);
  std::string agent_id;
  if (client->has_value()) {
    const auto& agents = (*client)->agents();
    if (auto it = agents.find(std::string(kWebsite)); it != agents.end()) agent_id = it->second;
  }
  domain::CreateWebsiteProject command{domain::WebsiteProjectId{api.ids.next()}, in.caller.user_id,
                                       domain::UserId{agent_id}, in.body.text("name"),
                                       in.body.map("answers")};
  run_command<events::WebsiteProjectState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_website_project(uow, command); },
      render_project(), beast_http::status::created, std::move(reply));
}

void list_projects(ApiContext& api, const RouteInput& in, Reply reply) {
  const Caller& caller = in.caller;
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    const bool index = caller.is_client();
    const std::string prefix = index ? domain::client_website_project_prefix(caller.user_id.str())
                                     : std::string(domain::kWebsiteProjectKeyPrefix);
    auto status = in.query.optional_text("status");
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
    return list_page(in.request, source, *count);
  });
}

void get_project(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto project = visible_project(api, in.caller, in.path.get("id"));
    if (!project) return std::move(project).error();
    return project_json(*project);
  });
}

void complete_phase(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto project = visible_project(api, in.caller, in.path.get("id")); !project) {
    return reply_error(in.request, project.error(), reply);
  }
  domain::CompleteWebsitePhase command{
      domain::WebsiteProjectId{in.path.get("id")}, in.body.text("phase"),
      in.body.optional_text("note").value_or(""), in.caller.user_id};
  run_command<events::WebsiteProjectState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::complete_website_phase(uow, command); },
      render_project(), beast_http::status::ok, std::move(reply));
}

schema::Schema project_schema() {
  using namespace schema;
  return named("WebsiteProject", object({{"id", string()},
                                         {"client_id", string()},
                                         {"agent_id", nullable(string())},
                                         {"name", string()},
                                         {"answers", map_of(string())},
                                         {"completed_phases", array(string())},
                                         {"current_phase", nullable(string())},
                                         {"status", one_of<events::WebsiteProjectStatus>()},
                                         {"progress", integer()},
                                         {"created_at", nullable(time())},
                                         {"updated_at", nullable(time())}}));
}

}  // namespace

RouteTable website_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  return {
      {.method = verb::get,
       .path = "/api/website-projects/",
       .operation_id = "listWebsiteProjects",
       .summary = "Website projects the caller may see, newest first",
       .roles = everyone,
       .query = {field::choice<events::WebsiteProjectStatus>("status").optional()},
       .paged = true,
       .answer = project_schema(),
       .handler = list_projects},
      {.method = verb::post,
       .path = "/api/website-projects/",
       .operation_id = "createWebsiteProject",
       .summary = "Start a website project with the questionnaire's answers",
       .roles = {Role::client},
       .body = {field::text("name", limits::kName),
                field::text_map("answers", 50, limits::kNote).described("question to answer")},
       .success = beast_http::status::created,
       .answer = project_schema(),
       .errors = {Errc::service_not_active},
       .handler = create_project},
      {.method = verb::get,
       .path = "/api/website-projects/{id}/",
       .operation_id = "getWebsiteProject",
       .summary = "One website project",
       .roles = everyone,
       .answer = project_schema(),
       .errors = {Errc::not_found},
       .handler = get_project},
      {.method = verb::post,
       .path = "/api/website-projects/{id}/complete_phase/",
       .operation_id = "completeWebsitePhase",
       .summary = "Mark the project's current phase done (phases go in order)",
       .roles = {Role::agent, Role::admin},
       .body = {field::text("phase", limits::kServiceName),
                field::long_text("note", limits::kNote).optional()},
       .answer = project_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = complete_phase},
  };
}

}  // namespace ledger::http
