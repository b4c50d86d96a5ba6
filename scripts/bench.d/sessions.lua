-- wrk script for scripts/bench's health phase: POST Sentry envelopes with one `session` item
-- each, as an SDK sends a session: its start (init, status ok), then its end (exited, with a
-- duration), alternately, each session with a fresh sid, 256 installs, one release and build.
--
-- Arguments (after "--"): the ingest key and a 32-bit hex nonce that differs per run.
-- done() prints machine-readable lines "BENCH name value" on stdout, as ingest.lua's.

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("tid", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

sent = 0
counts = {}
local headers, started, prefix

function init(args)
	local key = args[1] or ""
	local nonce = tonumber(args[2] or "0", 16) or 0

	headers = {
		["X-Sentry-Auth"] = "Sentry sentry_version=7, sentry_key=" .. key,
		["Content-Type"] = "application/x-sentry-envelope",
	}
	started = os.date("!%Y-%m-%dT%H:%M:%SZ")
	-- sid: nonce, thread, counter: 32 hex digits, unique per run.
	prefix = string.format("%08x%04x", nonce % 0x100000000, tid % 0x10000)
end

function request()
	sent = sent + 1
	local n = math.floor((sent + 1) / 2) -- requests 1 and 2 are session 1's start and end
	local sid = prefix .. string.format("%020x", n)
	local did = string.format("1f6e0000-0000-4000-8000-%012x", n % 256)
	local update
	if sent % 2 == 1 then
		update = '"init":true,"status":"ok"'
	else
		update = '"status":"exited","duration":' .. (30 + n % 600)
	end
	local body = '{"sent_at":"' .. started .. '"}\n{"type":"session"}\n{"sid":"' .. sid
		.. '","did":"' .. did .. '","started":"' .. started .. '",' .. update
		.. ',"attrs":{"release":"app@1.4.0+abc1234","environment":"beta"}}\n'
	return wrk.format("POST", nil, headers, body)
end

function response(status, hdrs, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
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
