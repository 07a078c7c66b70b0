#include "core/domain/website_project.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/domain/emit_and_read.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"

namespace ledger::domain {
namespace {

Result<events::WebsiteProjectState> load_project(UnitOfWork& uow, std::string_view project_id) {
  if (auto valid = require_id(project_id, "project_id"); !valid) return std::move(valid).error();
  auto row =
      uow.load<events::WebsiteProjectState>(kWebsitesKeyspace, website_project_key(project_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no website project {}", project_id));
  }
  return std::move(**row);
}

// Emits `event` on the project's stream; answers the project's row as the fold left it.
template <class E>
Result<events::WebsiteProjectState> record(UnitOfWork& uow, const std::string& project_id,
                                           const E& event) {
  return emit_and_read<events::WebsiteProjectState>(uow, website_project_stream(project_id), event,
                                                    kWebsitesKeyspace,
                                                    website_project_key(project_id));
}

}  // namespace

const std::vector<std::string_view>& website_questions() {
  static const std::vector<std::string_view> questions = {
      "business_name",      "industry",    "description",     "goals",
      "target_audience",    "pages",       "preferred_style", "color_preferences",
      "reference_websites", "features",    "content_ready",   "domain",
      "deadline",           "budget_range"};
  return questions;
}

const std::vector<std::string_view>& website_phases() {
  static const std::vector<std::string_view> phases = {"design", "content", "development", "review",
                                                       "launch"};
  return phases;
}

std::string website_project_stream(std::string_view project_id) {
  return "website-project:" + std::string(project_id);
}

Result<events::WebsiteProjectState> create_website_project(UnitOfWork& uow,
                                                           const CreateWebsiteProject& command) {
  if (auto valid = require_id(command.project_id.str(), "project_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_text(command.name, "name", text_limits::kName); !valid) {
    return std::move(valid).error();
  }
  const auto& questions = website_questions();
  for (const auto& [question, answer] : command.answers) {
    if (std::find(questions.begin(), questions.end(), question) == questions.end()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("answers: {} is not a question of the questionnaire", question),
                        "answers." + question);
    }
    if (auto valid = limit_text(answer, "answers." + question, text_limits::kNote); !valid) {
      return std::move(valid).error();
    }
  }
  for (const char* required : {"business_name", "goals"}) {
    const auto it = command.answers.find(required);
    if (it == command.answers.end() || it->second.empty()) {
      return make_error(Errc::invalid_argument, fmt::format("answers.{} is required", required),
                        std::string("answers.") + required);
    }
  }
  // A second WebsiteProjectCreated would restart the project and leave its old client's index row.
  if (auto unused = uow.require_unused(command.project_id, kWebsitesKeyspace,
                                       website_project_key(command.project_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::WebsiteProjectCreated created;
  created.set_project_id(command.project_id.str());
  created.set_client_id(command.client_id.str());
  created.set_agent_id(command.agent_id.str());
  created.set_name(command.name);
  for (const auto& [question, answer] : command.answers) {
    (*created.mutable_answers())[question] = answer;
  }
  return record(uow, command.project_id.str(), created);
}

Result<events::WebsiteProjectState> complete_website_phase(UnitOfWork& uow,
                                                           const CompleteWebsitePhase& command) {
  auto project = load_project(uow, command.project_id.str());
  if (!project) return std::move(project).error();
  if (auto valid = limit_text(command.note, "note", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  const auto& phases = website_phases();
  if (std::find(phases.begin(), phases.end(), command.phase) == phases.end()) {
    return make_error(Errc::invalid_argument,
                      "phase must be design, content, development, review or launch", "phase");
  }
  if (project->status() == events::WEBSITE_PROJECT_STATUS_LAUNCHED ||
      command.phase != project->current_phase()) {
    return make_error(Errc::invalid_transition,
                      project->status() == events::WEBSITE_PROJECT_STATUS_LAUNCHED
                          ? std::string("the website is launched: no phase is left")
                          : fmt::format("the current phase is {}, not {}", project->current_phase(),
                                        command.phase),
                      "phase");
  }
  const auto at = std::find(phases.begin(), phases.end(), command.phase);
  const std::string next = at + 1 == phases.end() ? std::string() : std::string(*(at + 1));
  events::WebsitePhaseCompleted completed;
  completed.set_project_id(project->project_id());
  completed.set_client_id(project->client_id());
  completed.set_agent_id(project->agent_id());
  completed.set_name(project->name());
  completed.set_phase(command.phase);
  completed.set_note(command.note);
  completed.set_next_phase(next);
  completed.set_completed_by(command.completed_by.str());
  return record(uow, project->project_id(), completed);
}

}  // namespace ledger::domain
