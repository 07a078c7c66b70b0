// The exception guard of request handling: no exception thrown by route code ends the process.
//
// Route code runs on the server's I/O threads (handlers, upload sinks, event-stream sources) and
// on other threads its handlers hand work to (the sequencer's completions, the slow-work pool).
// Each place that runs it does so through `run_guarded`: an exception escaping it is written to
// stderr as one line naming the request id, and the request, when not answered yet, is answered
// 500 with a problem document carrying the id (X-Request-Id). The request id is the one the
// server put in the request's X-Request-Id header (the client's, when well formed, or a new one).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/http_types.h"

namespace ledger::http {

inline constexpr char kRequestIdHeader[] = "X-Request-Id";

// The request's id (its X-Request-Id header), empty when it has none.
std::string_view request_id_of(const Request& request);

// True when a client's X-Request-Id may be kept as the request id: 1 to 100 printable ASCII.
bool is_acceptable_request_id(std::string_view request_id);

// The target as a log line shows it: the values of its credential parameters (`ticket`, a
// stream ticket; `token`, refused there but sent by some clients) replaced by "[redacted]".
std::string target_for_log(std::string_view target);

// Writes "ledgerd: request <id> <method> <target>: <what>" to stderr, with the target as
// target_for_log shows it and control characters and bytes beyond ASCII escaped (the text may
// quote what the client sent).
void log_request_failure(const Request& request, std::string_view what);

// The 500 problem document of a request whose route code failed unexpectedly.
Response unexpected_failure_response(const Request& request);

// Runs `route_code`; false, after logging the exception, when it threw.
bool run_logged(const Request& request, const std::function<void()>& route_code);

// Runs `route_code`; when it throws, logs the exception and answers `reply` with a 500 (ignored
// when `route_code` already answered). `reply` is a copy: it can answer even when route code
// moved its own away before throwing.
void run_guarded(const Request& request, const Reply& reply,
                 const std::function<void()>& route_code);

}  // namespace ledger::http
