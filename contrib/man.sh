#!/bin/sh
# man.sh - a man page from a command's --help: NAME, then SYNOPSIS with the usage as it is.
# Usage: man.sh PROGRAM NAME "SUMMARY" VERSION OUT
set -eu
prog=$1 name=$2 summary=$3 version=$4 out=$5
{
	printf '.TH %s 1 "" "prosum %s" "prosum"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
	printf '.SH NAME\n%s \\- %s\n' "$name" "$summary"
	printf '.SH SYNOPSIS\n.nf\n'
	# troff: a leading dot or quote would be a request; backslashes are escapes.
	"$prog" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
	printf '.fi\n.SH SEE ALSO\n/usr/share/doc/prosum/operations.md, /usr/share/doc/prosum/cli.md\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
