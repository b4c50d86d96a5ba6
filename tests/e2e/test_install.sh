#!/usr/bin/env bash
# test_install.sh - the installed tree works: `cmake --install` into a temporary prefix (mode
# install) or the .deb CPack builds, unpacked with dpkg -x (mode deb). Either way its prosumd
# runs init and serve, a beta program compiled with `pkg-config --cflags --libs prosum`
# against the tree sends a report through it, the example config passes check-config, and the
# unit passes `systemd-analyze verify` when that is installed.
# Usage: test_install.sh install|deb BUILD_DIR CC "SANITIZER_FLAGS"
set -euo pipefail
mode=$1 build=$2 cc=$3 sanflags=$4

skip() { echo "SKIPPED: $*"; exit 77; }
for tool in pkg-config "$cc" sqlite3; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done
if [ "$mode" = deb ]; then
	for tool in cpack dpkg dpkg-deb; do
		command -v "$tool" >/dev/null || skip "$tool is not installed (Debian: dpkg-dev, cmake)"
	done
fi

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$mode" = install ]; then
	cmake --install "$build" --prefix "$tmp/root/usr/local" >/dev/null
	prefix=$tmp/root/usr/local
	etc=$prefix/etc/prosum
else
	# The build directory is reused: cpack installs what is built into its staging tree.
	rm -f "$build"/prosum_*.deb
	(cd "$build" && cpack -G DEB >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
	deb=$(ls "$build"/prosum_*.deb)
	[ "$(dpkg-deb -f "$deb" Package)" = prosum ]
	depends=$(dpkg-deb -f "$deb" Depends)
	echo "Depends: $depends"
	for lib in libsqlite3 libgit2 libjansson libcurl libmbedtls libdw passwd; do
		case "$depends" in *"$lib"*) ;; *) echo "Depends lacks $lib"; exit 1 ;; esac
	done
	[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/prosum/prosumd.conf ]
	# The description as one paragraph (a CMake list would leave a line starting with ';').
	if dpkg-deb -f "$deb" Description | grep -q '^ *;'; then
		echo "Description has a stray ';':"; dpkg-deb -f "$deb" Description; exit 1
	fi
	dpkg-deb -I "$deb" postinst >"$tmp/postinst"
	grep -q 'useradd --system' "$tmp/postinst"
	# The config file (it may hold the metrics token) is made readable by prosum alone.
	grep -q 'chmod 0640 /etc/prosum/prosumd.conf' "$tmp/postinst"
	dpkg -x "$deb" "$tmp/root"
	prefix=$tmp/root/usr
	etc=$tmp/root/etc/prosum
fi

# What a Debian admin expects, where they expect it.
for f in bin/prosumd bin/prosum include/prosum.h lib/systemd/system/prosumd.service \
	share/doc/prosum/operations.md share/doc/prosum/examples/prosumd.conf \
	share/man/man1/prosumd.1 share/man/man1/prosum.1; do
	[ -e "$prefix/$f" ] || { echo "missing: $f"; exit 1; }
done
[ -e "$etc/prosumd.conf" ] || { echo "missing: $etc/prosumd.conf"; exit 1; }
so=$(find "$prefix" -name 'libprosum.so.0' | head -n1)
[ -n "$so" ] || { echo "missing: libprosum.so.0"; exit 1; }
libdir=$(dirname "$so")
[ -e "$libdir/libprosum.so" ] && [ -e "$libdir/libprosum.a" ] && [ -e "$libdir/pkgconfig/prosum.pc" ]
# Only prosum.h's functions are exported.
if nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | grep -v '^prosum_'; then
	echo "libprosum.so exports more than prosum_*"
	exit 1
fi

P=$prefix/bin/prosumd
data=$tmp/data
"$P" init --data "$data" >"$tmp/init.txt" 2>/dev/null
"$P" project add demo --data "$data" >"$tmp/project.txt"
key=$(sed -n 's/^key: //p' "$tmp/project.txt")
# The example config is valid as installed (its data directory moved to the test's).
"$P" check-config --config "$etc/prosumd.conf" --data "$data" >/dev/null

"$P" serve --data "$data" --listen 127.0.0.1:0 --threads 1 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
# Generous: a loaded machine with sanitizers may take long to start.
for _ in $(seq 600); do
	grep -q '^listening on' "$tmp/serve.out" && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.err"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/^listening on https:\/\/127.0.0.1://p' "$tmp/serve.out")
[ -n "$port" ]

cat >"$tmp/beta.c" <<'CEOF'
/* beta.c - a beta build linked against the installed libprosum. */
#include <prosum.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_client *c = NULL;
	prosum_report *r = NULL;
	int rc;

	if (argc != 4)
		return 2;
	o.ca_file = argv[2];
	o.spool_dir = argv[3];
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_ENV;
	o.app_version = "1.0.0-beta.1";
	if (prosum_client_new(&c, argv[1], &o) != 0 || prosum_report_new(&r, PROSUM_KIND_BUG) != 0 ||
	    prosum_report_set_title(r, "sent from an installed libprosum") != 0) {
		fprintf(stderr, "beta: %s\n", prosum_error_last());
		return 1;
	}
	rc = prosum_send(&res, c, r);
	printf("%d %s\n", res.status, res.id ? res.id : "-");
	prosum_result_dispose(&res);
	prosum_report_free(r);
	prosum_close(c);
	return rc == 0 ? 0 : 1;
}
CEOF
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2086,SC2046
"$cc" $sanflags -o "$tmp/beta" "$tmp/beta.c" $(pkg-config --cflags --libs prosum)
out=$(LD_LIBRARY_PATH=$libdir "$tmp/beta" "https://$key@127.0.0.1:$port/demo" "$data/tls/ca.pem" "$tmp/spool")
echo "beta: $out"
case "$out" in "201 R-"*) ;; *) echo "the report was not stored"; exit 1 ;; esac
# It linked the shared library, not some other copy.
LD_LIBRARY_PATH=$libdir ldd "$tmp/beta" >"$tmp/ldd.txt"
grep -q "libprosum.so.0 => $libdir/" "$tmp/ldd.txt"
[ "$(sqlite3 "file:$data/prosum.db?mode=ro" "SELECT count(*) FROM reports WHERE title = 'sent from an installed libprosum'")" = 1 ]

kill -TERM "$pid"
wait "$pid"
pid=

# The unit runs this install's prosumd with this install's config file, and may write its log
# directory.
unit=$prefix/lib/systemd/system/prosumd.service
if [ "$mode" = install ]; then
	want="ExecStart=$prefix/bin/prosumd serve --config $etc/prosumd.conf"
else
	want="ExecStart=/usr/bin/prosumd serve --config /etc/prosum/prosumd.conf"
fi
grep -qxF "$want" "$unit" || { echo "the unit lacks '$want':"; grep ExecStart "$unit"; exit 1; }
grep -qx 'LogsDirectory=prosum' "$unit"
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart's binary to exist: the .deb's /usr/bin is the unpacked tree's.
	mkdir -p "$tmp/unit"
	sed "s|/usr/bin/prosumd|$P|" "$unit" >"$tmp/unit/prosumd.service"
	systemd-analyze verify "$tmp/unit/prosumd.service"
else
	echo "systemd-analyze is not installed: the unit is not verified"
fi
echo "ok: $mode"
