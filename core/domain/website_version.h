// Website versions: the zip archives a client's website agent uploads for a project, taken
// through testing, approval and deployment.
//
// Rules (each refused command writes nothing):
// - Upload: the version id is not used yet (invalid_argument otherwise); the project exists;
//   version_number 1-20 characters of letters, digits, '.', '-', '_', unique per project
//   (version_number_taken); notes and changelog <= 5000; at most 20 technologies of 1-50
//   characters; the file is stored in the blob store (its hash is 64 lower-case hex digits, its
//   size > 0), file name 1-255. Every text is valid UTF-8 without
//   control characters or bidirectional overrides (core/text_validation.h); notes and
//   changelog may hold line breaks and tabs.
// - Status: uploaded -> testing (start_testing, optional http(s) preview URL) -> approved
//   (approve) -> deployed (deploy, http(s) deployment URL required). Any other move is
//   invalid_transition naming the status. Who may do each is the API's matter (see
//   http/routes/website_version_routes.cpp): the agent uploads, tests and deploys; the client or
//   an admin approves.
// - Feedback: 1-2000 characters, at most 200 entries per version, in any status.
// - Update (notes, changelog, technologies_used, under the upload's limits) and delete: not once
//   deployed (invalid_transition). A deleted version is not found, and its version number may be
//   used again; its file stays in the blob store (other versions may share it).
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "websites" fold
// (websites_fold.h, which also lists the row keys). Times come from uow.now_us().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/unit_of_work.h"
#include "core/domain/websites_fold.h"
#include "events/website_events.pb.h"
#include "events/website_state.pb.h"

namespace ledger::domain {

inline constexpr std::size_t kVersionFeedbackMax = 200;

std::string website_version_stream(std::string_view version_id);

struct UploadWebsiteVersion {
  WebsiteVersionId version_id;
  WebsiteProjectId project_id;
  std::string version_number;
  std::string notes;
  std::vector<std::string> technologies;
  std::string changelog;
  std::string file_sha256;
  std::uint64_t file_size = 0;
  std::string file_name;
  ActorId uploaded_by;
};
Result<events::WebsiteVersionState> upload_website_version(UnitOfWork& uow,
                                                           const UploadWebsiteVersion& command);

// Checks an upload's fields before its file is read, so that a refused upload costs nothing.
Status check_website_version_fields(const UploadWebsiteVersion& command);

// Checks the name an upload's file was sent under (1-255 bytes of UTF-8, see below), before the
// file is read; invalid_argument naming "file" otherwise.
Status check_website_version_file_name(std::string_view file_name);

struct WebsiteVersionAction {
  WebsiteVersionId version_id;
  ActorId actor_id;
  std::string url;      // start_testing: preview URL (optional); deploy: deployment URL
  std::string message;  // add_feedback
};
Result<events::WebsiteVersionState> start_version_testing(UnitOfWork& uow,
                                                          const WebsiteVersionAction& command);
Result<events::WebsiteVersionState> approve_website_version(UnitOfWork& uow,
                                                            const WebsiteVersionAction& command);
Result<events::WebsiteVersionState> deploy_website_version(UnitOfWork& uow,
                                                           const WebsiteVersionAction& command);
Result<events::WebsiteVersionState> add_version_feedback(UnitOfWork& uow,
                                                         const WebsiteVersionAction& command);

struct UpdateWebsiteVersion {
  WebsiteVersionId version_id;
  std::optional<std::string> notes;
  std::optional<std::string> changelog;
  std::optional<std::vector<std::string>> technologies;
  ActorId updated_by;
};
// Answers the version unchanged, writing nothing, when no field differs.
Result<events::WebsiteVersionState> update_website_version(UnitOfWork& uow,
                                                           const UpdateWebsiteVersion& command);
Result<events::WebsiteVersionState> delete_website_version(UnitOfWork& uow,
                                                           const WebsiteVersionAction& command);

}  // namespace ledger::domain
