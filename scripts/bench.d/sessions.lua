-- wrk script for scripts/bench's health phase: POST Sentry envelopes with one `session` item
-- each, as an SDK sends a session: its start (init, status ok), then its end (exited, with a
-- duration), alternately, each session with a fresh sid, 256 installs, one release and build.
--
-- Arguments (after "--"): the ingest key and a 32-bit hex nonce that differs per run.
-- done() prints machine-readable lines "BENCH name value" on stdout, as ingest.lua's.

-- setup(), response(), the counters sent and counts, bench_done(): scripts/bench.d/wrk_tally.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_tally.lua")

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

function done(summary, latency, requests)
	bench_done(summary, latency)
end
