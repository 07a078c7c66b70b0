// The "websites" fold: each website project and each uploaded version, with their index rows,
// from the website project and version events.
//
//   project/<project_id>                               WebsiteProjectState
//   of-client/<client_id>/<project_id>                 WebsiteProjectState holding only
//                                                      project_id
//   version/<version_id>                               WebsiteVersionState
//   version-number/<project_id>/<version_number>       WebsiteVersionState holding only
//                                                      version_id (numbers are unique per project)
//   versions-of-project/<project_id>/<version_id>      WebsiteVersionState holding only version_id
//   uploads-of-agent/<uploaded_by>/<version_id>        WebsiteVersionState holding only version_id
//
// Rows are serialized deterministically (serialize_row): a project's answers (a map) in key
// order.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

inline constexpr std::string_view kWebsiteProjectKeyPrefix = "project/";
std::string website_project_key(std::string_view project_id);
std::string client_website_project_prefix(std::string_view client_id);

inline constexpr std::string_view kWebsiteVersionKeyPrefix = "version/";
std::string website_version_key(std::string_view version_id);
std::string version_number_key(std::string_view project_id, std::string_view version_number);
std::string project_versions_prefix(std::string_view project_id);
std::string agent_uploads_prefix(std::string_view agent_id);

InlineFold websites_fold();

}  // namespace ledger::domain
