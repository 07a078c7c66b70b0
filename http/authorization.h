// Object-level authorization, in one place: who may see which client's objects.
//
//   admin   every client
//   client  itself only
//   agent   the clients assigned to it for its department (and, when the object belongs to a
//           service, only objects of that service)
//
// Out-of-scope objects answer not_found, exactly as if they did not exist, so nothing leaks
// about other clients' data. Handlers never compare ids themselves: they ask here.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/store/event_log.h"
#include "http/caller.h"

namespace ledger::http {

// Ok when `caller` may see objects of client `client_id` (of `service`, when not empty);
// not_found (naming `what`) otherwise.
Status require_client_scope(const store::EventLog& log, const Caller& caller,
                            std::string_view client_id, std::string_view service = {},
                            std::string_view what = "object");

// The same decision as a boolean, for filtering lists (errors of the store still propagate).
Result<bool> in_client_scope(const store::EventLog& log, const Caller& caller,
                             std::string_view client_id, std::string_view service = {});

}  // namespace ledger::http
