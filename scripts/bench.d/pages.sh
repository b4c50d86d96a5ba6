# pages.sh - scripts/bench's pages phase: the API calls each web page makes, timed against a prosumd serving a million reports.
# Sourced by scripts/bench after its helpers (say, check, calc, R, start_prosumd, stop_prosumd).
#
# A fresh data directory (scripts/gen-pages: 1,000,000 reports over the last 60 days in
# 20,000 groups, skewed so that G-1 holds about 37,000; two releases of a small repository
# made here, 90% of the builds resolved to them; tags, versions, platforms and the full-text
# index) is served by prosumd, and each call below is made PAGES_SAMPLES times over one
# keep-alive connection (after one probe whose answer is checked against the data). Median and
# p99 of each are compared with GET /healthz measured the same way in the same run (the cost
# of TLS, HTTP and curl alone: a ratio of 1 is the floor), and against the goal: < 100 ms.
# prosumd's CPU time per call is measured too: on a machine other work keeps busy the
# latencies grow with the wait for a core, the CPU time does not.

PAGES_REPORTS=${BENCH_PAGES_REPORTS:-1000000}
PAGES_GROUPS=${BENCH_PAGES_GROUPS:-20000}
PAGES_SAMPLES=${BENCH_PAGES_SAMPLES:-60}
PAGES_GOAL_MS=100

# Name, path under /api/v1/projects/pages (or / for healthz), and what the answer must hold
# (jq; the generated data says so). The page each serves is in the comment.
pages_names=(healthz overview groups groups_filtered reports reports_filtered reports_q
	reports_q_filtered reports_tag reports_group group group_stats group_stats_year
	group_stats_small report report_source releases)
declare -A PQ PJ
pages_define() {
	local week_ago=$(($(date +%s) - 7 * 86400))
	PQ=(
		[healthz]="/healthz"
		[overview]="overview"                                                 # home
		[groups]="groups?limit=50"                                            # groups list
		[groups_filtered]="groups?status=new&kind=crash&version=1.3.0&platform=Linux&sort=count&limit=50"
		[reports]="reports?limit=50"                                          # reports list
		[reports_filtered]="reports?kind=crash&status=new&version=1.3.0&platform=Linux&since=$week_ago&limit=50"
		[reports_q]="reports?q=zebra&limit=50"                                # search box
		[reports_q_filtered]="reports?q=zebra&kind=crash&limit=50"
		[reports_tag]="reports?tag=gpu:intel&limit=50"
		[reports_group]="reports?group=G-1&limit=50"                          # group page: its reports
		[group]="groups/G-1"                                                  # group page
		[group_stats]="groups/G-1/stats?days=30"                              # group page: chart, breakdowns
		[group_stats_year]="groups/G-1/stats?days=365"
		[group_stats_small]="groups/G-5000/stats?days=30"
		[report]="reports/R-$PAGES_REPORTS"                                   # report page
		[report_source]="reports/R-$((PAGES_REPORTS - 1))/source?context=5"   # report page: source
		[releases]="releases"                                                 # releases page
	)
	PJ=(
		[healthz]='true'
		[overview]='(.rising | length) > 0 and (.regressed | length) > 0 and .totals.reports == '"$PAGES_REPORTS"' and (.rising[0].hourly | length) == 24 and (.releases | length) == 2'
		[groups]='(.items | length) == 50'
		[groups_filtered]='(.items | length) > 0 and all(.items[]; .kind == "crash" and .status == "new")'
		[reports]='(.items | length) == 50 and .items[0].id == "R-'"$PAGES_REPORTS"'"'
		[reports_filtered]='(.items | length) > 0 and all(.items[]; .kind == "crash" and .version == "1.3.0" and .platform == "Linux")'
		[reports_q]='(.items | length) > 0'
		[reports_q_filtered]='(.items | length) > 0 and all(.items[]; .kind == "crash")'
		[reports_tag]='(.items | length) == 50'
		[reports_group]='(.items | length) == 50 and all(.items[]; .group == "G-1")'
		[group]='.id == "G-1" and .count > 10000'
		[group_stats]='(.daily | length) == 30 and ([.daily[].count] | add) > 0 and (.tags | length) == 5 and (.releases | length) == 3'
		[group_stats_year]='(.daily | length) == 365'
		[group_stats_small]='(.daily | length) == 30'
		[report]='.id == "R-'"$PAGES_REPORTS"'"'
		[report_source]='.commit != null and (.frames | length) == 3 and (.frames[0].lines | length) == 11 and .frames[0].path == "src/engine.c" and (.frames[2].lines | length) == 0'
		[releases]='(.items | length) == 2'
	)
}

pages_stats() { # seconds on stdin, one per line -> "median p99" (p99: nearest rank)
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		k = int(0.99 * NR); if (k < 0.99 * NR) k++
		printf "%.6f %.6f\n", m, v[k] }'
}

pages_get() { # NAME PORT
	local name=$1 port=$2 url probe code body=$work/pages-$1.json cfg=$work/pages-$1.curl
	local out=$work/pages-$1.times verdict got bad conns p50 p99 i cpu0
	if [ "$name" = healthz ]; then
		url="https://127.0.0.1:$port/healthz"
	else
		url="https://127.0.0.1:$port/api/v1/projects/pages/${PQ[$name]}"
	fi
	probe=$(curl -sS -o "$body" -w '%{http_code}' --max-time 120 -K "$work/pages-auth.curl" "$url" \
		2>"$work/pages-$name.err") || probe=000
	code=$probe
	if [ "$code" != 200 ]; then
		check 0 "pages-$name" "GET ${PQ[$name]}: HTTP $code $(head -c 300 "$body" 2>/dev/null) $(head -c 200 "$work/pages-$name.err")"
		return 1
	fi
	verdict=yes
	[ "$name" = healthz ] || verdict=$(jq -r "if (${PJ[$name]}) then \"yes\" else \"no\" end" "$body" 2>/dev/null || echo no)
	{
		cat "$work/pages-auth.curl"
		printf 'write-out = "%%{http_code} %%{time_total} %%{num_connects}\\n"\n'
		for ((i = 0; i <= PAGES_SAMPLES; i++)); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done
	} >"$cfg"
	# Bounded: a call of 2 s each would still end within the timeout. prosumd's CPU time over
	# the run, per call, is the figure other work on the machine does not inflate.
	cpu0=$(cpu_s "$prosumd_pid")
	timeout 300 curl -sS --max-time 280 -K "$cfg" >"$out" 2>>"$work/pages-$name.err" || true
	# The first request of the connection pays the handshake and is not counted.
	got=$(sed 1d "$out" | wc -l)
	bad=$(sed 1d "$out" | awk '$1 != 200' | wc -l)
	conns=$(awk '{ c += $3 } END { print c + 0 }' "$out")
	if [ "$got" != "$PAGES_SAMPLES" ] || [ "$bad" != 0 ]; then
		check 0 "pages-$name" "GET ${PQ[$name]}: $got of $PAGES_SAMPLES timed answers, $bad not 200: $(head -c 200 "$work/pages-$name.err")"
		return 1
	fi
	R[pages_$name.cpu_ms]=$(calc '(a - b) * 1000 / c' "$(cpu_s "$prosumd_pid")" "$cpu0" "$((PAGES_SAMPLES + 1))")
	read -r p50 p99 < <(sed 1d "$out" | awk '{ print $2 }' | pages_stats)
	R[pages_$name.p50_ms]=$(calc 'a * 1000' "$p50")
	R[pages_$name.p99_ms]=$(calc 'a * 1000' "$p99")
	R[pages_$name.bytes]=$(wc -c <"$body")
	check "$([ "$verdict" = yes ] && [ "$conns" = 1 ] && echo 1 || echo 0)" "pages-$name" \
		"GET ${PQ[$name]}: $([ "$verdict" = yes ] && echo "the answer holds what the generated data says" || echo "the answer does NOT hold what the generated data says"); $((PAGES_SAMPLES + 1)) answers 200 over $conns connection(s)"
}

# Make the repository and the data, serve them, time every call. 0, or 1 when it could not run.
pages_phase() {
	local pdata=$work/pages pr=$work/pages-repo c1 c2 t0 rc=0 name gitc=(git -C "$work/pages-repo" -c user.name=Bench -c user.email=bench@example.org)
	pages_define
	mkdir -p "$pr/src"
	git -C "$pr" init -q -b main
	seq -f 'engine line %g' 1 200 >"$pr/src/engine.c"
	seq -f 'ui line %g' 1 60 >"$pr/src/ui.c"
	"${gitc[@]}" add -A && "${gitc[@]}" commit -qm 'Release 1.0' && "${gitc[@]}" tag v1.0
	sed -i 's/^engine line 50$/engine line 50, changed in 1.1/' "$pr/src/engine.c"
	"${gitc[@]}" commit -qam 'Release 1.1' && "${gitc[@]}" tag v1.1
	c1=$(git -C "$pr" rev-parse v1.0)
	c2=$(git -C "$pr" rev-parse v1.1)
	if ! "$prosumd" init --data "$pdata" >"$work/pages-init.out" 2>&1 ||
		! "$prosumd" project add pages --repo "$pr" --data "$pdata" >"$work/pages-project.out" 2>&1; then
		check 0 pages-setup "prosumd init or project add failed: $(tail -3 "$work/pages-init.out" "$work/pages-project.out")"
		return 1
	fi
	printf 'cacert = "%s"\nheader = "Authorization: Bearer %s"\n' "$pdata/tls/ca.pem" \
		"$(sed -n 's/^token: //p' "$work/pages-init.out")" >"$work/pages-auth.curl"
	say "pages: generating $PAGES_REPORTS reports in $PAGES_GROUPS groups (about 1.5 minutes on 2 cores)"
	t0=$(date +%s.%N)
	timeout 900 "$root/scripts/gen-pages" "$PAGES_REPORTS" "$PAGES_GROUPS" "$pdata" "$(date +%s)" "$c1" "$c2" \
		>"$work/pages-gen.log" 2>&1 || rc=$?
	R[pages.generated_s]=$(calc 'a - b' "$(date +%s.%N)" "$t0")
	if [ $rc != 0 ]; then
		check 0 pages-generate "scripts/gen-pages failed (status $rc): $(tail -3 "$work/pages-gen.log")"
		return 1
	fi
	R[pages.db_mib]=$(($(stat -c %s "$pdata/prosum.db") / 1048576))
	sync "$pdata/prosum.db" # written back now, not while the calls are timed
	serve_data=$pdata
	if ! start_prosumd pages; then
		serve_data=""
		check 0 pages-start "cannot start prosumd on the pages data"
		return 1
	fi
	serve_data=""
	for name in "${pages_names[@]}"; do
		say "pages: GET ${PQ[$name]} x $PAGES_SAMPLES"
		pages_get "$name" "$prosumd_port" || true
	done
	stop_prosumd pages
	for name in "${pages_names[@]}"; do
		R[pages_$name.ratio]=$(ratio "$(get "pages_$name.p50_ms")" "$(get pages_healthz.p50_ms)")
	done
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$pdata"
	R[pages.ran]=1
}

pages_verdict() { # NAME -> ok / over / n/a against the goal, by p99
	local v
	v=$(get "pages_$1.p99_ms")
	[ -n "$v" ] || { printf 'n/a'; return; }
	awk -v v="$v" -v g="$PAGES_GOAL_MS" 'BEGIN { printf "%s", (v < g ? "ok" : "over") }'
}

# Rows for the results table (row NAME VALUE NOTE is scripts/bench's).
pages_rows() {
	local name
	if [ -z "$(get pages.ran)" ]; then
		row "pages" "skipped" "BENCH_SKIP_PAGES=1, or it could not run"
		return
	fi
	row "pages: $PAGES_REPORTS reports, $PAGES_GROUPS groups" "p50 / p99" \
		"ms over one keep-alive connection, $PAGES_SAMPLES calls each; ratio = p50 / healthz p50; cpu = prosumd's CPU ms per call; goal < $PAGES_GOAL_MS ms (p99); data made in $(fmt "$(get pages.generated_s)") s, $(get pages.db_mib) MiB"
	for name in "${pages_names[@]}"; do
		row "  ${PQ[$name]}" "$(fmt "$(get "pages_$name.p50_ms")" 1) / $(fmt "$(get "pages_$name.p99_ms")" 1)" \
			"ratio $(fmt "$(get "pages_$name.ratio")" 1), cpu $(fmt "$(get "pages_$name.cpu_ms")" 1) ms, $(get "pages_$name.bytes") bytes; $(pages_verdict "$name")"
	done
}

# The phase's JSON member (without a trailing comma).
pages_json() {
	local name first=1
	if [ -z "$(get pages.ran)" ]; then
		printf '"pages": null'
		return
	fi
	printf '"pages": {"reports": %s, "groups": %s, "samples": %s, "goal_ms": %s, "generated_s": %s, "db_mib": %s, "calls": {' \
		"$PAGES_REPORTS" "$PAGES_GROUPS" "$PAGES_SAMPLES" "$PAGES_GOAL_MS" "$(num "$(get pages.generated_s)")" "$(num "$(get pages.db_mib)")"
	for name in "${pages_names[@]}"; do
		[ $first = 1 ] || printf ', '
		first=0
		printf '"%s": {"path": %s, "p50_ms": %s, "p99_ms": %s, "ratio_to_healthz": %s, "cpu_ms_per_call": %s, "verdict": "%s"}' "$name" \
			"$(str "${PQ[$name]}")" "$(num "$(get "pages_$name.p50_ms")")" "$(num "$(get "pages_$name.p99_ms")")" \
			"$(num "$(get "pages_$name.ratio")")" "$(num "$(get "pages_$name.cpu_ms")")" "$(pages_verdict "$name")"
	done
	printf '}}'
}
