// Website versions (agents of the website department, for their assigned clients; the clients
// approve): the zip upload streamed into the blob store, the file download, the status
// workflow, feedback, my_uploads.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable website_version_routes();

}  // namespace ledger::http
