/* test_e2e_sentry_sdks.c - the Go (sentry-go) and Ruby (sentry-ruby) Sentry SDKs of Debian sending to prosumd: events become linked reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

/*
 * Each test writes a small program into the test repository, commits it, and runs it with the
 * project's sentry_dsn, a release "app@1.0.0+HASH" naming that commit, and the server's CA
 * file. The program raises through three functions, captures the error and a message (with an
 * extra large enough for the SDK to gzip it, where it compresses), sends the error's event a
 * second time, and prints the two event ids. A machine without the language or its SDK
 * (scripts/bootstrap installs both) skips the test, saying so.
 */
typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

static const char go_main[] =
	"// main.go - a Go program that reports through sentry-go to prosum.\n"
	"package main\n"
	"\n"
	"import (\n"
	"\t\"crypto/x509\"\n"
	"\t\"fmt\"\n"
	"\t\"os\"\n"
	"\t\"strings\"\n"
	"\t\"time\"\n"
	"\n"
	"\t\"github.com/getsentry/sentry-go\"\n"
	"\t\"github.com/pkg/errors\"\n"
	")\n"
	"\n"
	"func paletteInner(name string) error {\n"
	"\treturn errors.New(\"bad palette in \" + name)\n"
	"}\n"
	"\n"
	"func paletteMiddle(name string) error {\n"
	"\treturn paletteInner(name)\n"
	"}\n"
	"\n"
	"func paletteOuter(name string) error {\n"
	"\treturn paletteMiddle(name)\n"
	"}\n"
	"\n"
	"func main() {\n"
	"\tdsn, release, caFile := os.Args[1], os.Args[2], os.Args[3]\n"
	"\tpem, err := os.ReadFile(caFile)\n"
	"\tpool := x509.NewCertPool()\n"
	"\tif err != nil || !pool.AppendCertsFromPEM(pem) {\n"
	"\t\tfmt.Fprintln(os.Stderr, \"cannot read the CA:\", err)\n"
	"\t\tos.Exit(2)\n"
	"\t}\n"
	"\tvar sent []*sentry.Event\n"
	"\terr = sentry.Init(sentry.ClientOptions{\n"
	"\t\tDsn:         dsn,\n"
	"\t\tRelease:     release,\n"
	"\t\tEnvironment: \"beta\",\n"
	"\t\tCaCerts:     pool,\n"
	"\t\tDebug:       true,\n"
	"\t\tBeforeSend: func(e *sentry.Event, h *sentry.EventHint) *sentry.Event {\n"
	"\t\t\tsent = append(sent, e)\n"
	"\t\t\treturn e\n"
	"\t\t},\n"
	"\t})\n"
	"\tif err != nil {\n"
	"\t\tfmt.Fprintln(os.Stderr, err)\n"
	"\t\tos.Exit(2)\n"
	"\t}\n"
	"\teid := sentry.CaptureException(paletteOuter(\"holiday.png\"))\n"
	"\tsentry.WithScope(func(scope *sentry.Scope) {\n"
	"\t\tscope.SetLevel(sentry.LevelWarning)\n"
	"\t\tscope.SetExtra(\"listing\", strings.Repeat(\"palette entry: rgb rgb rgb\\n\", 400))\n"
	"\t\tsentry.CaptureMessage(\"disk nearly full\")\n"
	"\t})\n"
	"\tif !sentry.Flush(120 * time.Second) {\n"
	"\t\tos.Exit(3)\n"
	"\t}\n"
	"\tsentry.CaptureEvent(sent[0])\n"
	"\tif !sentry.Flush(120 * time.Second) {\n"
	"\t\tos.Exit(3)\n"
	"\t}\n"
	"\tfmt.Println(*eid)\n"
	"\tfmt.Println(sent[1].EventID)\n"
	"}\n";

static const char ruby_app[] =
	"# app.rb - a Ruby program that reports through sentry-ruby to prosum.\n"
	"require \"sentry-ruby\"\n"
	"\n"
	"def palette_inner(name)\n"
	"  raise ArgumentError, \"bad palette in #{name}\"\n"
	"end\n"
	"\n"
	"def palette_middle(name)\n"
	"  palette_inner(name)\n"
	"end\n"
	"\n"
	"def palette_outer(name)\n"
	"  palette_middle(name)\n"
	"end\n"
	"\n"
	"# What went out, watched from outside the SDK: each request's Content-Encoding.\n"
	"$encodings = []\n"
	"module Watch\n"
	"  def request(req, body = nil, &block)\n"
	"    $encodings << (req[\"Content-Encoding\"].to_s.empty? ? \"none\" : req[\"Content-Encoding\"])\n"
	"    super\n"
	"  end\n"
	"end\n"
	"Net::HTTP.prepend(Watch)\n"
	"\n"
	"dsn, release, ca = ARGV\n"
	"Sentry.init do |config|\n"
	"  config.dsn = dsn\n"
	"  config.release = release\n"
	"  config.environment = \"beta\"\n"
	"  config.transport.ssl_ca_file = ca\n"
	"  # 2 s and 1 s by default: short for a sanitizer build on a loaded machine\n"
	"  config.transport.timeout = 120\n"
	"  config.transport.open_timeout = 120\n"
	"  config.background_worker_threads = 0 # send before each capture returns\n"
	"  config.logger = Logger.new($stderr)\n"
	"end\n"
	"begin\n"
	"  palette_outer(\"holiday.png\")\n"
	"rescue ArgumentError => e\n"
	"  event = Sentry.capture_exception(e)\n"
	"end\n"
	"listing = (0...600).map { |i| \"palette entry #{i}: \" + \"rgb \" * 15 }\n"
	"message = Sentry.capture_message(\"disk nearly full\", level: :warning,\n"
	"                                 extra: { listing: listing })\n"
	"Sentry.get_current_client.transport.send_event(event)\n"
	"puts event.event_id\n"
	"puts message.event_id\n"
	"puts $encodings.join(\" \")\n";

/* Write `text` to the repository at `path` (its directory made) and commit it; the release
 * naming the new commit into rel, the commit into commit. */
static void commit_app(fixture *f, const char *path, const char *text, char *rel, size_t relsz,
		       char commit[41])
{
	char full[512], cmd[640];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	e2e_git(&f->s, NULL, 0, cmd);
	snprintf(full, sizeof(full), "%s/%s", f->s.repo, path);
	fp = fopen(full, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "git add '%s' && git commit -q -m 'The app'", path);
	e2e_git(&f->s, NULL, 0, cmd);
	assert_int_equal(e2e_git_head(&f->s, commit), 0);
	snprintf(rel, relsz, "app@1.0.0+%.12s", commit);
}

/* The report of an event id (32 hex), from the API. The caller owns it. */
static json_t *report_of(fixture *f, const char *eid)
{
	char q[256], path[128];
	long st;
	json_t *rep;

	snprintf(q, sizeof(q), "SELECT count(*) FROM reports WHERE replace(uuid, '-', '') = '%s'",
		 eid);
	/* One report per event, though the error's event came twice. */
	assert_int_equal(e2e_sql_int(&f->s, q), 1);
	snprintf(q, sizeof(q), "SELECT num FROM reports WHERE replace(uuid, '-', '') = '%s'", eid);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-%lld", e2e_sql_int(&f->s, q));
	rep = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	return rep;
}

static json_t *frame(json_t *report, size_t i)
{
	return json_array_get(json_object_get(report, "frames"), i);
}

/* The project's sentry_dsn, as GET /api/v1/projects/demo answers it, into out. */
static void sentry_dsn(fixture *f, char *out, size_t outsz)
{
	long st;
	json_t *proj = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo", NULL, &st);

	assert_int_equal(st, 200);
	assert_true(strlen(e2e_str(proj, "sentry_dsn", NULL)) < outsz);
	snprintf(out, outsz, "%s", e2e_str(proj, "sentry_dsn", NULL));
	json_decref(proj);
}

/* Split the program's output "EID\nMID\n" (then what else it prints) into the two ids; fail
 * unless it is that. */
static void two_ids(const char *out, char eid[33], char mid[33])
{
	if (strlen(out) < 66 || out[32] != '\n' || out[65] != '\n')
		fail_msg("the program printed %s", out);
	memcpy(eid, out, 32);
	eid[32] = '\0';
	memcpy(mid, out + 33, 32);
	mid[32] = '\0';
}

/*
 * Wait until the group's suspects name `commit` (blame runs as a job after the answer). The
 * bound is generous for a sanitizer build on a loaded machine: it only bounds a failure.
 */
static void wait_suspect(fixture *f, const char *group, const char *commit)
{
	char path[128];
	long long end = e2e_now_ms() + 120000;
	long st;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", group);
	for (;;) {
		json_t *g = e2e_call(&f->s, f->s.token, "GET", path, NULL, &st);
		json_t *first = json_array_get(json_object_get(g, "suspects"), 0);
		int found = st == 200 && strcmp(e2e_str(first, "id", NULL), commit) == 0;

		json_decref(g);
		if (found)
			return;
		if (e2e_now_ms() > end)
			fail_msg("no suspect commit %s on %s", commit, group);
		e2e_sh(NULL, 0, "sleep 0.25");
	}
}

/* The checks every SDK's two events share: the error's report, the message's. */
static void check_reports(fixture *f, const char *eid, const char *mid, const char *commit,
			  const char *title, const char *const fns[3])
{
	json_t *rep;
	size_t i;

	rep = report_of(f, eid);
	assert_string_equal(e2e_str(rep, "kind", NULL), "crash");
	assert_string_equal(e2e_str(rep, "title", NULL), title);
	for (i = 0; i < 3; i++)
		assert_string_equal(e2e_str(frame(rep, i), "function", NULL), fns[i]);
	assert_string_equal(e2e_str(rep, "build", "version"), "1.0.0");
	assert_string_equal(e2e_str(rep, "build", "channel"), "beta");
	assert_string_equal(e2e_str(rep, "revision", "commit"), commit);
	/* The frames name the program's file in the repository: blamed at that commit. */
	wait_suspect(f, e2e_str(rep, "group", NULL), commit);
	json_decref(rep);

	rep = report_of(f, mid);
	assert_string_equal(e2e_str(rep, "kind", NULL), "bug");
	assert_string_equal(e2e_str(rep, "title", NULL), "disk nearly full");
	assert_string_equal(e2e_str(rep, "severity", NULL), "warning");
	assert_string_equal(e2e_str(rep, "revision", "commit"), commit);
	assert_non_null(json_object_get(json_object_get(rep, "extra"), "listing"));
	json_decref(rep);
}

/* Print the program's log (its stderr) when it failed, for the one reading the test's output. */
static void show_log(const char *log)
{
	char out[8192];

	if (e2e_sh(out, sizeof(out), "tail -c 6000 '%s'", log) == 0)
		fprintf(stderr, "%s\n", out);
}

static void test_go_sdk(void **state)
{
	fixture *f = *state;
	static const char *const fns[3] = {"paletteInner", "paletteMiddle", "paletteOuter"};
	char out[256], rel[128], commit[41], eid[33], mid[33], log[400], gocache[512], dsn[256];
	json_t *rep;
	int rc;

	if (e2e_sh(NULL, 0, "command -v go >/dev/null && "
			    "test -d /usr/share/gocode/src/github.com/getsentry/sentry-go") != 0) {
		fprintf(stderr, "skipped: go or Debian's golang-github-getsentry-sentry-go-dev is "
				"missing (scripts/bootstrap installs both)\n");
		skip();
	}
	sentry_dsn(f, dsn, sizeof(dsn));
	commit_app(f, "cmd/app/main.go", go_main, rel, sizeof(rel), commit);
	snprintf(log, sizeof(log), "%s/go.log", f->s.dir);
	snprintf(gocache, sizeof(gocache), "%s", PROSUM_GOCACHE);
	/* Debian's Go libraries live in the GOPATH /usr/share/gocode: built offline, without
	 * modules; the build cache stays in the build directory between runs. */
	rc = e2e_sh(NULL, 0,
		    "cd '%s/cmd/app' && env GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= "
		    "GOCACHE='%s' GOPROXY=off GOTOOLCHAIN=local go build -o '%s/goapp' . >'%s' 2>&1",
		    f->s.repo, gocache, f->s.dir, log);
	if (rc != 0)
		show_log(log);
	assert_int_equal(rc, 0);
	rc = e2e_sh(out, sizeof(out), "'%s/goapp' '%s' '%s' '%s' 2>>'%s'", f->s.dir, dsn, rel,
		    f->s.cacert, log);
	if (rc != 0)
		show_log(log);
	assert_int_equal(rc, 0);
	two_ids(out, eid, mid);
	check_reports(f, eid, mid, commit, "*errors.fundamental: bad palette in holiday.png", fns);

	rep = report_of(f, eid);
	assert_string_equal(e2e_str(frame(rep, 0), "module", NULL), "main");
	assert_int_equal(json_integer_value(json_object_get(frame(rep, 0), "line")), 16);
	assert_int_equal(json_integer_value(json_object_get(frame(rep, 1), "line")), 20);
	json_decref(rep);
}

static void test_ruby_sdk(void **state)
{
	fixture *f = *state;
	static const char *const fns[3] = {"palette_inner", "palette_middle", "palette_outer"};
	char out[256], rel[128], commit[41], eid[33], mid[33], log[400], dsn[256];
	json_t *rep;
	int rc;

	if (e2e_sh(NULL, 0, "command -v ruby >/dev/null && ruby -e 'require \"sentry-ruby\"' "
			    ">/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipped: ruby or Debian's ruby-sentry-ruby is missing "
				"(scripts/bootstrap installs both)\n");
		skip();
	}
	sentry_dsn(f, dsn, sizeof(dsn));
	commit_app(f, "lib/app.rb", ruby_app, rel, sizeof(rel), commit);
	snprintf(log, sizeof(log), "%s/ruby.log", f->s.dir);
	rc = e2e_sh(out, sizeof(out), "cd '%s' && ruby lib/app.rb '%s' '%s' '%s' 2>'%s'",
		    f->s.repo, dsn, rel, f->s.cacert, log);
	if (rc != 0)
		show_log(log);
	assert_int_equal(rc, 0);
	two_ids(out, eid, mid);
	check_reports(f, eid, mid, commit, "ArgumentError: bad palette in holiday.png", fns);
	/* The exception plain (with an empty Content-Encoding header), the large message gzipped,
	 * the exception again plain. */
	assert_string_equal(out + 66, "none gzip none\n");

	rep = report_of(f, eid);
	assert_string_equal(e2e_str(frame(rep, 0), "file", NULL), "lib/app.rb");
	assert_int_equal(json_integer_value(json_object_get(frame(rep, 0), "line")), 5);
	assert_int_equal(json_integer_value(json_object_get(frame(rep, 1), "line")), 9);
	json_decref(rep);
}

/* A release named by `git describe` resolves like a libprosum build's revision. */
static void test_describe_release(void **state)
{
	fixture *f = *state;
	char dsn[256], key[64], path[256], ev[512], commit[41], describe[128];
	const char *at;
	json_t *rep;
	e2e_response r;

	sentry_dsn(f, dsn, sizeof(dsn));
	at = strchr(dsn + 8, '@');
	assert_non_null(at);
	snprintf(key, sizeof(key), "%.*s", (int)(at - (dsn + 8)), dsn + 8);
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0 && git commit -q --allow-empty -m 'After 1.0.0'");
	e2e_git(&f->s, describe, sizeof(describe), "git describe --tags --abbrev=9");
	assert_int_equal(e2e_git_head(&f->s, commit), 0);
	snprintf(ev, sizeof(ev),
		 "{\"event_id\":\"5e1a2b3c4d5e6f708192a3b4c5d6e7f8\",\"message\":\"described\","
		 "\"release\":\"app@%s\",\"environment\":\"nightly\"}",
		 describe);
	snprintf(path, sizeof(path), "/api%s/store/?sentry_key=%s", strrchr(dsn, '/'), key);
	assert_int_equal(e2e_request(&f->s, "POST", path, NULL, ev, strlen(ev), &r), 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	rep = report_of(f, "5e1a2b3c4d5e6f708192a3b4c5d6e7f8");
	assert_string_equal(e2e_str(rep, "build", "version"), describe);
	assert_string_equal(e2e_str(rep, "revision", "commit"), commit);
	assert_string_equal(e2e_str(rep, "build", "channel"), "nightly");
	json_decref(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_go_sdk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ruby_sdk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe_release, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
