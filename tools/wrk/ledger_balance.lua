-- wrk script: balance queries (GET /api/wallet/) with the clients' tokens from WRK_TOKENS, round
-- robin. Prints one JSON line like ledger_debit.lua.
local tokens = {}

function init(args)
  for line in io.lines(os.getenv("WRK_TOKENS")) do tokens[#tokens + 1] = line end
  counter = 0
end

function request()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  return wrk.format("GET", "/api/wallet/", {["Authorization"] = "Bearer " .. token})
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"bench":"http-balance","requests":%d,"errors":%d,"per_second":%.0f,"p50_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9)))
end
