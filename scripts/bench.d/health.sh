# health.sh - scripts/bench's health phase: session updates ingested against reports, and the health answer at 10 million sessions.
# Sourced by scripts/bench after its helpers (say, check, calc, R, run_wrk, start_prosumd,
# stop_prosumd, parse_bench).
#
# ingest: against one prosumd (the benchmark's data directory and project), keep-alive wrk runs
# of HEALTH_DURATION seconds each in the order reports, sessions, sessions, reports: reports are
# scripts/bench.d/ingest.lua's 2 KiB documents, sessions are Sentry envelopes of one `session`
# item each (scripts/bench.d/sessions.lua: a session's start, then its end, as an SDK sends
# them). The ratio is session updates/s over reports/s (a session update should cost a
# fraction of a report: a ratio above 1); the sessions stored are checked against the updates
# acknowledged.
#
# answer: a fresh data directory with HEALTH_SESSIONS (10,000,000) sessions of release
# app@3.0.0 and three older releases (scripts/gen-health: the aggregates written directly, as
# prosumd keeps them), served by prosumd; GET .../health?release=app@3.0.0 (and with
# by=cohort) HEALTH_SAMPLES times over one keep-alive connection after a probe whose sessions
# are checked against the data: median and p99, against the goal < 50 ms.

HEALTH_DURATION=${BENCH_HEALTH_DURATION:-8}
HEALTH_SESSIONS=${BENCH_HEALTH_SESSIONS:-10000000}
HEALTH_SAMPLES=${BENCH_HEALTH_SAMPLES:-60}
HEALTH_GOAL_MS=50

health_wrk_sessions() { # NAME PORT PROJECT_ID KEY
	local name=$1 out=$work/wrk-$1.out rc=0
	timeout $((HEALTH_DURATION + 60)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${HEALTH_DURATION}s" --timeout 10s \
		-s "$here/sessions.lua" "https://127.0.0.1:$2/api/$3/envelope/" -- "$4" "$(nonce)" >"$out" 2>&1 &
	local wrk_pid=$!
	pids+=("$wrk_pid")
	wait "$wrk_pid" || rc=$?
	forget_pid "$wrk_pid"
	parse_bench "$name" "$out"
	if [ $rc != 0 ] || [ -z "$(get "$name.ok")" ]; then
		check 0 "wrk-$name" "wrk failed with status $rc: $(tail -3 "$out")"
		return 1
	fi
	R[$name.rate]=$(calc 'a / (b / 1e6)' "$(get "$name.ok")" "$(get "$name.duration_us")")
	R[$name.p50_ms]=$(calc 'a / 1000' "$(get "$name.p50_us")")
	R[$name.p99_ms]=$(calc 'a / 1000' "$(get "$name.p99_us")")
	check "$([ "$(get "$name.ok")" = "$(get "$name.requests")" ] && echo 1 || echo 0)" "wrk-$name-answers" \
		"$(get "$name.ok") 2xx of $(get "$name.requests") answers"
}

health_started() { # sessions stored in the bench database
	sqlite3 -cmd '.timeout 10000' "$data/prosum.db" 'SELECT coalesce(sum(started), 0) FROM health_hours' 2>/dev/null || echo 0
}

health_ingest() {
	local pid s0 s1 acked
	pid=$(sqlite3 "$data/prosum.db" "SELECT id FROM projects WHERE name = '$PROJECT'")
	start_prosumd health || { check 0 health-start "cannot start prosumd"; return 1; }
	say "health: reports, sessions, sessions, reports; ${HEALTH_DURATION}s each"
	run_wrk health_reports1 "$prosumd_port" keep "$HEALTH_DURATION" || true
	s0=$(health_started)
	health_wrk_sessions health_sessions1 "$prosumd_port" "$pid" "$key" || true
	health_wrk_sessions health_sessions2 "$prosumd_port" "$pid" "$key" || true
	s1=$(health_started)
	run_wrk health_reports2 "$prosumd_port" keep "$HEALTH_DURATION" || true
	stop_prosumd health
	R[health.reports_rate]=$(calc '(a + b) / 2' "$(get health_reports1.rate)" "$(get health_reports2.rate)")
	R[health.updates_rate]=$(calc '(a + b) / 2' "$(get health_sessions1.rate)" "$(get health_sessions2.rate)")
	R[health.ingest_ratio]=$(ratio "$(get health.updates_rate)" "$(get health.reports_rate)")
	# Every second update starts a session: the sessions stored are about half the updates
	# acknowledged (wrk stops on the clock, a start may lack its end and the reverse).
	acked=$(calc 'a + b' "$(get health_sessions1.ok)" "$(get health_sessions2.ok)")
	R[health.sessions_stored]=$((s1 - s0))
	check "$(awk -v s=$((s1 - s0)) -v a="${acked:-0}" 'BEGIN { print (a > 0 && s >= a / 2 - 2 * 64 && s <= a / 2 + 2 * 64) ? 1 : 0 }')" \
		health-sessions-stored "$((s1 - s0)) sessions stored for ${acked:-0} updates acknowledged"
}

health_get() { # NAME QUERY PORT EXPECTED_SESSIONS
	local name=$1 url="https://127.0.0.1:$3/api/v1/projects/health/health?$2" body=$work/health-$1.json
	local cfg=$work/health-$1.curl out=$work/health-$1.times code got p50 p99 i cpu0
	code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 120 -K "$work/health-auth.curl" "$url" 2>"$work/health-$name.err") || code=000
	if [ "$code" != 200 ] || [ "$(jq -r '.releases[0].sessions' "$body" 2>/dev/null)" != "$4" ]; then
		check 0 "health-$name" "GET health?$2: HTTP $code, sessions $(jq -r '.releases[0].sessions' "$body" 2>/dev/null) (expected $4)"
		return 1
	fi
	{
		cat "$work/health-auth.curl"
		printf 'write-out = "%%{http_code} %%{time_total}\\n"\n'
		for ((i = 0; i <= HEALTH_SAMPLES; i++)); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done
	} >"$cfg"
	cpu0=$(cpu_s "$prosumd_pid")
	timeout 300 curl -sS --max-time 280 -K "$cfg" >"$out" 2>>"$work/health-$name.err" || true
	got=$(sed 1d "$out" | awk '$1 == 200' | wc -l)
	R[health_$name.cpu_ms]=$(calc '(a - b) * 1000 / c' "$(cpu_s "$prosumd_pid")" "$cpu0" "$((HEALTH_SAMPLES + 1))")
	read -r p50 p99 < <(sed 1d "$out" | awk '{ print $2 }' | pages_stats)
	R[health_$name.p50_ms]=$(calc 'a * 1000' "$p50")
	R[health_$name.p99_ms]=$(calc 'a * 1000' "$p99")
	check "$([ "$got" = "$HEALTH_SAMPLES" ] && echo 1 || echo 0)" "health-$name" \
		"GET health?$2: the answer holds the $4 sessions generated; $got of $HEALTH_SAMPLES timed answers 200"
}

health_answer() {
	local hdata=$work/health expected t0 rc=0
	if ! "$prosumd" init --data "$hdata" >"$work/health-init.out" 2>&1 ||
		! "$prosumd" project add health --data "$hdata" >"$work/health-project.out" 2>&1; then
		check 0 health-setup "prosumd init or project add failed: $(tail -3 "$work/health-init.out" "$work/health-project.out")"
		return 1
	fi
	printf 'cacert = "%s"\nheader = "Authorization: Bearer %s"\n' "$hdata/tls/ca.pem" \
		"$(sed -n 's/^token: //p' "$work/health-init.out")" >"$work/health-auth.curl"
	say "health: generating the aggregates of $HEALTH_SESSIONS sessions"
	t0=$(date +%s.%N)
	expected=$(timeout 600 "$root/scripts/gen-health" "$HEALTH_SESSIONS" "$hdata" "$(date +%s)" 2>"$work/health-gen.log" | tail -1) || rc=$?
	R[health.generated_s]=$(calc 'a - b' "$(date +%s.%N)" "$t0")
	if [ $rc != 0 ] || [ -z "$expected" ]; then
		check 0 health-generate "scripts/gen-health failed (status $rc): $(tail -3 "$work/health-gen.log")"
		return 1
	fi
	R[health.sessions]=$expected
	R[health.rows]=$(sqlite3 "$hdata/prosum.db" 'SELECT count(*) FROM health_hours')
	serve_data=$hdata
	if ! start_prosumd health-answer; then
		serve_data=""
		check 0 health-answer-start "cannot start prosumd on the health data"
		return 1
	fi
	serve_data=""
	say "health: GET health?release=app@3.0.0 x $HEALTH_SAMPLES, then by cohort"
	health_get release "release=app%403.0.0" "$prosumd_port" "$expected" || true
	health_get cohort "release=app%403.0.0&by=cohort" "$prosumd_port" "$expected" || true
	stop_prosumd health-answer
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$hdata"
}

health_phase() {
	health_ingest || true
	health_answer || true
	R[health.ran]=1
}

health_verdict() { # NAME -> ok / over / n/a by p99
	local v
	v=$(get "health_$1.p99_ms")
	[ -n "$v" ] || { printf 'n/a'; return; }
	awk -v v="$v" -v g="$HEALTH_GOAL_MS" 'BEGIN { printf "%s", (v < g ? "ok" : "over") }'
}

health_rows() {
	local name
	if [ -z "$(get health.ran)" ]; then
		row "health" "skipped" "BENCH_SKIP_HEALTH=1, or it could not run"
		return
	fi
	row "health: session updates / reports" "$(fmt "$(get health.ingest_ratio)" 2)" \
		"$(fmt "$(get health.updates_rate)") session updates/s (Sentry envelopes, a start and an end per session) against $(fmt "$(get health.reports_rate)") reports/s (2 KiB), 2 x ${HEALTH_DURATION}s each; goal > 1"
	for name in release cohort; do
		row "health: answer at $(fmt "$(get health.sessions)") sessions, ${name}" "$(fmt "$(get "health_$name.p50_ms")" 1) / $(fmt "$(get "health_$name.p99_ms")" 1)" \
			"ms p50 / p99 over one keep-alive connection, $HEALTH_SAMPLES calls; cpu $(fmt "$(get "health_$name.cpu_ms")" 1) ms/call; $(get health.rows) hourly rows; goal < $HEALTH_GOAL_MS ms; $(health_verdict "$name")"
	done
}

health_json() {
	if [ -z "$(get health.ran)" ]; then
		printf '"health": null'
		return
	fi
	printf '"health": {"duration_s": %s, "reports_per_s": %s, "session_updates_per_s": %s, "ratio": %s, "sessions_stored": %s, "sessions": %s, "hourly_rows": %s, "generated_s": %s, "goal_ms": %s, "release": {"p50_ms": %s, "p99_ms": %s, "cpu_ms_per_call": %s, "verdict": "%s"}, "cohort": {"p50_ms": %s, "p99_ms": %s, "cpu_ms_per_call": %s, "verdict": "%s"}}' \
		"$HEALTH_DURATION" "$(num "$(get health.reports_rate)")" "$(num "$(get health.updates_rate)")" "$(num "$(get health.ingest_ratio)")" \
		"$(num "$(get health.sessions_stored)")" "$(num "$(get health.sessions)")" "$(num "$(get health.rows)")" "$(num "$(get health.generated_s)")" "$HEALTH_GOAL_MS" \
		"$(num "$(get health_release.p50_ms)")" "$(num "$(get health_release.p99_ms)")" "$(num "$(get health_release.cpu_ms)")" "$(health_verdict release)" \
		"$(num "$(get health_cohort.p50_ms)")" "$(num "$(get health_cohort.p99_ms)")" "$(num "$(get health_cohort.cpu_ms)")" "$(health_verdict cohort)"
}
