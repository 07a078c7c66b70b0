-- wrk script: messages over HTTP/1.1 keep-alive, half writes and half reads, as a busy messages
-- page: each connection alternates sending a message from one client to the admin (POST
-- /api/messages/, durable) and listing that client's conversations (GET
-- /api/messages/conversations/). Clients' bearer tokens come round robin from the file named by
-- WRK_TOKENS (one per line); the recipient's id from WRK_RECIPIENT. Prints one JSON line with
-- the request rate (both kinds) and latency percentiles in microseconds.
local tokens = {}
local next_token = 0

function setup(thread)
  thread:set("thread_index", next_token)
  next_token = next_token + 1
end

function init(args)
  for line in io.lines(os.getenv("WRK_TOKENS")) do tokens[#tokens + 1] = line end
  counter = thread_index or 0
  body = '{"recipient":"' .. os.getenv("WRK_RECIPIENT") ..
    '","content":"Can we move the launch to Friday? The new visuals are nearly ready."}'
end

function request()
  counter = counter + 1
  local token = tokens[(math.floor(counter / 2) % #tokens) + 1]
  if counter % 2 == 0 then
    return wrk.format("POST", "/api/messages/", {["Authorization"] = "Bearer " .. token,
                                                  ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", "/api/messages/conversations/",
                    {["Authorization"] = "Bearer " .. token})
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"bench":"http-messages","requests":%d,"errors":%d,"per_second":%.0f,"p50_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9)))
end
