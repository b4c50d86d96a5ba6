-- wrk_tally.lua - the bookkeeping scripts/bench's wrk scripts share: answers counted by status
-- per thread, and done()'s machine-readable lines "BENCH name value" on stdout.
--
-- Loaded by path from a wrk script (ingest.lua, sessions.lua):
--   dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_tally.lua")
-- It defines setup() and response(), the globals sent and counts (a thread's requests made and
-- answers by status: the script's request() counts sent) and bench_done(summary, latency),
-- which the script's done() calls before printing lines of its own. wrk gives each thread its
-- own Lua state: the counters live in the thread's globals and bench_done() collects them
-- through thread:get().

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("tid", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

sent = 0
counts = {}

function response(status, hdrs, body)
	counts[status] = (counts[status] or 0) + 1
end

function bench_done(summary, latency)
	local total = {}
	local total_sent = 0
	for _, t in ipairs(threads) do
		total_sent = total_sent + (t:get("sent") or 0)
		for status, n in pairs(t:get("counts") or {}) do
			total[status] = (total[status] or 0) + n
		end
	end
	local ok = 0
	for status, n in pairs(total) do
		io.write(string.format("BENCH status_%d %d\n", status, n))
		if status >= 200 and status < 300 then
			ok = ok + n
		end
	end
	local e = summary.errors
	io.write(string.format("BENCH sent %d\n", total_sent))
	io.write(string.format("BENCH ok %d\n", ok))
	io.write(string.format("BENCH requests %d\n", summary.requests))
	io.write(string.format("BENCH duration_us %d\n", summary.duration))
	io.write(string.format("BENCH p50_us %d\n", latency:percentile(50)))
	io.write(string.format("BENCH p99_us %d\n", latency:percentile(99)))
	io.write(string.format("BENCH errors_connect %d\n", e.connect))
	io.write(string.format("BENCH errors_read %d\n", e.read))
	io.write(string.format("BENCH errors_write %d\n", e.write))
	io.write(string.format("BENCH errors_timeout %d\n", e.timeout))
end
