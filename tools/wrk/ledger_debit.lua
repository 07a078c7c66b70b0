-- wrk script: durable wallet debits over HTTP/1.1 keep-alive.
-- Each connection pays 0.01 for "marketing" from the wallet of one client, taking the clients'
-- bearer tokens round robin from the file named by WRK_TOKENS (one token per line). Prints one
-- JSON line with the request rate and latency percentiles in microseconds.
local tokens = {}
local next_token = 0

function setup(thread)
  thread:set("thread_index", next_token)
  next_token = next_token + 1
end

function init(args)
  for line in io.lines(os.getenv("WRK_TOKENS")) do tokens[#tokens + 1] = line end
  counter = thread_index or 0
  wrk.method = "POST"
  wrk.body = '{"amount":"0.01","service":"marketing"}'
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  -- wrk.format sends the headers given here instead of wrk.headers: Content-Type goes with them
  -- (without it the server answers 415, which wrk counts as an error, not as a debit).
  return wrk.format(nil, "/api/wallet/pay/", {["Authorization"] = "Bearer " .. token,
                                              ["Content-Type"] = "application/json"})
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"bench":"http-debit","requests":%d,"errors":%d,"per_second":%.0f,"p50_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9)))
end
