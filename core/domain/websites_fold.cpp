#include "core/domain/websites_fold.h"

#include <fmt/format.h>

#include <utility>

#include "core/domain/fold_row_update.h"
#include "core/domain/keyspaces.h"
#include "core/domain/website_project.h"
#include "events/website_events.pb.h"
#include "events/website_state.pb.h"

namespace ledger::domain {
namespace {

// --- projects ----------------------------------------------------------------------------------

Status project_created(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::WebsiteProjectCreated& created) {
  events::WebsiteProjectState project;
  project.set_project_id(created.project_id());
  project.set_client_id(created.client_id());
  project.set_agent_id(created.agent_id());
  project.set_name(created.name());
  *project.mutable_answers() = created.answers();
  project.set_current_phase(std::string(website_phases().front()));
  project.set_status(events::WEBSITE_PROJECT_STATUS_IN_PROGRESS);
  project.set_created_at_us(event.recorded_at_us);
  project.set_updated_at_us(event.recorded_at_us);
  rows.save(website_project_key(created.project_id()), project);
  // The index row holds only the id; readers load the project row.
  events::WebsiteProjectState index;
  index.set_project_id(created.project_id());
  rows.save(client_website_project_prefix(created.client_id()) + created.project_id(), index);
  return {};
}

Status phase_completed(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::WebsitePhaseCompleted& completed) {
  return update_row<events::WebsiteProjectState>(
      rows, website_project_key(completed.project_id()), event,
      [&](events::WebsiteProjectState& project) {
        project.add_completed_phases(completed.phase());
        project.set_current_phase(completed.next_phase());
        if (completed.next_phase().empty())
          project.set_status(events::WEBSITE_PROJECT_STATUS_LAUNCHED);
      });
}

// --- versions ----------------------------------------------------------------------------------

Status version_uploaded(KeyspaceRows& rows, const FoldedEvent& event,
                        const events::WebsiteVersionUploaded& uploaded) {
  events::WebsiteVersionState version;
  version.set_version_id(uploaded.version_id());
  version.set_project_id(uploaded.project_id());
  version.set_client_id(uploaded.client_id());
  version.set_agent_id(uploaded.agent_id());
  version.set_project_name(uploaded.project_name());
  version.set_version_number(uploaded.version_number());
  version.set_notes(uploaded.notes());
  *version.mutable_technologies() = uploaded.technologies();
  version.set_changelog(uploaded.changelog());
  version.set_file_sha256(uploaded.file_sha256());
  version.set_file_size(uploaded.file_size());
  version.set_file_name(uploaded.file_name());
  version.set_uploaded_by(uploaded.uploaded_by());
  version.set_status(events::WEBSITE_VERSION_STATUS_UPLOADED);
  version.set_created_at_us(event.recorded_at_us);
  version.set_updated_at_us(event.recorded_at_us);
  rows.save(website_version_key(uploaded.version_id()), version);
  // Index rows hold only the id; readers load the version row.
  events::WebsiteVersionState index;
  index.set_version_id(uploaded.version_id());
  rows.save(version_number_key(uploaded.project_id(), uploaded.version_number()), index);
  rows.save(project_versions_prefix(uploaded.project_id()) + uploaded.version_id(), index);
  rows.save(agent_uploads_prefix(uploaded.uploaded_by()) + uploaded.version_id(), index);
  return {};
}

// The version events after the upload change only the version's row.
template <class E, class Change>
Status update_version(KeyspaceRows& rows, const FoldedEvent& event, const E& happened,
                      Change change) {
  return update_row<events::WebsiteVersionState>(rows, website_version_key(happened.version_id()),
                                                 event, std::move(change));
}

Status evolve_versions(KeyspaceRows& rows, const FoldedEvent& event) {
  using events::WebsiteVersionState;
  if (const auto* uploaded = event.as<events::WebsiteVersionUploaded>()) {
    return version_uploaded(rows, event, *uploaded);
  }
  if (const auto* started = event.as<events::WebsiteVersionTestingStarted>()) {
    return update_version(rows, event, *started, [&](WebsiteVersionState& version) {
      version.set_status(events::WEBSITE_VERSION_STATUS_TESTING);
      version.set_preview_url(started->preview_url());
    });
  }
  if (const auto* approved = event.as<events::WebsiteVersionApproved>()) {
    return update_version(rows, event, *approved, [&](WebsiteVersionState& version) {
      version.set_status(events::WEBSITE_VERSION_STATUS_APPROVED);
      version.set_approved_by(approved->approved_by());
      version.set_approved_at_us(event.recorded_at_us);
    });
  }
  if (const auto* deployed = event.as<events::WebsiteVersionDeployed>()) {
    return update_version(rows, event, *deployed, [&](WebsiteVersionState& version) {
      version.set_status(events::WEBSITE_VERSION_STATUS_DEPLOYED);
      version.set_deployment_url(deployed->deployment_url());
      version.set_deployed_at_us(event.recorded_at_us);
    });
  }
  if (const auto* updated = event.as<events::WebsiteVersionUpdated>()) {
    return update_version(rows, event, *updated, [&](WebsiteVersionState& version) {
      version.set_notes(updated->notes());
      version.set_changelog(updated->changelog());
      *version.mutable_technologies() = updated->technologies();
    });
  }
  if (const auto* deleted = event.as<events::WebsiteVersionDeleted>()) {
    // The number is free again and the version leaves the project's and the agent's lists.
    rows.erase(version_number_key(deleted->project_id(), deleted->version_number()));
    rows.erase(project_versions_prefix(deleted->project_id()) + deleted->version_id());
    return update_version(rows, event, *deleted, [&](WebsiteVersionState& version) {
      rows.erase(agent_uploads_prefix(version.uploaded_by()) + version.version_id());
      version.set_deleted(true);
    });
  }
  if (const auto* added = event.as<events::WebsiteVersionFeedbackAdded>()) {
    return update_version(rows, event, *added, [&](WebsiteVersionState& version) {
      auto* entry = version.add_feedback();
      entry->set_author_id(added->author_id());
      entry->set_message(added->message());
      entry->set_at_us(event.recorded_at_us);
    });
  }
  return {};
}

Status evolve_websites(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* created = event.as<events::WebsiteProjectCreated>()) {
    return project_created(rows, event, *created);
  }
  if (const auto* completed = event.as<events::WebsitePhaseCompleted>()) {
    return phase_completed(rows, event, *completed);
  }
  return evolve_versions(rows, event);
}

}  // namespace

std::string website_project_key(std::string_view project_id) {
  return std::string(kWebsiteProjectKeyPrefix) + std::string(project_id);
}
std::string client_website_project_prefix(std::string_view client_id) {
  return "of-client/" + std::string(client_id) + "/";
}
std::string website_version_key(std::string_view version_id) {
  return std::string(kWebsiteVersionKeyPrefix) + std::string(version_id);
}
std::string version_number_key(std::string_view project_id, std::string_view version_number) {
  return fmt::format("version-number/{}/{}", project_id, version_number);
}
std::string project_versions_prefix(std::string_view project_id) {
  return fmt::format("versions-of-project/{}/", project_id);
}
std::string agent_uploads_prefix(std::string_view agent_id) {
  return fmt::format("uploads-of-agent/{}/", agent_id);
}

InlineFold websites_fold() {
  return InlineFold{.keyspace = kWebsitesKeyspace,
                    .version = 3,
                    .description =
                        "website projects and versions, with the version-number, per-client, "
                        "per-project and per-agent index rows",
                    .events = {events::WebsiteProjectCreated::descriptor(),
                               events::WebsitePhaseCompleted::descriptor(),
                               events::WebsiteVersionUploaded::descriptor(),
                               events::WebsiteVersionTestingStarted::descriptor(),
                               events::WebsiteVersionApproved::descriptor(),
                               events::WebsiteVersionDeployed::descriptor(),
                               events::WebsiteVersionFeedbackAdded::descriptor(),
                               events::WebsiteVersionUpdated::descriptor(),
                               events::WebsiteVersionDeleted::descriptor()},
                    .every_event = false,
                    .evolve = evolve_websites};
}

}  // namespace ledger::domain
