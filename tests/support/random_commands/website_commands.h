// Random website commands for the property test (tests/support/random_ledger.h): projects created
// from the questionnaire and taken through their phases (the current one or another), versions
// uploaded (numbers drawn from a small pool, so some are taken), put into testing, approved,
// deployed and given feedback, from any status. Some commands name projects or versions never
// created, reuse their ids, or carry malformed values, on purpose.
//
// Invariant (`check_invariants`): every index row of the "websites" keyspace belongs to exactly
// one project or version row: each project has one client index row, each version one number
// row, one project row and one agent row pointing back at it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/domain/keyspaces.h"
#include "core/domain/website_project.h"
#include "core/domain/website_version.h"
#include "core/domain/websites_fold.h"
#include "events/website_state.pb.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class WebsiteCommands {
 public:
  explicit WebsiteCommands(RandomLedger& ledger) : l_(ledger) {}

  void step() {
    using Command = void (WebsiteCommands::*)();
    static constexpr Command kCommands[] = {
        &WebsiteCommands::create_project,
        &WebsiteCommands::complete_phase,
        &WebsiteCommands::complete_phase,
        &WebsiteCommands::upload,
        &WebsiteCommands::upload,
        &WebsiteCommands::act,
        &WebsiteCommands::act,
        &WebsiteCommands::act,
    };
    (this->*l_.pick(kCommands))();
  }

  void check_invariants() {
    std::map<std::string, int> rows_by_prefix;  // the part of the key before the first '/'
    std::map<std::string, std::string> version_of_number;
    REQUIRE(l_.f.log
                ->scan_state(domain::kWebsitesKeyspace, "", store::ReadDirection::forward,
                             [&](std::string_view key, std::string_view value) {
                               const std::string prefix(key.substr(0, key.find('/')));
                               ++rows_by_prefix[prefix];
                               if (prefix == "version-number") {
                                 events::WebsiteVersionState index;
                                 REQUIRE(index.ParseFromArray(value.data(),
                                                              static_cast<int>(value.size())));
                                 version_of_number[std::string(key)] = index.version_id();
                               }
                               return true;
                             })
                .ok());
    CHECK(rows_by_prefix["of-client"] == rows_by_prefix["project"]);
    CHECK(rows_by_prefix["version-number"] == rows_by_prefix["version"]);
    CHECK(rows_by_prefix["versions-of-project"] == rows_by_prefix["version"]);
    CHECK(rows_by_prefix["uploads-of-agent"] == rows_by_prefix["version"]);
    for (const auto& id : versions_) {
      auto version = l_.f.row<events::WebsiteVersionState>(domain::kWebsitesKeyspace,
                                                           domain::website_version_key(id));
      REQUIRE(version);
      CAPTURE(id);
      CHECK(version_of_number[domain::version_number_key(version->project_id(),
                                                         version->version_number())] == id);
    }
  }

 private:
  using UnitOfWork = domain::UnitOfWork;
  using ProjectAnswer = events::WebsiteProjectState;
  using VersionAnswer = events::WebsiteVersionState;

  void create_project() {
    const bool reused = !projects_.empty() && l_.chance(5);
    const bool malformed = !reused && l_.chance(5);
    const std::string id = reused ? l_.pick(projects_) : l_.f.id();
    std::map<std::string, std::string> answers = {{"business_name", "Shop " + id},
                                                  {"goals", "Sell"}};
    if (malformed) answers.erase("goals");
    const std::string client = l_.pick(l_.clients);
    const std::string agent = l_.pick(l_.website_agents);
    auto result =
        l_.run<ProjectAnswer>(refused_as_if(reused || malformed, kInvalid), [&](UnitOfWork& uow) {
          return domain::create_website_project(
              uow, {domain::WebsiteProjectId{id}, domain::UserId{client}, domain::UserId{agent},
                    "Site " + id, answers});
        });
    if (result.ok()) projects_.push_back(id);
  }

  void complete_phase() {
    const std::string id = l_.known_or_unknown(projects_);
    auto project = l_.f.row<events::WebsiteProjectState>(domain::kWebsitesKeyspace,
                                                         domain::website_project_key(id));
    // Mostly the current phase (a launched project has none); else any phase
    // (invalid_transition) or no phase at all (invalid_argument).
    const auto& phases = domain::website_phases();
    const bool malformed = l_.chance(5);
    const bool current = project && !project->current_phase().empty() && l_.chance(70);
    const std::string phase = malformed ? "painting"
                              : current ? project->current_phase()
                                        : std::string(phases[l_.between(0, phases.size() - 1)]);
    l_.send<ProjectAnswer>(RandomLedger::is_unknown(id) ? Refusable::certain({kUnknown})
                                                        : refused_as_if(malformed, kInvalid),
                           [&](UnitOfWork& uow) {
                             return domain::complete_website_phase(
                                 uow, {domain::WebsiteProjectId{id}, phase, "done", "wes"});
                           });
  }

  void upload() {
    const std::string project = l_.known_or_unknown(projects_);
    const bool reused = !versions_.empty() && l_.chance(5);
    const bool malformed = !reused && l_.chance(5);
    domain::UploadWebsiteVersion command;
    command.version_id = domain::WebsiteVersionId{reused ? l_.pick(versions_) : l_.f.id()};
    command.project_id = domain::WebsiteProjectId{project};
    // A fresh number for a reused id, so that the id is what is refused.
    command.version_number = reused ? "r" + l_.f.id() : "1." + std::to_string(l_.between(0, 5));
    command.notes = "notes";
    command.technologies = {"React"};
    command.file_sha256 = malformed ? "not-a-hash" : std::string(64, 'a');
    command.file_size = 1234;
    command.file_name = "site.zip";
    command.uploaded_by = domain::ActorId{l_.pick(l_.website_agents)};
    auto result = l_.run<VersionAnswer>(
        reused || malformed ? Refusable::certain({kInvalid})
                            : RandomLedger::refusable_about(project),
        [&](UnitOfWork& uow) { return domain::upload_website_version(uow, command); });
    if (result.ok()) versions_.push_back(command.version_id.str());
  }

  void act() {
    using Decider =
        Result<events::WebsiteVersionState> (*)(UnitOfWork&, const domain::WebsiteVersionAction&);
    static constexpr Decider kDeciders[] = {
        &domain::start_version_testing, &domain::approve_website_version,
        &domain::deploy_website_version, &domain::add_version_feedback};
    const Decider decider = l_.pick(kDeciders);
    const std::string id = l_.known_or_unknown(versions_);
    // A malformed URL is refused before the status is looked at (testing and deploying only).
    const bool malformed = l_.chance(5);
    const std::string url = malformed ? "ftp://site" : "https://site.example.com/" + id;
    const bool checks_url =
        decider == &domain::start_version_testing || decider == &domain::deploy_website_version;
    l_.send<VersionAnswer>(
        RandomLedger::is_unknown(id) ? Refusable::certain({kUnknown})
                                     : refused_as_if(malformed && checks_url, kInvalid),
        [&](UnitOfWork& uow) {
          return decider(uow, {domain::WebsiteVersionId{id}, "wes", url, "Looks good"});
        });
  }

  RandomLedger& l_;
  std::vector<std::string> projects_;
  std::vector<std::string> versions_;
};

}  // namespace ledger::testing
