#!/bin/sh
# readme_blocks.sh - the code blocks of a Markdown file, for the test that keeps the README's examples working.
#
# The rule, which README.md follows: every fenced block says what it is in its info string.
#   ```c        a complete C program: built against libprosum and run
#   ```sh       shell commands: run, in order, in one shell (set -e: every command must succeed)
#   anything else (```text, ```json, ```sh norun, ```c norun ...) is shown, never run.
# A fence without an info string is an error, so every block is a decision.
#
#   readme_blocks.sh c FILE OUTDIR   write each ```c block to OUTDIR/readme_c_N.c (N from 1),
#                                    touching only files whose text changed; print their paths
#   readme_blocks.sh script FILE     print a shell script: each ```sh block after a line
#                                    `readme_at LINE`, and a line `readme_c N LINE` where
#                                    ```c block N stands (the caller defines both functions)
set -eu

mode=$1
file=$2
out=${3:-}

if [ "$mode" = c ]; then
	mkdir -p "$out"
fi

awk -v mode="$mode" -v out="$out" -v file="$file" '
function fail(msg) {
	print file ":" NR ": " msg > "/dev/stderr"
	failed = 1
	exit 1
}
BEGIN { inblock = 0; nc = 0 }
/^```/ {
	if (inblock) {
		if ($0 !~ /^```[ \t]*$/)
			fail("a fence that closes a block has no info string")
		if (lang == "c" && !norun)
			close(target)
		inblock = 0
		next
	}
	info = substr($0, 4)
	sub(/^[ \t]+/, "", info)
	sub(/[ \t]+$/, "", info)
	if (info == "")
		fail("a code block without an info string: say ```c, ```sh, ```text ... (```sh norun to show commands without running them)")
	n = split(info, words, /[ \t]+/)
	lang = words[1]
	norun = 0
	for (i = 2; i <= n; i++)
		if (words[i] == "norun")
			norun = 1
	inblock = 1
	start = NR
	if (lang == "c" && !norun) {
		nc++
		target = out "/readme_c_" nc ".c.new"
		if (mode == "c")
			printf "/* README.md, line %d: the C example, built by tests/e2e/CMakeLists.txt. */\n", start > target
		else
			printf "readme_c %d %d\n", nc, start
	} else if (lang == "sh" && !norun && mode == "script") {
		printf "readme_at %d\n", start
	}
	next
}
inblock && lang == "c" && !norun && mode == "c" { print > target; next }
inblock && lang == "sh" && !norun && mode == "script" { print; next }
END {
	if (failed)
		exit 1
	if (inblock)
		fail("a code block is never closed")
	if (mode == "c")
		for (i = 1; i <= nc; i++)
			print out "/readme_c_" i ".c"
}
' "$file" >"${TMPDIR:-/tmp}/readme_blocks.$$" || {
	rm -f "${TMPDIR:-/tmp}/readme_blocks.$$"
	exit 1
}

if [ "$mode" = c ]; then
	# Only a changed block is rebuilt.
	while read -r path; do
		if cmp -s "$path.new" "$path"; then
			rm -f "$path.new"
		else
			mv "$path.new" "$path"
		fi
	done <"${TMPDIR:-/tmp}/readme_blocks.$$"
fi
cat "${TMPDIR:-/tmp}/readme_blocks.$$"
rm -f "${TMPDIR:-/tmp}/readme_blocks.$$"
