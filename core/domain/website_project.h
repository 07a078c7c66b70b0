// Website projects: a client starts one with the questionnaire; the client's website agent
// takes it through the phases, in order.
//
// Rules (each refused command writes nothing):
// - The project id is not used yet (invalid_argument otherwise). Name 1-200. Answers: a JSON
//   object whose keys are questions of `website_questions()` (any other key is invalid_argument
//   naming it), each a string of at most 2000 characters; business_name and goals are required.
// - Phases, in order: design, content, development, review, launch. Completing the current
//   phase moves to the next; any other phase is invalid_transition. After launch the project is
//   "launched" and takes no more phases.
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "websites" fold
// (websites_fold.h, which also lists the row keys). Times come from uow.now_us().
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/unit_of_work.h"
#include "core/domain/websites_fold.h"
#include "events/website_events.pb.h"
#include "events/website_state.pb.h"

namespace ledger::domain {

const std::vector<std::string_view>& website_questions();
const std::vector<std::string_view>& website_phases();

std::string website_project_stream(std::string_view project_id);

struct CreateWebsiteProject {
  WebsiteProjectId project_id;
  UserId client_id;
  UserId agent_id;
  std::string name;
  std::map<std::string, std::string> answers;
};
Result<events::WebsiteProjectState> create_website_project(UnitOfWork& uow,
                                                           const CreateWebsiteProject& command);

struct CompleteWebsitePhase {
  WebsiteProjectId project_id;
  std::string phase;
  std::string note;
  ActorId completed_by;
};
Result<events::WebsiteProjectState> complete_website_phase(UnitOfWork& uow,
                                                           const CompleteWebsitePhase& command);

}  // namespace ledger::domain
