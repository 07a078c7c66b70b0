#include "core/domain/website_version.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/domain/emit_and_read.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/website_project.h"
#include "core/text_validation.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

constexpr std::size_t kTechnologiesMax = 20;

bool valid_version_number(std::string_view number) {
  return !number.empty() && number.size() <= text_limits::kVersionNumber &&
         std::all_of(number.begin(), number.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '-' || c == '_';
         });
}

bool valid_sha256_hex(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<events::WebsiteVersionState> load_version(UnitOfWork& uow, std::string_view version_id) {
  if (auto valid = require_id(version_id, "version_id"); !valid) return std::move(valid).error();
  auto row =
      uow.load<events::WebsiteVersionState>(kWebsitesKeyspace, website_version_key(version_id));
  if (!row) return std::move(row).error();
  if (!row->has_value() || (*row)->deleted()) {
    return make_error(Errc::not_found, fmt::format("there is no website version {}", version_id));
  }
  return std::move(**row);
}

// Update and delete: a deployed version stays as it went live.
Status require_not_deployed(const events::WebsiteVersionState& version, std::string_view action) {
  if (version.status() != events::WEBSITE_VERSION_STATUS_DEPLOYED) return {};
  return make_error(
      Errc::invalid_transition,
      fmt::format("version {} is deployed: it cannot be {}", version.version_number(), action),
      "status");
}

// Fills the fields every version event carries.
template <typename Event>
Event about(const events::WebsiteVersionState& version) {
  Event event;
  event.set_version_id(version.version_id());
  event.set_project_id(version.project_id());
  event.set_client_id(version.client_id());
  event.set_agent_id(version.agent_id());
  event.set_project_name(version.project_name());
  event.set_version_number(version.version_number());
  return event;
}

Status require_status(const events::WebsiteVersionState& version,
                      events::WebsiteVersionStatus wanted, std::string_view action) {
  if (version.status() == wanted) return {};
  return make_error(
      Errc::invalid_transition,
      fmt::format("version {} is {}: only a version that is {} can be {}", version.version_number(),
                  events::enum_name(version.status()), events::enum_name(wanted), action),
      "status");
}

// Emits `event` on the version's stream; answers the version's row as the fold left it.
template <typename Event>
Result<events::WebsiteVersionState> record(UnitOfWork& uow, const Event& event) {
  return emit_and_read<events::WebsiteVersionState>(uow, website_version_stream(event.version_id()),
                                                    event, kWebsitesKeyspace,
                                                    website_version_key(event.version_id()));
}

}  // namespace

std::string website_version_stream(std::string_view version_id) {
  return "website-version:" + std::string(version_id);
}

Status check_website_version_fields(const UploadWebsiteVersion& command) {
  if (auto valid = require_id(command.project_id.str(), "project_id"); !valid) return valid;
  if (auto valid = check_text("project_id", command.project_id.str(), TextKind::short_text);
      !valid) {
    return valid;
  }
  if (!valid_version_number(command.version_number)) {
    return make_error(Errc::invalid_argument,
                      "version_number is 1-20 letters, digits, '.', '-' or '_'", "version_number");
  }
  for (const auto& [text, field] :
       {std::pair{&command.notes, "notes"}, std::pair{&command.changelog, "changelog"}}) {
    if (auto valid = limit_text(*text, field, text_limits::kDescription); !valid) return valid;
    if (auto valid = check_text(field, *text, TextKind::long_text); !valid) return valid;
  }
  if (command.technologies.size() > kTechnologiesMax) {
    return make_error(Errc::invalid_argument, "at most 20 technologies_used", "technologies_used");
  }
  for (const auto& technology : command.technologies) {
    if (auto valid = require_text(technology, "technologies_used", text_limits::kTechnology);
        !valid) {
      return valid;
    }
    if (auto valid = check_text("technologies_used", technology, TextKind::short_text); !valid) {
      return valid;
    }
  }
  return {};
}

Status check_website_version_file_name(std::string_view file_name) {
  if (auto valid = require_text(file_name, "file", text_limits::kFileName); !valid) {
    return make_error(Errc::invalid_argument, "the file name is 1-255 bytes", "file");
  }
  if (auto valid = check_text("file", file_name, TextKind::short_text); !valid) {
    return make_error(Errc::invalid_argument,
                      "the file name must be UTF-8 without control characters or "
                      "bidirectional overrides",
                      "file");
  }
  return {};
}

Result<events::WebsiteVersionState> upload_website_version(UnitOfWork& uow,
                                                           const UploadWebsiteVersion& command) {
  if (auto valid = require_id(command.version_id.str(), "version_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = check_website_version_fields(command); !valid) {
    return std::move(valid).error();
  }
  if (!valid_sha256_hex(command.file_sha256) || command.file_size == 0) {
    return make_error(Errc::invalid_argument, "the file is empty or its hash is malformed", "file");
  }
  if (auto valid = check_website_version_file_name(command.file_name); !valid) {
    return std::move(valid).error();
  }
  // A second WebsiteVersionUploaded would reset the version and leave its old index rows.
  if (auto unused = uow.require_unused(command.version_id, kWebsitesKeyspace,
                                       website_version_key(command.version_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  auto project = uow.load<events::WebsiteProjectState>(
      kWebsitesKeyspace, website_project_key(command.project_id.str()));
  if (!project) return std::move(project).error();
  if (!project->has_value()) {
    return make_error(Errc::not_found,
                      fmt::format("there is no website project {}", command.project_id.str()),
                      "project_id");
  }
  const std::string number_key =
      version_number_key(command.project_id.str(), command.version_number);
  auto taken = uow.exists(kWebsitesKeyspace, number_key);
  if (!taken) return std::move(taken).error();
  if (*taken) {
    return make_error(Errc::version_number_taken,
                      fmt::format("the project already has a version {}", command.version_number),
                      "version_number");
  }

  events::WebsiteVersionState version;
  version.set_version_id(command.version_id.str());
  version.set_project_id(command.project_id.str());
  version.set_client_id((*project)->client_id());
  version.set_agent_id((*project)->agent_id());
  version.set_project_name((*project)->name());
  version.set_version_number(command.version_number);
  version.set_notes(command.notes);
  for (const auto& technology : command.technologies) version.add_technologies(technology);
  version.set_changelog(command.changelog);
  version.set_file_sha256(command.file_sha256);
  version.set_file_size(command.file_size);
  version.set_file_name(command.file_name);
  version.set_uploaded_by(command.uploaded_by.str());

  auto uploaded = about<events::WebsiteVersionUploaded>(version);
  uploaded.set_notes(version.notes());
  *uploaded.mutable_technologies() = version.technologies();
  uploaded.set_changelog(version.changelog());
  uploaded.set_file_sha256(version.file_sha256());
  uploaded.set_file_size(version.file_size());
  uploaded.set_file_name(version.file_name());
  uploaded.set_uploaded_by(version.uploaded_by());
  return record(uow, uploaded);
}

Result<events::WebsiteVersionState> start_version_testing(UnitOfWork& uow,
                                                          const WebsiteVersionAction& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (!command.url.empty() && !valid_web_url(command.url)) {
    return make_error(Errc::invalid_argument, "preview_url must be an http(s) URL with a host",
                      "preview_url");
  }
  if (auto allowed =
          require_status(*version, events::WEBSITE_VERSION_STATUS_UPLOADED, "put into testing");
      !allowed) {
    return std::move(allowed).error();
  }
  auto started = about<events::WebsiteVersionTestingStarted>(*version);
  started.set_preview_url(command.url);
  started.set_started_by(command.actor_id.str());
  return record(uow, started);
}

Result<events::WebsiteVersionState> approve_website_version(UnitOfWork& uow,
                                                            const WebsiteVersionAction& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (auto allowed = require_status(*version, events::WEBSITE_VERSION_STATUS_TESTING, "approved");
      !allowed) {
    return std::move(allowed).error();
  }
  auto approved = about<events::WebsiteVersionApproved>(*version);
  approved.set_approved_by(command.actor_id.str());
  return record(uow, approved);
}

Result<events::WebsiteVersionState> deploy_website_version(UnitOfWork& uow,
                                                           const WebsiteVersionAction& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (!valid_web_url(command.url)) {
    return make_error(Errc::invalid_argument, "deployment_url must be an http(s) URL with a host",
                      "deployment_url");
  }
  if (auto allowed = require_status(*version, events::WEBSITE_VERSION_STATUS_APPROVED, "deployed");
      !allowed) {
    return std::move(allowed).error();
  }
  auto deployed = about<events::WebsiteVersionDeployed>(*version);
  deployed.set_deployment_url(command.url);
  deployed.set_deployed_by(command.actor_id.str());
  return record(uow, deployed);
}

Result<events::WebsiteVersionState> add_version_feedback(UnitOfWork& uow,
                                                         const WebsiteVersionAction& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (auto valid = require_text(command.message, "message", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  if (static_cast<std::size_t>(version->feedback_size()) >= kVersionFeedbackMax) {
    return make_error(
        Errc::invalid_argument,
        fmt::format("a version takes at most {} feedback entries", kVersionFeedbackMax), "message");
  }
  auto added = about<events::WebsiteVersionFeedbackAdded>(*version);
  added.set_author_id(command.actor_id.str());
  added.set_message(command.message);
  return record(uow, added);
}

Result<events::WebsiteVersionState> update_website_version(UnitOfWork& uow,
                                                           const UpdateWebsiteVersion& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (auto allowed = require_not_deployed(*version, "changed"); !allowed) {
    return std::move(allowed).error();
  }
  // The upload's field rules, over the version as it would be.
  UploadWebsiteVersion changed{
      .project_id = WebsiteProjectId{version->project_id()},
      .version_number = version->version_number(),
      .notes = command.notes.value_or(version->notes()),
      .technologies = command.technologies.value_or(
          std::vector<std::string>(version->technologies().begin(), version->technologies().end())),
      .changelog = command.changelog.value_or(version->changelog())};
  if (auto valid = check_website_version_fields(changed); !valid) return std::move(valid).error();
  auto updated = about<events::WebsiteVersionUpdated>(*version);
  if (changed.notes != version->notes()) updated.add_changed("notes");
  if (changed.changelog != version->changelog()) updated.add_changed("changelog");
  if (!std::equal(changed.technologies.begin(), changed.technologies.end(),
                  version->technologies().begin(), version->technologies().end())) {
    updated.add_changed("technologies_used");
  }
  if (updated.changed().empty()) return version;
  updated.set_notes(changed.notes);
  updated.set_changelog(changed.changelog);
  for (const auto& technology : changed.technologies) updated.add_technologies(technology);
  updated.set_updated_by(command.updated_by.str());
  return record(uow, updated);
}

Result<events::WebsiteVersionState> delete_website_version(UnitOfWork& uow,
                                                           const WebsiteVersionAction& command) {
  auto version = load_version(uow, command.version_id.str());
  if (!version) return version;
  if (auto allowed = require_not_deployed(*version, "deleted"); !allowed) {
    return std::move(allowed).error();
  }
  auto deleted = about<events::WebsiteVersionDeleted>(*version);
  deleted.set_deleted_by(command.actor_id.str());
  return record(uow, deleted);
}

}  // namespace ledger::domain
