-- wrk script for bench/soak.sh: good traffic only, every request expecting 200. Rotates
-- over a static file, the anonymous home page, and three signed-in pages (/, /admin as
-- the admin demo user, /graph, which calls the provider's Graph stand-in from a worker
-- thread), using the session cookies listed in the file named by $SOAK_COOKIES.
-- Counts statuses per class in response() (wrk itself only counts "not 2xx/3xx"), and
-- prints them from done() as one machine-readable line.

local mix = {
    { path = "/static/style.css", signed_in = false },
    { path = "/", signed_in = false },
    { path = "/", signed_in = true },
    { path = "/admin", signed_in = true },
    { path = "/graph", signed_in = true },
}
local cookies = {}
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local file = assert(io.open(os.getenv("SOAK_COOKIES"), "r"))
    for line in file:lines() do
        if line ~= "" then table.insert(cookies, line) end
    end
    file:close()
    assert(#cookies > 0, "no session cookies in $SOAK_COOKIES")
    n = 0
    ok200, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0
end

function request()
    n = n + 1
    local entry = mix[(n % #mix) + 1]
    local headers = {}
    if entry.signed_in then
        headers["Cookie"] = "session=" .. cookies[(n % #cookies) + 1]
    end
    return wrk.format("GET", entry.path, headers)
end

function response(status, headers, body)
    if status == 200 then ok200 = ok200 + 1 end
    if status >= 500 then s5xx = s5xx + 1
    elseif status >= 400 then s4xx = s4xx + 1
    elseif status >= 300 then s3xx = s3xx + 1
    else s2xx = s2xx + 1 end
end

function done(summary, latency, requests)
    local total = { ok200 = 0, s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
    for _, thread in ipairs(threads) do
        for key, _ in pairs(total) do total[key] = total[key] + thread:get(key) end
    end
    local e = summary.errors
    io.write(string.format(
        "SOAK requests=%d ok200=%d s2xx=%d s3xx=%d s4xx=%d s5xx=%d connect=%d read=%d write=%d timeout=%d p50ms=%.2f p99ms=%.2f seconds=%.1f\n",
        summary.requests, total.ok200, total.s2xx, total.s3xx, total.s4xx, total.s5xx,
        e.connect, e.read, e.write, e.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
