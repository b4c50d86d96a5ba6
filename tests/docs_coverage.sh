#!/usr/bin/env bash
# docs_coverage.sh - every prosum command has a section in docs/cli.md, every release-health route a row in docs/http-api.md.
set -euo pipefail
root=$1
rc=0
for c in $(grep -oE '^\s*\{"[a-z-]+", C_' "$root/client/cli/cli.c" | grep -oE '"[a-z-]+"' | tr -d '"'); do
	if ! grep -qE "^### prosum .*\b$c\b" "$root/docs/cli.md"; then
		echo "docs/cli.md: no section for prosum $c" >&2
		rc=1
	fi
done
for r in '/health?' '/health/gates' '/sessions' '/ratings' '/cohorts'; do
	if ! grep -qF "/api/v1/projects/{p}$r" "$root/docs/http-api.md"; then
		echo "docs/http-api.md: no row for /api/v1/projects/{p}$r" >&2
		rc=1
	fi
done
exit $rc
