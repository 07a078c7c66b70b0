-- wrk script: plain GETs of "/", for the peer serving a fixed JSON body. Same JSON line.
function done(summary, latency, requests)
  io.write(string.format(
    '{"bench":"fixed-json","requests":%d,"errors":%d,"per_second":%.0f,"p50_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
      summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9)))
end
