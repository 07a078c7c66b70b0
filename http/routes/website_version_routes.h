// Website versions (agents of the website department, for their assigned clients; the clients
// approve): the zip upload streamed into the blob store, the file download, the status
// workflow, feedback, my_uploads.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

void add_website_version_routes(Router& router, ApiContext& api);

}  // namespace ledger::http
