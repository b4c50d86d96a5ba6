-- wrk script for scripts/bench: POST 2048-byte report documents (docs/report-format.md),
-- each with a fresh UUID v4, and count the answers by status.
--
-- Arguments (after "--"): ingest key, a 32-bit hex nonce that differs per run,
-- "keep" or "close" (send Connection: close: one TLS handshake per request),
-- and optionally a comma-separated list of build revisions (hashes, tags or
-- `git describe` output): the documents rotate through them, each still
-- exactly DOC_BYTES long. Without the list every document says "abc1234".
-- done() prints machine-readable lines "BENCH name value" on stdout.

local DOC_BYTES = 2048

-- PROSUM_BENCH_DELAY_MS in the environment paces every connection: before each request
-- it waits a random time, exponentially distributed with that mean (capped at ten times
-- it), so 64 connections with mean D offer about 64000 / D requests/s (to measure latency
-- at a given rate rather than at saturation). Random waits keep the connections from
-- marching in step: wrk starts them all at once, and a fixed wait would make every
-- request arrive in bursts of 64.
local pace = tonumber(os.getenv("PROSUM_BENCH_DELAY_MS") or "")
if pace and pace > 0 then
	function delay()
		return math.floor(math.min(-pace * math.log(1 - math.random()), 10 * pace))
	end
end

-- PROSUM_BENCH_SIGNATURES=N spreads the crashes over N signatures (the top frame's
-- function rotates through png_decode_00000 .. N-1, as long as the usual name), so
-- that grouping makes N groups; without it every document has the same frames.
local signatures = tonumber(os.getenv("PROSUM_BENCH_SIGNATURES") or "") or 0
assert(signatures < 100000, "PROSUM_BENCH_SIGNATURES: at most 99999")
local TOP_FRAME = "png_read_palette"

-- setup(), response(), the counters sent and counts (per thread), bench_done():
-- scripts/bench.d/wrk_tally.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_tally.lua")

-- Per thread state, made in init().
local head, headers
local parts = {} -- per revision: { text between uuid and top frame function, from there to
                 -- install_id, after install_id }
local rnd_a, rnd_b, rnd_c, rnd_d

function init(args)
	local key = args[1] or ""
	local nonce = tonumber(args[2] or "0", 16) or 0
	local mode = args[3] or "keep"

	math.randomseed(nonce + tid * 7919 + os.time())
	-- UUID v4: nonce-<random>-4<random>-<variant + thread>-<counter>.
	rnd_a = nonce % 0x100000000
	rnd_b = math.random(0, 0xffff)
	rnd_c = math.random(0, 0xfff)
	rnd_d = 0x8000 + (tid % 0x4000)

	headers = {
		["X-Prosum-Key"] = key,
		["Content-Type"] = "application/json",
	}
	if mode == "close" then
		headers["Connection"] = "close"
	end

	local revisions = {}
	for r in string.gmatch(args[4] or "", "[^,]+") do
		assert(r:match("^[%w._-]+$"), "a revision of letters, digits, '.', '_', '-': " .. r)
		table.insert(revisions, r)
	end
	if #revisions == 0 then
		revisions = { "abc1234" }
	end

	head = '{"uuid":"'
	local mid0 = '","kind":"crash","title":"Crash when opening a PNG with an empty palette",'
		.. '"severity":"major","timestamp":"2026-11-20T10:15:00Z",'
		.. '"build":{"version":"1.4.0-beta.2","revision":"'
	local mid1 = '","channel":"beta"},'
		.. '"platform":{"os":"Linux","os_version":"6.1","arch":"x86_64"},'
		.. '"exception":{"type":"SIGSEGV","value":"invalid read at 0x0"},'
		.. '"frames":['
		.. '{"function":"' .. TOP_FRAME .. '","file":"src/png.c","line":120,"module":"viewer","address":"0x4011d6"},'
		.. '{"function":"png_read_info","file":"src/png.c","line":88,"module":"viewer","address":"0x401a20"},'
		.. '{"function":"image_open","file":"src/image.c","line":42,"module":"viewer","address":"0x402b10"},'
		.. '{"function":"main","file":"src/main.c","line":17,"module":"viewer","address":"0x400f00"}],'
		.. '"tags":{"gpu":"intel","locale":"en_GB"},"steps":"1. open file 2. crash",'
		.. '"tester":{"install_id":"'
	local tail0 = '"},"description":"'
	local tail1 = '"}'
	local words = "The viewer crashes when a PNG file has a palette chunk of zero entries. "
	for i, rev in ipairs(revisions) do
		local mid = mid0 .. rev .. mid1
		-- 36 bytes of uuid and 36 of install_id complete the document.
		local fixed = #head + 36 + #mid + 36 + #tail0 + #tail1
		local pad = DOC_BYTES - fixed
		assert(pad > 0, "report template larger than the document size")
		local text = string.rep(words, math.ceil(pad / #words)):sub(1, pad)
		local at = mid:find(TOP_FRAME, 1, true)
		parts[i] = { mid:sub(1, at - 1), mid:sub(at + #TOP_FRAME), tail0 .. text .. tail1 }
	end
end

function request()
	sent = sent + 1
	local uuid = string.format("%08x-%04x-4%03x-%04x-%012x", rnd_a, rnd_b, rnd_c, rnd_d, sent)
	-- 256 testers, as a beta community of a few hundred would send.
	local install = string.format("1f6e0000-0000-4000-8000-%012x", sent % 256)
	local p = parts[sent % #parts + 1]
	local fn = TOP_FRAME
	if signatures > 0 then
		fn = string.format("png_decode_%05d", sent % signatures)
	end
	local body = head .. uuid .. p[1] .. fn .. p[2] .. install .. p[3]
	return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
	bench_done(summary, latency)
	io.write(string.format("BENCH doc_bytes %d\n", DOC_BYTES))
end
