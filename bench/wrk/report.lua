-- wrk script of bench/run.py. The request comes from the environment (BENCH_METHOD, BENCH_BODY,
-- BENCH_CONTENT_TYPE; headers are passed with -H); at the end one line "BENCHJSON {...}" reports the run:
-- completed requests, duration, latency percentiles (microseconds) and errors, non-2xx/3xx answers included.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeout_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.status, e.connect, e.read, e.write, e.timeout))
end
