// Routing requests that write the log to the writer: the handler a route that writes the log
// gets on a node that forwards (ApiContext::forwarder set; see http/writer_forwarder.h).
//
// On the writer, a request is served here; one with a valid hop header (it was forwarded by a
// node) is served with the client's address from X-Forwarded-For as its peer (rate limits key on
// it), and one with a wrong hop header is refused (403). On a follower, a request is forwarded to
// the writer, and the answer is relayed once this node's head has reached the answer's
// X-Ledger-Position (at most ApiOptions::min_position_wait, like X-Min-Position: past it the
// answer is relayed all the same, since the command was applied); a forwarded request is never
// forwarded again (503).
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace ledger::http {

// `local` wrapped as above (plain `local` while ApiContext::forwarder is unset).
Handler served_by_writer(ApiContext& api, Handler local);

// For a streamed-body route (uploads), which is not forwarded: Ok on the writer or when no
// forwarder is configured; on a follower, store_read_only (503) telling the client to send the
// upload to the writer, naming its address when one is published.
Status streamed_upload_here(ApiContext& api);

}  // namespace ledger::http
