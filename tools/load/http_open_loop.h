// Open-loop HTTP load: requests sent at a fixed rate over keep-alive connections, whatever the
// server's answers, with each latency measured from the request's intended send time
// (tools/load/arrival_schedule.h), the way wrk2 measures, so that a slow answer cannot hide the
// queueing it causes (coordinated omission).
//
// Each connection sends one request at a time (HTTP/1.1 without pipelining); when an answer comes
// after the next request was due, that request goes out at once and its latency still counts from
// when it was due. Connections are spread over `threads` threads, each with its own io_context
// and recorder (no shared state on the hot path); requests are pre-serialized, one per bearer
// token, and taken round robin.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/load/latency_recorder.h"

namespace ledger::load {

struct OpenLoopOptions {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string method = "GET";
  std::string target = "/";
  std::string body;                        // sent as application/json when not empty
  std::vector<std::string> bearer_tokens;  // empty: no Authorization header
  std::uint64_t rate_per_second = 1000;    // total, over all connections
  std::uint64_t connections = 64;
  std::uint64_t threads = 1;
  std::chrono::milliseconds duration_ms{10'000};
  // After the run, how long answers to requests already due are awaited before they are given up.
  std::chrono::milliseconds drain_timeout_ms{5'000};
  std::size_t response_bytes_max = 1 << 20;
};

struct OpenLoopResult {
  LatencyRecorder latencies;     // of every answered request, from its intended send time
  std::uint64_t due = 0;         // requests the schedule held for the run
  std::uint64_t answered = 0;    // of which answered (any status)
  std::uint64_t errors = 0;      // answered with a non-2xx status, or failed on the connection
  std::uint64_t unanswered = 0;  // due but not answered before the drain timeout
  double seconds = 0;            // from the start to the last answer
};

// Runs the load. Throws std::runtime_error when a connection cannot be opened at the start.
OpenLoopResult run_open_loop(const OpenLoopOptions& options);

// The request bytes for one bearer token ("" for none), as sent on the wire.
std::string serialize_request(const OpenLoopOptions& options, const std::string& bearer_token);

}  // namespace ledger::load
