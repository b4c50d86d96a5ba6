#!/usr/bin/env bash
# test_readme.sh - README.md's examples, run in order against a real prosumd, so they cannot rot.
#
#   test_readme.sh SOURCE_DIR BUILD_DIR E2E_BIN_DIR PROSUMD PROSUM
#
# Every ```c block was built by tests/e2e/CMakeLists.txt into E2E_BIN_DIR/readme_c_N; every
# ```sh block is run (see readme_blocks.sh for the rule). The blocks run in one shell, in the
# README's order, in a scratch directory where `prosum-data` is the server's data directory,
# `build` the build directory, `include` and `docs` the repository's include/ and docs/, and
# each ```c block that starts `/* NAME.c - ` is the file NAME.c (so a block can build it with
# `cc` as the README says; for a sanitizer build, `cc` adds the sanitizer flags the library
# was built with), with the README's
# placeholders replaced: 127.0.0.1:8443 by the server's address, KEY by the demo project's
# ingest key, TOKEN, RELEASE_TOKEN and pst_... by the admin token. A command that fails
# fails the test, naming the README line of its block; a C example must exit 0 and its
# report must have arrived. The server runs on port 0 with a temporary data directory and a
# repository made here, shaped like the README's story (a tagged commit that fixes G-2).
set -euo pipefail

src=$1 build=$2 bindir=$3 prosumd=$4 prosum=$5
readme=$src/README.md
blocks=$src/tests/e2e/readme_blocks.sh
tmp=$(mktemp -d)
pid=

cleanup() {
	if [ -n "${run_pid:-}" ]; then
		kill -TERM "$run_pid" 2>/dev/null || true
		wait "$run_pid" 2>/dev/null || true
	fi
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "test_readme: $*" >&2
	exit 1
}

# ---- what the README promises about itself and its neighbours ----

# The repository stands on its own: no pointer to a contract kept elsewhere.
if grep -n 'SPEC' "$readme" "$src"/docs/*.md; then
	fail "README.md or docs/ points to a SPEC file that is not in the repository"
fi
# Every relative link of the README names a file or folder of the repository.
grep -o '](\([^)#]*\)' "$readme" | sed 's/^](//' | grep -v '^https\?:' | sort -u | while read -r link; do
	[ -e "$src/$link" ] || fail "README.md links to $link, which does not exist"
done
# The helpers it names answer --help with exit 0, and refuse what they do not know.
"$src/scripts/run" --help | grep -q '^usage: scripts/run' || fail "scripts/run --help"
rc=0
"$src/scripts/run" --no-such-option >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "scripts/run with an unknown argument exits $rc, not 2"
"$build/client/beta-app" --help | grep -q '^usage: beta-app' || fail "beta-app --help"

# ---- a server like the one scripts/run sets up ----

repo=$tmp/repo
git init -q "$repo"
echo 'int main(void) { return 0; }' >"$repo/main.c"
git -C "$repo" add main.c
git -C "$repo" -c user.name=Ada -c user.email=ada@example.org commit -q -m "First version"
echo '/* the palette may be empty */' >>"$repo/main.c"
git -C "$repo" -c user.name=Ada -c user.email=ada@example.org commit -q -am \
	"Read an empty PNG palette without crashing

Fixes G-2"
git -C "$repo" tag v1.4.0

data=$tmp/prosum-data
token=$("$prosumd" init --data "$data" 2>/dev/null | sed -n 's/^token: //p')
key=$("$prosumd" project add demo --repo "$repo" --data "$data" | sed -n 's/^key: //p')
[ -n "$token" ] && [ -n "$key" ] || fail "prosumd init / project add printed no token or key"

"$prosumd" serve --data "$data" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
# Wait for "listening on": 120 s at most, generous for a sanitizer build on a loaded machine.
for _ in $(seq 1200); do
	grep -q '^listening on ' "$tmp/serve.out" && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.err" >&2; fail "prosumd serve exited"; }
	sleep 0.1
done
addr=$(sed -n 's|^listening on https://\(127\.0\.0\.1:[0-9]*\)$|\1|p' "$tmp/serve.out")
[ -n "$addr" ] || fail "prosumd did not say where it listens"

# ---- scripts/run, as a user runs it ----

# Its own tree: this prosumd as build/server/prosumd, its build steps replaced by no-ops (the test's
# build is already made), a git repository for the demo project.
runroot=$tmp/runroot
mkdir -p "$runroot/scripts" "$runroot/build/server" "$tmp/bin"
cp "$src/scripts/run" "$runroot/scripts/run"
printf '#!/bin/sh\nexit 0\n' >"$runroot/scripts/bootstrap"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/cmake"
chmod +x "$runroot/scripts/bootstrap" "$tmp/bin/cmake"
ln -s "$prosumd" "$runroot/build/server/prosumd"
git -C "$runroot" init -q
git -C "$runroot" -c user.name=Ada -c user.email=ada@example.org commit -q --allow-empty -m x
run_pid=
stop_run() {
	kill -TERM "$run_pid" 2>/dev/null || true
	wait "$run_pid" 2>/dev/null || true
	run_pid=
}
# scripts/run in the background on a port of its own; waits for its banner's last line (120 s
# at most, for a sanitizer build on a loaded machine).
start_run() {
	PATH="$tmp/bin:$PATH" PROSUM_DATA="$tmp/run-data" PROSUM_LISTEN=127.0.0.1:0 \
		"$runroot/scripts/run" >"$tmp/run.out" 2>"$tmp/run.err" &
	run_pid=$!
	for _ in $(seq 1200); do
		grep -q '^Ctrl-C stops the server' "$tmp/run.out" && return 0
		kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.err" >&2; fail "scripts/run exited"; }
		sleep 0.1
	done
	stop_run
	fail "scripts/run printed no banner"
}
start_run
run_pin=$(sed -n 's/^  pin: *//p' "$tmp/run.out")
case $run_pin in sha256//?*) ;; *) stop_run; fail "scripts/run's banner has no pin" ;; esac
grep -q "export PROSUM_PIN=$run_pin" "$tmp/run.out" || { stop_run; fail "no PROSUM_PIN"; }
grep -q "run-data/admin-token for this demo" "$tmp/run.out" || fail "the token file is not named"
# The banner names the port the server got, and what it prints works.
run_addr=$(sed -n 's|^prosum is listening on https://\(127\.0\.0\.1:[0-9]*\) .*|\1|p' "$tmp/run.out")
[ -n "$run_addr" ] && [ "${run_addr##*:}" != 0 ] || { stop_run; fail "scripts/run's address"; }
"$prosum" reports --server "https://$run_addr" --pin "$run_pin" \
	--token "$(cat "$tmp/run-data/admin-token")" >/dev/null || { stop_run; fail "its banner's pin"; }
# The banner's Sentry DSN is the demo project's: an SDK's event sent to it is taken.
run_sentry=$(sed -n 's|^  Sentry DSN: *https://\([0-9a-f]*\)@\([^/]*\)/\([0-9]*\)$|\1 \2 \3|p' "$tmp/run.out")
read -r s_key s_addr s_id <<<"$run_sentry" || true
[ -n "$s_key" ] && [ "$s_addr" = "$run_addr" ] && [ "$s_id" = 1 ] ||
	{ stop_run; fail "scripts/run's banner has no Sentry DSN: $run_sentry"; }
curl -sS --fail-with-body --cacert "$tmp/run-data/tls/ca.pem" -d '{"message":"from a Sentry SDK"}' \
	"https://$s_addr/api/$s_id/store/?sentry_key=$s_key" >/dev/null ||
	{ stop_run; fail "the banner's Sentry DSN does not take an event"; }
stop_run
# SIGTERM stops it gracefully: prosumd has exited.
grep -q 'stopping' "$tmp/run.err" || fail "scripts/run did not stop prosumd gracefully"
# A port that is taken: prosumd's error, a non-zero exit, and no banner (the data exists now).
rc=0
PATH="$tmp/bin:$PATH" PROSUM_DATA="$tmp/run-data" PROSUM_LISTEN="$addr" \
	"$runroot/scripts/run" >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
[ "$rc" != 0 ] || fail "scripts/run on a taken port exits 0"
grep -q 'cannot listen' "$tmp/run.err" || fail "scripts/run does not show prosumd's error"
! grep -q 'DSN:' "$tmp/run.out" || fail "scripts/run printed its banner for a server that failed"
# Started again on the data it made: the same pin.
start_run
[ "$(sed -n 's/^  pin: *//p' "$tmp/run.out")" = "$run_pin" ] || { stop_run; fail "pin changed"; }
stop_run
# A data directory made by `prosumd init` alone (no demo project, no DSN on file): scripts/run
# adds the project and names its DSN, and a failure never leaves prosumd running.
"$prosumd" init --data "$tmp/init-data" >/dev/null 2>&1
PATH="$tmp/bin:$PATH" PROSUM_DATA="$tmp/init-data" PROSUM_LISTEN=127.0.0.1:0 \
	"$runroot/scripts/run" >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
for _ in $(seq 1200); do
	grep -q '^Ctrl-C stops the server' "$tmp/run.out" && break
	kill -0 "$run_pid" 2>/dev/null || { cat "$tmp/run.err" >&2; fail "scripts/run on init's data exited"; }
	sleep 0.1
done
grep -q '^  DSN: *https://[0-9a-f]*@127\.0\.0\.1:[0-9]*/demo$' "$tmp/run.out" ||
	{ stop_run; fail "scripts/run on init's data names no DSN: $(cat "$tmp/run.out" "$tmp/run.err")"; }
stop_run

# ---- the README's blocks, as one script ----

work=$tmp/work
mkdir -p "$work" "$tmp/home"
ln -s "$data" "$work/prosum-data"
ln -s "$build" "$work/build"
ln -s "$src/docs" "$work/docs"
ln -s "$src/include" "$work/include"
sh "$blocks" c "$readme" "$tmp/c" | while read -r path; do
	name=$(sed -n '2s|^/\* \([A-Za-z0-9_-]*\.c\) - .*|\1|p' "$path")
	[ -z "$name" ] || tail -n +2 "$path" >"$work/$name"
done
sanitize=
if grep -q '^PROSUM_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null; then
	sanitize="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi

{
	cat <<PRELUDE
# The functions the extracted script calls (readme_blocks.sh script).
readme_at() { echo "== README.md:\$1"; }
cc() { command cc $sanitize "\$@"; }
readme_reports() {
	'$prosum' reports --json --limit 500 --server 'https://$addr' --token '$token' \\
		--project demo --cacert '$data/tls/cert.pem' | grep -o '"id":"R-[0-9]*"' | wc -l
}
readme_c() {
	local before after
	echo "== README.md:\$2 (C example \$1)"
	before=\$(readme_reports)
	PROSUM_DSN='https://$key@$addr/demo' PROSUM_CACERT='$data/tls/cert.pem' \\
		'$bindir/readme_c_'\$1 || { echo "README.md:\$2: the C example failed" >&2; exit 1; }
	after=\$(readme_reports)
	[ "\$after" -gt "\$before" ] ||
		{ echo "README.md:\$2: the C example's report did not arrive" >&2; exit 1; }
}
PRELUDE
	sh "$blocks" script "$readme" | sed -e "s/127\.0\.0\.1:8443/$addr/g" \
		-e "s/\bKEY\b/$key/g" -e "s/pst_\.\.\./$token/g" \
		-e "s/\bRELEASE_TOKEN\b/$token/g" -e "s/\bTOKEN\b/$token/g"
} >"$tmp/readme.sh"

grep -q '^readme_c ' "$tmp/readme.sh" || fail "README.md has no \`\`\`c block to run"
grep -q '^readme_at ' "$tmp/readme.sh" || fail "README.md has no \`\`\`sh block to run"

cd "$work"
rc=0
env -u PROSUM_DSN -u PROSUM_SERVER -u PROSUM_TOKEN -u PROSUM_CACERT -u PROSUM_PIN \
	-u PROSUM_PROJECT -u XDG_STATE_HOME HOME="$tmp/home" PROSUM_SPOOL="$tmp/spool" \
	bash -e -o pipefail "$tmp/readme.sh" || rc=$?
if [ "$rc" != 0 ]; then
	echo "--- prosumd's stderr" >&2
	cat "$tmp/serve.err" >&2
	fail "a README block failed (exit $rc): see the last '== README.md:LINE' above"
fi
echo "test_readme: every runnable block of README.md ran"
