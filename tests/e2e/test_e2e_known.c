/* test_e2e_known.c - builds known by version, fix history from commits, release notes, fixed_by
 * revisions. */
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

typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 0);
}

static int start(fixture *f)
{
	return e2e_start(&f->s, NULL);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

/* A request with the release token; the answer's JSON, its status in *status. */
static json_t *call(fixture *f, const char *method, const char *path, const char *body,
		    long *status)
{
	return e2e_call(&f->s, f->rel, method, path, body, status);
}

static void ok(fixture *f, const char *method, const char *path, const char *body, long want)
{
	e2e_expect(&f->s, f->rel, method, path, body, want);
}

/*
 * Post a crash in function fn to `project` with the ingest key `key`, built
 * from `build` (a "revision" or a "version", by `field`), by tester `install`.
 */
static json_t *crash_in(fixture *f, const char *project, const char *key, const char *fn,
			const char *field, const char *build, const char *install)
{
	char uuid[37], doc[1024], path[128], hkey[200];
	const char *h[] = {hkey, "Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"%s\":\"%s\"},"
		 "\"tester\":{\"install_id\":\"%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\"}]}",
		 uuid, field, build, install, fn);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	snprintf(hkey, sizeof(hkey), "X-Prosum-Key: %s", key);
	assert_int_equal(e2e_request(&f->s, "POST", path, h, doc, strlen(doc), &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
}

static json_t *crash(fixture *f, const char *fn, const char *field, const char *build)
{
	return crash_in(f, "demo", f->s.key, fn, field, build, "tester-1");
}

static void assert_null_at(json_t *v, const char *k1, const char *k2)
{
	json_t *x = json_object_get(v, k1);

	if (k2)
		x = json_object_get(x, k2);
	if (!json_is_null(x))
		fail_msg("%s.%s: expected null, got %s", k1, k2 ? k2 : "",
			 x ? json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY) : "(absent)");
}

static const char *group_status(fixture *f, const char *g)
{
	static char status[32];
	char path[128];
	long st;
	json_t *v;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", g);
	v = call(f, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	snprintf(status, sizeof(status), "%s", e2e_str(v, "status", NULL));
	json_decref(v);
	return status;
}

/*
 * A: the first commit, release 1.0.0 (tag v1.0.0); B "Fixes G-1", release
 * 1.1.0 (tag v1.1.0); C later, release 2.0.0 (tag v2.0.0). G-1 is the crash
 * in main_crash, first seen from A.
 */
static void make_history(fixture *f, char b[41], char c[41])
{
	json_t *v;

	v = crash(f, "main_crash", "revision", f->a);
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->s, NULL, 0,
	    "sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\nFixes "
	    "G-1' "
	    "&& git tag v1.1.0");
	e2e_git(&f->s, b, 41, "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0,
	    "echo x > more.txt && git add more.txt && git commit -qm More && "
	    "git tag v2.0.0");
	e2e_git(&f->s, c, 41, "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
}

/* What "mine" says of the newest report of tester `install`: its status and fixed_in
 * ("-" when null). */
static void mine(fixture *f, const char *install, char *status, char *fixed_in)
{
	char hk[200], hi[200];
	const char *h[] = {hk, hi, NULL};
	e2e_response r;
	json_t *v, *it;

	snprintf(hk, sizeof(hk), "X-Prosum-Key: %s", f->s.key);
	snprintf(hi, sizeof(hi), "X-Prosum-Install: %s", install);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/mine", h, NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 200);
	v = e2e_json(&r);
	e2e_response_free(&r);
	it = json_array_get(json_object_get(v, "reports"), 0);
	snprintf(status, 32, "%s", e2e_str(it, "status", NULL));
	snprintf(fixed_in, 32, "%s",
		 json_is_null(json_object_get(it, "fixed_in")) ? "-" : e2e_str(it, "fixed_in", NULL));
	json_decref(v);
}

/* The version rule: a build known only by its version is the release named like it. */
static void test_known_from_version(void **state)
{
	fixture *f = *state;
	char b[41], c[41];
	json_t *v;
	long st;
	char status[32], fixed_in[32];

	assert_int_equal(start(f), 0);
	make_history(f, b, c);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.0.0\",\"ref\":\"v2.0.0\"}",
	   201);
	assert_string_equal(group_status(f, "G-1"), "fixed");

	/* Built as 1.0.0, before the fix: the tester learns 1.1.0 fixes it. */
	v = crash_in(f, "demo", f->s.key, "main_crash", "version", "1.0.0", "old-build");
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	assert_string_equal(e2e_str(v, "known", "group"), "G-1");
	assert_string_equal(e2e_str(v, "known", "status"), "fixed");
	assert_string_equal(e2e_str(v, "known", "fixed_in"), "1.1.0");
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	assert_string_equal(e2e_str(v, "revision", "commit"), f->a);
	assert_string_equal(e2e_str(v, "revision", "release"), "1.0.0");
	json_decref(v);
	assert_string_equal(group_status(f, "G-1"), "fixed");
	/* The report itself carries the build it was resolved to. */
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-2", NULL, &st);
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	assert_string_equal(e2e_str(v, "revision", "commit"), f->a);
	json_decref(v);
	/* And "mine" says the same to that tester. */
	mine(f, "old-build", status, fixed_in);
	assert_string_equal(status, "fixed");
	assert_string_equal(fixed_in, "1.1.0");

	/* A version nobody knows: nothing is claimed, nothing changes. */
	v = crash_in(f, "demo", f->s.key, "main_crash", "version", "9.9", "unknown-build");
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	assert_null_at(v, "known", NULL);
	assert_string_equal(e2e_str(v, "revision", "input"), "9.9");
	assert_null_at(v, "revision", "commit");
	assert_null_at(v, "revision", "release");
	json_decref(v);
	assert_string_equal(group_status(f, "G-1"), "fixed");
	mine(f, "unknown-build", status, fixed_in); /* nor does "mine" claim the fix */
	assert_string_equal(status, "new");
	assert_string_equal(fixed_in, "-");

	/* Built as 2.0.0, which holds the fix: the group has regressed, no fix is claimed. */
	v = crash_in(f, "demo", f->s.key, "main_crash", "version", "2.0.0", "new-build");
	assert_string_equal(e2e_str(v, "revision", "commit"), c);
	assert_string_equal(e2e_str(v, "revision", "release"), "2.0.0");
	assert_string_equal(e2e_str(v, "known", "status"), "regressed");
	assert_null_at(v, "known", "fixed_in");
	json_decref(v);
	assert_string_equal(group_status(f, "G-1"), "regressed");
	mine(f, "new-build", status, fixed_in);
	assert_string_equal(status, "regressed");
	assert_string_equal(fixed_in, "-");
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	{
		json_t *h2 = json_object_get(v, "history");
		json_t *last = json_array_get(h2, json_array_size(h2) - 1);

		assert_string_equal(e2e_str(last, "field", NULL), "status");
		assert_string_equal(e2e_str(last, "new", NULL), "regressed");
		assert_string_equal(e2e_str(last, "actor", NULL), "report R-4");
	}
	json_decref(v);

	/* Fixed again by hand; then 1.1.0 itself, the release with the fix, regresses it. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"fixed\"}", 200);
	v = crash(f, "main_crash", "version", "1.1.0");
	assert_string_equal(e2e_str(v, "revision", "commit"), b);
	assert_string_equal(e2e_str(v, "known", "status"), "regressed");
	json_decref(v);
	assert_string_equal(group_status(f, "G-1"), "regressed");

	/*
	 * A release named 9.9 registered later does not claim R-3: a build that said
	 * "9.9" before any release had that name was a build on the way to it, not
	 * the release. The version is read once, when the report comes.
	 */
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"9.9\",\"ref\":\"v2.0.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-3", NULL, &st);
	assert_string_equal(e2e_str(v, "revision", "input"), "9.9");
	assert_null_at(v, "revision", "commit");
	json_decref(v);
}

/* A project that tags its builds "v{version}": the tag names the build when no release does. */
static void test_known_from_version_tag(void **state)
{
	fixture *f = *state;
	char key[128], out[512], b[41], c[41];
	json_t *v;
	long st;

	/* The pattern must use the version. */
	assert_true(e2e_sh(out, sizeof(out),
			   "'%s' project add bad --repo '%s' --version-tag v1 "
			   "--data '%s' 2>&1",
			   PROSUMD_PATH, f->s.repo, f->s.data) != 0);
	assert_non_null(strstr(out, "--version-tag"));
	{
		char args[600];

		snprintf(args, sizeof(args),
			 "project add tagged --version-tag 'v{version}' --repo '%s'", f->s.repo);
		assert_int_equal(e2e_prosumd_secret(&f->s, args, key, sizeof(key)), 0);
	}
	assert_int_equal(start(f), 0);
	v = crash_in(f, "tagged", key, "main_crash", "revision", f->a, "t1");
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	json_decref(v);
	make_history(f, b, c); /* on demo; the tags serve both projects */
	ok(f, "POST", "/api/v1/projects/tagged/sync", NULL, 200);
	/* No release is named like a version: "1.1" holds the fix. */
	ok(f, "POST", "/api/v1/projects/tagged/releases", "{\"name\":\"1.1\",\"ref\":\"v1.1.0\"}",
	   201);

	v = crash_in(f, "tagged", key, "main_crash", "version", "1.0.0", "t2");
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	assert_string_equal(e2e_str(v, "revision", "commit"), f->a);
	assert_string_equal(e2e_str(v, "known", "status"), "fixed");
	assert_string_equal(e2e_str(v, "known", "fixed_in"), "1.1");
	json_decref(v);
	/* demo has no pattern and no such release: it knows nothing of 1.0.0. */
	v = crash(f, "main_crash", "version", "1.0.0");
	assert_null_at(v, "known", NULL);
	assert_null_at(v, "revision", "commit");
	json_decref(v);
	/* No tag v7: unknown, nothing claimed; a tag made later does not change that. */
	v = crash_in(f, "tagged", key, "main_crash", "version", "7", "t3");
	assert_null_at(v, "known", NULL);
	assert_string_equal(e2e_str(v, "id", NULL), "R-3");
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "git tag v7 v1.1.0");
	v = call(f, "POST", "/api/v1/projects/tagged/sync", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "resolved")), 0);
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/tagged/reports/R-3", NULL, &st);
	assert_string_equal(e2e_str(v, "revision", "input"), "7");
	assert_null_at(v, "revision", "commit");
	json_decref(v);
	/* The next report built as 7 is a build of the tag. */
	v = crash_in(f, "tagged", key, "main_crash", "version", "7", "t5");
	assert_string_equal(e2e_str(v, "revision", "commit"), b);
	assert_string_equal(e2e_str(v, "revision", "release"), "1.1");
	assert_string_equal(e2e_str(v, "known", "status"), "regressed");
	json_decref(v);
	ok(f, "PATCH", "/api/v1/projects/tagged/groups/G-1", "{\"status\":\"fixed\"}", 200);
	v = crash_in(f, "tagged", key, "main_crash", "version", "2.0.0", "t4");
	assert_string_equal(e2e_str(v, "revision", "commit"), c);
	assert_string_equal(e2e_str(v, "known", "status"), "regressed");
	json_decref(v);
}

/* The entries of `history` whose field is `field`, as "actor: old -> new" lines. */
static void history_lines(json_t *item, const char *field, char *out, size_t outsz)
{
	json_t *h = json_object_get(item, "history"), *e;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(h, i, e)
	{
		const char *o = json_string_value(json_object_get(e, "old"));
		const char *nw = json_string_value(json_object_get(e, "new"));

		if (strcmp(e2e_str(e, "field", NULL), field) != 0)
			continue;
		n += (size_t)snprintf(out + n, outsz - n, "%s: %s -> %s\n", e2e_str(e, "actor", NULL),
				      o ? o : "-", nw ? nw : "-");
		assert_true(n < outsz);
	}
}

/* A sync that links "Fixes R-n" / "Fixes G-n" records every change it makes. */
static void test_sync_fix_history(void **state)
{
	fixture *f = *state;
	char fix[41], fix2[41], want[256], got[1024];
	json_t *v;
	long st;

	assert_int_equal(start(f), 0);
	json_decref(crash(f, "one", "revision", f->a));   /* R-1, G-1 */
	json_decref(crash(f, "two", "revision", f->a));   /* R-2, G-2 */
	json_decref(crash(f, "three", "revision", f->a)); /* R-3, G-3 */
	e2e_git(&f->s, NULL, 0,
	    "echo 1 > a.txt && git add a.txt && git commit -qm 'Two fixes\n\nFixes R-1\nFixes G-2' "
	    "&& git tag v1.0");
	e2e_git(&f->s, fix, sizeof(fix), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", 201);
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);

	v = call(f, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(e2e_str(v, "status", NULL), "fixed");
	history_lines(v, "status", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: new -> fixed\n", fix);
	assert_string_equal(got, want);
	history_lines(v, "fixed_by", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: - -> %s\n", fix, fix);
	assert_string_equal(got, want);
	history_lines(v, "fixed_in", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: - -> 1.0\n", fix);
	assert_string_equal(got, want);
	json_decref(v);
	/* G-1 holds the fixed report; G-2 is named itself. */
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	history_lines(v, "status", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: new -> fixed\n", fix);
	assert_string_equal(got, want);
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-2", NULL, &st);
	assert_string_equal(e2e_str(v, "status", NULL), "fixed");
	history_lines(v, "status", got, sizeof(got));
	assert_string_equal(got, want);
	history_lines(v, "fixed_by", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: - -> %s\n", fix, fix);
	assert_string_equal(got, want);
	json_decref(v);

	/* A fix no release holds yet; the release registered later says when it shipped. */
	e2e_git(&f->s, NULL, 0, "echo 3 > a.txt && git commit -qam 'Closes R-3'");
	e2e_git(&f->s, fix2, sizeof(fix2), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-3", NULL, &st);
	history_lines(v, "fixed_in", got, sizeof(got));
	assert_string_equal(got, "");
	history_lines(v, "status", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: new -> fixed\n", fix2);
	assert_string_equal(got, want);
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "git tag v2.0");
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.0\",\"ref\":\"v2.0\"}", 201);
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-3", NULL, &st);
	assert_string_equal(e2e_str(v, "fixed_in", NULL), "2.0");
	history_lines(v, "fixed_in", got, sizeof(got));
	assert_string_equal(got, "release 2.0: - -> 2.0\n");
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-3", NULL, &st);
	history_lines(v, "fixed_in", got, sizeof(got));
	assert_string_equal(got, "release 2.0: - -> 2.0\n");
	json_decref(v);
}

/* A fix linked by a sync after a report came from a build that already held it: regressed. */
static void test_sync_finds_a_regression(void **state)
{
	fixture *f = *state;
	char fix[41], later[41], want[256], got[1024];
	json_t *v;
	long st;

	assert_int_equal(start(f), 0);
	json_decref(crash(f, "one", "revision", f->a)); /* R-1, G-1 */
	e2e_git(&f->s, NULL, 0, "echo 1 > a.txt && git add a.txt && git commit -qm 'Fixes G-1'");
	e2e_git(&f->s, fix, sizeof(fix), "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0, "echo 2 > a.txt && git commit -qam 'Later'");
	e2e_git(&f->s, later, sizeof(later), "git rev-parse HEAD");
	/* From a build with the fix, before any sync: nothing to compare with yet. */
	v = crash_in(f, "demo", f->s.key, "one", "revision", later, "tester-2");
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	assert_null_at(v, "known", NULL);
	json_decref(v);

	v = call(f, "POST", "/api/v1/projects/demo/sync", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "regressed")), 1);
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(e2e_str(v, "status", NULL), "regressed");
	assert_string_equal(e2e_str(v, "fixed_by", NULL), fix);
	history_lines(v, "status", got, sizeof(got));
	snprintf(want, sizeof(want), "commit %.7s: new -> fixed\nreport R-2: fixed -> regressed\n",
		 fix);
	assert_string_equal(got, want);
	json_decref(v);
	/* Nothing new: the next sync changes nothing. */
	v = call(f, "POST", "/api/v1/projects/demo/sync", NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "regressed")), 0);
	json_decref(v);
}

/* The notes as text/markdown. */
static char *notes(fixture *f, const char *name)
{
	char auth[200], path[128];
	const char *h[] = {auth, NULL};
	e2e_response r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->rel);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/releases/%s/notes", name);
	assert_int_equal(e2e_request(&f->s, "GET", path, h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "text/markdown"));
	return r.body; /* the caller frees */
}

static void assert_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return;
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void post_bug(fixture *f, const char *title_json)
{
	char uuid[37], doc[1024];
	e2e_response r;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":%s,\"build\":{\"revision\":\"%s\"},"
		 "\"tester\":{\"install_id\":\"t-%s\"}}",
		 uuid, title_json, f->a, uuid);
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	assert_int_equal(r.status, 201);
	e2e_response_free(&r);
}

/* Notes read as written, and the first release lists what links to items, not all history. */
static void test_release_notes_markdown(void **state)
{
	fixture *f = *state;
	char fix[41], later[41], line[512];
	char *md;

	assert_int_equal(start(f), 0);
	post_bug(f, "\"beta_app_crash in the R-999 handler\"");
	post_bug(f, "\"Crash with *stars*, `ticks`, [brackets], &amp; and _names_\"");
	e2e_git(&f->s, NULL, 0, "echo 1 > a.txt && git add a.txt && git commit -qm 'Tidy up (no-op)'");
	e2e_git(&f->s, NULL, 0,
	    "echo 2 > a.txt && git commit -qam 'Stop beta_app_crash, see R-999\n\nFixes R-1, R-2'");
	e2e_git(&f->s, fix, sizeof(fix), "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0, "echo 3 > a.txt && git commit -qam 'Docs for #testers' && git tag v1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", 201);

	md = notes(f, "1.0");
	assert_line(md, "# Release 1.0");
	e2e_git(&f->s, later, sizeof(later), "git rev-parse v1.0");
	snprintf(line, sizeof(line), "Built from `v1.0` at `%.10s`.", later);
	assert_line(md, line);
	snprintf(line, sizeof(line),
		 "- **G-1** beta_app_crash in the R-999 handler (1 report from 1 tester; fixed "
		 "by `%.10s`)",
		 fix);
	assert_line(md, line);
	snprintf(line, sizeof(line),
		 "- **G-2** Crash with \\*stars\\*, \\`ticks\\`, \\[brackets\\], \\&amp; and "
		 "\\_names\\_ (1 report from 1 tester; fixed by `%.10s`)",
		 fix);
	assert_line(md, line);
	/* The first release: the linked commit, and a count of the three others. */
	snprintf(line, sizeof(line), "- `%.10s` Stop beta_app_crash, see R-999 (Ada Tester)", fix);
	assert_line(md, line);
	assert_line(md, "- and 3 other commits");
	assert_null(strstr(md, "Initial commit"));
	assert_null(strstr(md, "Tidy up"));
	free(md);

	/* A later release lists every commit since the one before. */
	e2e_git(&f->s, NULL, 0, "echo 4 > a.txt && git commit -qam 'Second round' && git tag v1.1");
	e2e_git(&f->s, later, sizeof(later), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1\",\"ref\":\"v1.1\"}", 201);
	md = notes(f, "1.1");
	snprintf(line, sizeof(line), "- `%.10s` Second round (Ada Tester)", later);
	assert_line(md, line);
	assert_null(strstr(md, "other commit"));
	assert_null(strstr(md, "Docs for"));
	free(md);
}

/* fixed_by takes any revision of the repository and keeps the full commit id. */
static void test_fixed_by_any_revision(void **state)
{
	fixture *f = *state;
	char b[41], c[41], body[128], out[1024];
	json_t *v;
	long st;

	assert_int_equal(start(f), 0);
	json_decref(crash(f, "one", "revision", f->a)); /* R-1, G-1 */
	e2e_git(&f->s, NULL, 0, "echo 1 > a.txt && git add a.txt && git commit -qm B && git tag v1.0");
	e2e_git(&f->s, b, sizeof(b), "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0, "echo 2 > a.txt && git commit -qam C");
	e2e_git(&f->s, c, sizeof(c), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", 201);

	v = call(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"fixed_by\":\"HEAD~1\"}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), b);
	assert_string_equal(e2e_str(v, "fixed_in", NULL), "1.0");
	json_decref(v);
	v = call(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"fixed_by\":\"v1.0\"}", &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), b);
	json_decref(v);
	snprintf(body, sizeof(body), "{\"fixed_by\":\"%.7s\"}", c);
	v = call(f, "PATCH", "/api/v1/projects/demo/reports/R-1", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), c);
	assert_null_at(v, "fixed_in", NULL);
	json_decref(v);
	snprintf(body, sizeof(body), "{\"fixed_by\":\"%s\"}", f->a);
	v = call(f, "PATCH", "/api/v1/projects/demo/reports/R-1", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), f->a);
	assert_string_equal(e2e_str(v, "fixed_in", NULL), "1.0");
	json_decref(v);

	/* Unresolvable: 422 naming the field, and nothing changes. */
	v = call(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"fixed_by\":\"HEAD~10\"}",
		 &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "fixed_by");
	assert_string_equal(e2e_str(v, "error", "message"),
			    "no commit 'HEAD~10' in the project's repository (a hash, tag, branch "
			    "or HEAD~N)");
	json_decref(v);
	v = call(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"fixed_by\":\"HEAD@{1}\"}",
		 &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "fixed_by");
	assert_non_null(strstr(e2e_str(v, "error", "message"), "'HEAD@{1}' is not a revision"));
	json_decref(v);
	v = call(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"fixed_by\":\"no-such-tag\"}",
		 &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "fixed_by");
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), f->a);
	json_decref(v);

	/* The command line passes the revision through. */
	assert_int_equal(
	    e2e_sh(out, sizeof(out),
		   "PROSUM_SERVER='%s' PROSUM_TOKEN='%s' PROSUM_CACERT='%s' '%s' set G-1 "
		   "--fixed-by HEAD~2",
		   f->s.url, f->rel, f->s.cacert, PROSUM_CLI_PATH),
	    0);
	v = call(f, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(e2e_str(v, "fixed_by", NULL), f->a);
	json_decref(v);
	assert_int_equal(
	    e2e_sh(out, sizeof(out),
		   "PROSUM_SERVER='%s' PROSUM_TOKEN='%s' PROSUM_CACERT='%s' '%s' set G-1 "
		   "--fixed-by HEAD~9 2>&1",
		   f->s.url, f->rel, f->s.cacert, PROSUM_CLI_PATH),
	    1);
	assert_non_null(strstr(out, "no commit 'HEAD~9'"));
	assert_non_null(strstr(out, "(field fixed_by)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_known_from_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_known_from_version_tag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_fix_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_finds_a_regression, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_notes_markdown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fixed_by_any_revision, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
