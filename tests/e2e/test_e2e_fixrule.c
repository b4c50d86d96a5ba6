/* test_e2e_fixrule.c - a group's fix is told only to reports whose build is known to lack it;
 * releases, history and links that answer right or not at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

static json_t *parse(const char *body, long status)
{
	json_error_t e;
	json_t *v = json_loads(body, 0, &e);

	if (!v)
		fail_msg("not JSON (%ld): %s", status, body);
	return v;
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

/* Post a crash in main_crash built from `build` (a "revision" or a "version") by `install`. */
static json_t *crash(fixture *f, const char *field, const char *build, const char *install)
{
	char uuid[37], doc[1024];
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"%s\":\"%s\"},"
		 "\"tester\":{\"install_id\":\"%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"main_crash\"}]}",
		 uuid, field, build, install);
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
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

/* Is report `id` in the list `query` answers? */
static int listed(fixture *f, const char *query, const char *id, char *status)
{
	char path[256];
	json_t *v, *it;
	size_t i;
	long st;
	int found = 0;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports%s", query);
	v = call(f, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	json_array_foreach(json_object_get(v, "items"), i, it)
	{
		if (strcmp(e2e_str(it, "id", NULL), id) == 0) {
			found = 1;
			if (status)
				snprintf(status, 32, "%s", e2e_str(it, "status", NULL));
		}
	}
	json_decref(v);
	return found;
}

/*
 * Every answer about report `id` says `status`: GET of the report, the list, the
 * status=fixed filter, the JSONL export, and the tester's own view ("mine" of
 * `install`, whose newest report it is), which names `fixed_in` ("-": none).
 */
static void assert_answers(fixture *f, const char *id, const char *install, const char *status,
			   const char *fixed_in)
{
	char path[128], got[32], hk[200], hi[200], needle[64];
	const char *h[] = {hk, hi, NULL};
	e2e_response r;
	json_t *v, *it;
	long st;
	char *line;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", id);
	v = call(f, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	if (strcmp(e2e_str(v, "status", NULL), status) != 0)
		fail_msg("GET %s: status %s, expected %s", id, e2e_str(v, "status", NULL), status);
	json_decref(v);
	assert_true(listed(f, "?limit=100", id, got));
	if (strcmp(got, status) != 0)
		fail_msg("list: %s is %s, expected %s", id, got, status);
	if (listed(f, "?status=fixed&limit=100", id, NULL) != (strcmp(status, "fixed") == 0))
		fail_msg("status=fixed: %s %s listed", id,
			 strcmp(status, "fixed") ? "is" : "is not");

	assert_int_equal(e2e_get(&f->s, "/api/v1/projects/demo/reports?format=jsonl", &r), 0);
	assert_int_equal(r.status, 200);
	snprintf(needle, sizeof(needle), "\"id\":\"%s\"", id);
	line = strstr(r.body, needle);
	assert_non_null(line);
	while (line > r.body && line[-1] != '\n')
		line--;
	line[strcspn(line, "\n")] = '\0';
	v = parse(line, 200);
	if (strcmp(e2e_str(v, "status", NULL), status) != 0)
		fail_msg("export: %s is %s, expected %s", id, e2e_str(v, "status", NULL), status);
	json_decref(v);
	e2e_response_free(&r);

	snprintf(hk, sizeof(hk), "X-Prosum-Key: %s", f->s.key);
	snprintf(hi, sizeof(hi), "X-Prosum-Install: %s", install);
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects/demo/mine", h, NULL, 0, &r),
			 0);
	assert_int_equal(r.status, 200);
	v = e2e_json(&r);
	e2e_response_free(&r);
	it = json_array_get(json_object_get(v, "reports"), 0);
	assert_string_equal(e2e_str(it, "id", NULL), id);
	if (strcmp(e2e_str(it, "status", NULL), status) != 0)
		fail_msg("mine: %s is %s, expected %s", id, e2e_str(it, "status", NULL), status);
	if (strcmp(fixed_in, "-") == 0)
		assert_true(json_is_null(json_object_get(it, "fixed_in")));
	else
		assert_string_equal(e2e_str(it, "fixed_in", NULL), fixed_in);
	json_decref(v);
}

/*
 * A: the first commit, release 1.0.0. B "Fixes G-1", release 1.1.0. C later,
 * release 2.0.0 (tags v1.0.0, v1.1.0, v2.0.0). G-1 is the crash first seen
 * from A (R-1, tester t1). B's id in b.
 */
static void make_history(fixture *f, char b[41])
{
	json_decref(crash(f, "revision", f->a, "t1"));
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->s, NULL, 0,
	    "sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\nFixes "
	    "G-1' && git tag v1.1.0");
	e2e_git(&f->s, b, 41, "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0,
	    "echo x > more.txt && git add more.txt && git commit -qm More && git tag v2.0.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.0.0\",\"ref\":\"v2.0.0\"}",
	   201);
	assert_string_equal(group_status(f, "G-1"), "fixed");
}

/* A build that holds the fixing commit is never told that commit fixed it. */
static void test_build_with_the_fix_is_not_fixed(void **state)
{
	fixture *f = *state;
	char b[41], body[128];
	json_t *v;

	make_history(f, b);
	/* R-1, built from A before the fix, is checked at the sync: the fix is news. */
	assert_answers(f, "R-1", "t1", "fixed", "1.1.0");
	v = crash(f, "version", "1.1.0", "t2"); /* the release with the fix */
	assert_string_equal(e2e_str(v, "known", "status"), "regressed");
	json_decref(v);
	assert_answers(f, "R-2", "t2", "regressed", "-");

	/* The team marks it fixed again by the same commit: R-2's build has it. */
	snprintf(body, sizeof(body), "{\"status\":\"fixed\",\"fixed_by\":\"%s\"}", b);
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", body, 200);
	assert_string_equal(group_status(f, "G-1"), "fixed");
	assert_answers(f, "R-2", "t2", "new", "-");
	assert_answers(f, "R-1", "t1", "fixed", "1.1.0");
	/* By the command line, naming the commit as HEAD~1: the same answer. */
	assert_int_equal(e2e_sh(NULL, 0,
				"PROSUM_SERVER='%s' PROSUM_TOKEN='%s' PROSUM_CACERT='%s' '%s' "
				"set G-1 --status fixed --fixed-by HEAD~1 >/dev/null",
				f->s.url, f->rel, f->s.cacert, PROSUM_CLI_PATH),
			 0);
	assert_answers(f, "R-2", "t2", "new", "-");
}

/* A build prosum cannot identify is told nothing, whenever it arrived. */
static void test_unknown_build_is_not_fixed(void **state)
{
	fixture *f = *state;
	char b[41], body[128];
	json_t *v;

	make_history(f, b);
	json_decref(crash(f, "version", "1.1.0", "t2")); /* regressed */
	assert_string_equal(group_status(f, "G-1"), "regressed");
	/* no release or tag is 3.0.0; sent while the group is regressed, then fixed
	 * again by B (in 1.1.0): it used to be told "fixed in 1.1.0". */
	v = crash(f, "version", "3.0.0", "t3");
	assert_string_equal(e2e_str(v, "id", NULL), "R-3");
	json_decref(v);
	snprintf(body, sizeof(body), "{\"status\":\"fixed\",\"fixed_by\":\"%s\"}", b);
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", body, 200);
	assert_answers(f, "R-3", "t3", "new", "-");
	/* A newer fix linked by a sync: R-3 still cannot be told. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"in_progress\"}", 200);
	e2e_git(&f->s, NULL, 0,
	    "echo y > more.txt && GIT_AUTHOR_DATE=2030-01-01T00:00:00Z "
	    "GIT_COMMITTER_DATE=2030-01-01T00:00:00Z git commit -qam 'Really stop crashing\n\n"
	    "Fixes G-1' && "
	    "git tag v2.1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.1.0\",\"ref\":\"v2.1.0\"}",
	   201);
	assert_string_equal(group_status(f, "G-1"), "fixed");
	assert_answers(f, "R-3", "t3", "new", "-");
	/* R-2 (1.1.0) lacks the new fix: now it is news for its tester. */
	assert_answers(f, "R-2", "t2", "fixed", "2.1.0");
}

/* A revision the repository does not know yet: nothing until a sync resolves it. */
static void test_unresolved_revision(void **state)
{
	fixture *f = *state;
	char b[41], out[256];
	json_t *v;
	long st;

	json_decref(crash(f, "revision", f->a, "t1")); /* R-1, G-1 */
	v = crash(f, "revision", "beta-build", "t2");  /* no such ref yet */
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	json_decref(v);
	v = crash(f, "revision", "beta-later", "t3"); /* no such ref yet */
	json_decref(v);
	e2e_git(&f->s, NULL, 0,
	    "echo 1 > a.txt && git add a.txt && git commit -qm 'Fixes G-1' && git tag v1.2.0");
	e2e_git(&f->s, b, sizeof(b), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.2.0\",\"ref\":\"v1.2.0\"}",
	   201);
	assert_string_equal(group_status(f, "G-1"), "fixed");
	assert_answers(f, "R-1", "t1", "fixed", "1.2.0");
	assert_answers(f, "R-2", "t2", "new", "-");
	assert_answers(f, "R-3", "t3", "new", "-");

	/* R-2's build turns out to be A, without the fix: the next sync tells its tester. */
	snprintf(out, sizeof(out), "git branch beta-build %s", f->a);
	e2e_git(&f->s, NULL, 0, out);
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_answers(f, "R-2", "t2", "fixed", "1.2.0");
	assert_answers(f, "R-3", "t3", "new", "-");
	assert_string_equal(group_status(f, "G-1"), "fixed");
	/* R-3's build holds the fix: the fix did not hold. */
	e2e_git(&f->s, NULL, 0, "git branch beta-later v1.2.0");
	v = call(f, "POST", "/api/v1/projects/demo/sync", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "regressed")), 1);
	json_decref(v);
	assert_string_equal(group_status(f, "G-1"), "regressed");
	assert_answers(f, "R-3", "t3", "regressed", "-");
}

/* A report is fixed by a release only when its status says so; the notes and credits agree. */
static void test_release_lists_only_fixed(void **state)
{
	fixture *f = *state;
	char b[41], body[160], *p;
	e2e_response r;
	json_t *v;
	long st;

	make_history(f, b);
	json_decref(crash(f, "revision", f->a, "t2")); /* */
	snprintf(body, sizeof(body), "{\"status\":\"triaged\",\"fixed_by\":\"%s\"}", b);
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", body, 200);
	snprintf(body, sizeof(body), "{\"status\":\"in_progress\"}");
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", body, 200);

	v = call(f, "GET", "/api/v1/projects/demo/releases/1.1.0", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "fixed_reports")), 0);
	assert_int_equal(json_array_size(json_object_get(v, "fixed_groups")), 0);
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/releases", NULL, &st);
	assert_int_equal(st, 200);
	{
		json_t *it;
		size_t i;

		json_array_foreach(json_object_get(v, "items"), i, it)
		{
			assert_int_equal(json_integer_value(json_object_get(it, "fixed_reports")),
					 0);
			assert_int_equal(json_integer_value(json_object_get(it, "fixed_groups")),
					 0);
		}
	}
	json_decref(v);
	{
		char auth[200], *notes;
		const char *h[] = {auth, NULL};

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->rel);
		assert_int_equal(e2e_request(&f->s, "GET",
					     "/api/v1/projects/demo/releases/1.1.0/notes", h, NULL,
					     0, &r),
				 0);
		assert_int_equal(r.status, 200);
		notes = r.body;
		assert_null(strstr(notes, "R-2"));
		assert_null(strstr(notes, "G-1"));
		e2e_response_free(&r);
	}
	/* Once fixed, it is listed. */
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", "{\"status\":\"fixed\"}", 200);
	v = call(f, "GET", "/api/v1/projects/demo/releases/1.1.0", NULL, &st);
	p = json_dumps(json_object_get(v, "fixed_reports"), JSON_COMPACT);
	assert_non_null(strstr(p, "\"R-2\""));
	free(p);
	json_decref(v);
}

/* The entries of `history` whose field is `field`, as "old -> new" lines. */
static void history_lines(fixture *f, const char *item, const char *field, char *out, size_t outsz)
{
	char path[128];
	json_t *v, *e;
	size_t i, n = 0;
	long st;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/%s/%s",
		 item[0] == 'R'   ? "reports"
		 : item[0] == 'G' ? "groups"
				  : "suggestions",
		 item);
	v = call(f, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	out[0] = '\0';
	json_array_foreach(json_object_get(v, "history"), i, e)
	{
		const char *o = json_string_value(json_object_get(e, "old"));
		const char *nw = json_string_value(json_object_get(e, "new"));

		if (strcmp(e2e_str(e, "field", NULL), field) != 0)
			continue;
		n += (size_t)snprintf(out + n, outsz - n, "%s -> %s\n", o ? o : "-", nw ? nw : "-");
		assert_true(n < outsz);
	}
	json_decref(v);
}

/* fixed_in and shipped_in change only with a history entry, whoever changes them. */
static void test_fixed_in_and_shipped_in_history(void **state)
{
	fixture *f = *state;
	char b[41], body[128], got[512];

	make_history(f, b);
	json_decref(crash(f, "revision", f->a, "t2")); /* */
	snprintf(body, sizeof(body), "{\"fixed_by\":\"%s\"}", b);
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", body, 200);
	history_lines(f, "R-2", "fixed_in", got, sizeof(got));
	assert_string_equal(got, "- -> 1.1.0\n");
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", "{\"fixed_by\":\"v2.0.0\"}", 200);
	history_lines(f, "R-2", "fixed_in", got, sizeof(got));
	assert_string_equal(got, "- -> 1.1.0\n1.1.0 -> 2.0.0\n");
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-2", "{\"fixed_by\":null}", 200);
	history_lines(f, "R-2", "fixed_in", got, sizeof(got));
	assert_string_equal(got, "- -> 1.1.0\n1.1.0 -> 2.0.0\n2.0.0 -> -\n");
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"fixed_by\":\"v2.0.0\"}", 200);
	history_lines(f, "G-1", "fixed_in", got, sizeof(got));
	assert_string_equal(got, "- -> 1.1.0\n1.1.0 -> 2.0.0\n");

	/* A suggestion shipped by a commit: its status and where it shipped. */
	{
		long st;
		json_t *v = e2e_suggest(&f->s, "Dark mode", NULL, "t9", NULL, &st);

		assert_int_equal(st, 201);
		json_decref(v);
	}
	e2e_git(&f->s, NULL, 0,
	    "echo d > dark.txt && git add dark.txt && git commit -qm 'Dark mode\n\nImplements "
	    "S-1' && git tag v2.9.0 && echo e > e.txt && git add e.txt && git commit -qm E && "
	    "git tag v3.0.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"3.0.0\",\"ref\":\"v3.0.0\"}",
	   201);
	history_lines(f, "S-1", "status", got, sizeof(got));
	assert_string_equal(got, "new -> shipped\n");
	history_lines(f, "S-1", "shipped_in", got, sizeof(got));
	assert_string_equal(got, "- -> 3.0.0\n");
	/* An earlier release registered later holds the commit: shipped_in moves, and says so. */
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.9.0\",\"ref\":\"v2.9.0\"}",
	   201);
	history_lines(f, "S-1", "shipped_in", got, sizeof(got));
	assert_string_equal(got, "- -> 3.0.0\n3.0.0 -> 2.9.0\n");
	history_lines(f, "S-1", "status", got, sizeof(got));
	assert_string_equal(got, "new -> shipped\n");
	/* A hand-set other release would never show: refused, naming the field; nothing recorded. */
	{
		long st;
		json_t *v = call(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1",
				 "{\"shipped_in\":\"3.0.0\"}", &st);

		assert_int_equal(st, 409);
		assert_string_equal(e2e_str(v, "error", "field"), "shipped_in");
		assert_non_null(strstr(e2e_str(v, "error", "message"), "S-1 shipped in 2.9.0 by commit "));
		json_decref(v);
		ok(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"shipped_in\":\"2.9.0\"}",
		   200);
	}
	history_lines(f, "S-1", "shipped_in", got, sizeof(got));
	assert_string_equal(got, "- -> 3.0.0\n3.0.0 -> 2.9.0\n");
}

/* A commit naming an item that does not exist is never applied to one made later. */
static void test_link_to_missing_item(void **state)
{
	fixture *f = *state;
	char fix[41];

	e2e_git(&f->s, NULL, 0, "echo 1 > a.txt && git add a.txt && git commit -qm 'Fixes G-1, R-1'");
	e2e_git(&f->s, fix, sizeof(fix), "git rev-parse HEAD");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	json_decref(crash(f, "revision", f->a, "t1")); /* R-1, G-1 come now */
	assert_string_equal(group_status(f, "G-1"), "new");
	assert_answers(f, "R-1", "t1", "new", "-");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_string_equal(group_status(f, "G-1"), "new");
	{
		char n[32];

		assert_int_equal(
		    e2e_sql_text(&f->s, "SELECT count(*) FROM links_missing WHERE ref_num = 1", n,
				 sizeof(n)),
		    0);
		assert_string_equal(n, "2");
	}
	/* A commit read once the item exists applies. */
	e2e_git(&f->s, NULL, 0, "echo 2 > a.txt && git commit -qam 'Fixes G-1 for real'");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_string_equal(group_status(f, "G-1"), "fixed");
}

/* The item's fixed_by, status and the history of both, in one line each. */
static void item_state(fixture *f, const char *item, char *out, size_t outsz)
{
	char path[128], fb[512], stt[512];
	json_t *v, *fix;
	long st;

	snprintf(path, sizeof(path), "/api/v1/projects/demo/%s/%s",
		 item[0] == 'R' ? "reports" : "groups", item);
	v = call(f, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	fix = json_object_get(v, "fixed_by");
	history_lines(f, item, "fixed_by", fb, sizeof(fb));
	history_lines(f, item, "status", stt, sizeof(stt));
	snprintf(out, outsz, "%s fixed_by=%s\n%s%s", e2e_str(v, "status", NULL),
		 json_is_null(fix) ? "-" : "set", fb, stt);
	json_decref(v);
}

/*
 * A developer's clearing of fixed_by and reopening sticks: neither a report into the
 * group nor a sync that reads no new commit applies the stored link again. Only a new
 * commit fixes the group again.
 */
static void test_cleared_fix_sticks(void **state)
{
	fixture *f = *state;
	char b[41], before[2048], after[2048];
	json_t *v;
	long st;

	make_history(f, b); /* G-1 fixed by B, in 1.1.0 */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1",
	   "{\"status\":\"triaged\",\"fixed_by\":null}", 200);
	item_state(f, "G-1", before, sizeof(before));
	assert_non_null(strstr(before, "triaged fixed_by=-\n"));

	v = crash(f, "version", "1.0.0", "t2"); /* into G-1 */
	assert_true(json_is_null(json_object_get(v, "known")));
	json_decref(v);
	item_state(f, "G-1", after, sizeof(after));
	assert_string_equal(after, before);

	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200); /* nothing new */
	item_state(f, "G-1", after, sizeof(after));
	assert_string_equal(after, before);

	v = call(f, "GET", "/api/v1/projects/demo/releases/1.1.0", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "fixed_groups")), 0);
	json_decref(v);

	/* A new commit read by a later sync fixes it again. */
	e2e_git(&f->s, NULL, 0, "echo 3 > c.txt && git add c.txt && git commit -qm 'Fixes G-1'");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_string_equal(group_status(f, "G-1"), "fixed");
}

/* The same for a report: its cleared fix is not restored by an empty sync. */
static void test_cleared_report_fix_sticks(void **state)
{
	fixture *f = *state;
	char before[2048], after[2048];

	json_decref(crash(f, "revision", f->a, "t1")); /* */
	e2e_git(&f->s, NULL, 0,
		"echo 1 > a.txt && git add a.txt && git commit -qm 'Fixes R-1' && git tag v9.0.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	item_state(f, "R-1", before, sizeof(before));
	assert_non_null(strstr(before, "fixed fixed_by=set\n"));
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1",
	   "{\"status\":\"triaged\",\"fixed_by\":null}", 200);
	item_state(f, "R-1", before, sizeof(before));
	assert_non_null(strstr(before, "triaged fixed_by=-\n"));
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	item_state(f, "R-1", after, sizeof(after));
	assert_string_equal(after, before);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"9.0.0\",\"ref\":\"v9.0.0\"}",
	   201);
	item_state(f, "R-1", after, sizeof(after));
	assert_string_equal(after, before);
}

/* Lists and exports name a version-only build's input as GET of the report does. */
static void test_list_input_of_version(void **state)
{
	fixture *f = *state;
	e2e_response r;
	json_t *v;
	long st;

	v = crash(f, "version", "1.0.0", "t1"); /* */
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	json_decref(v);
	v = call(f, "GET", "/api/v1/projects/demo/reports", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(
	    e2e_str(json_array_get(json_object_get(v, "items"), 0), "revision", "input"), "1.0.0");
	json_decref(v);
	assert_int_equal(e2e_get(&f->s, "/api/v1/projects/demo/reports?format=jsonl", &r), 0);
	assert_int_equal(r.status, 200);
	v = parse(r.body, r.status);
	assert_string_equal(e2e_str(v, "revision", "input"), "1.0.0");
	json_decref(v);
	e2e_response_free(&r);
}

/*
 * A data directory from before the fix checks (schema 0010 adds them unset): the server
 * checks such reports itself once it starts, with no sync, and R-1 is told its fix again.
 */
static void test_start_checks_unchecked_reports(void **state)
{
	fixture *f = *state;
	char b[41], path[64];
	long long deadline;
	struct timespec pause = {0, 100 * 1000 * 1000};
	json_t *v;
	long st;
	int fixed = 0;

	make_history(f, b);
	assert_answers(f, "R-1", "t1", "fixed", "1.1.0");
	assert_int_equal(e2e_stop(&f->s), 0);
	{
		/* What a data directory from before the fix checks holds. */
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(f->s.db, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      "UPDATE reports SET fix_checked = NULL, has_fix = NULL",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE fix_checked "
					    "IS NULL AND has_fix IS NULL"),
			 1);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	/* The checks run on the writer after "listening on": poll. 60 s is far more than
	 * they need, so that a loaded machine cannot fail the test. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/R-1");
	deadline = e2e_now_ms() + 60000;
	while (!fixed && e2e_now_ms() < deadline) {
		v = call(f, "GET", path, NULL, &st);
		assert_int_equal(st, 200);
		fixed = strcmp(e2e_str(v, "status", NULL), "fixed") == 0;
		json_decref(v);
		if (!fixed)
			nanosleep(&pause, NULL);
	}
	assert_true(fixed);
	assert_answers(f, "R-1", "t1", "fixed", "1.1.0");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT has_fix FROM reports WHERE num = 1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_build_with_the_fix_is_not_fixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_build_is_not_fixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unresolved_revision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_lists_only_fixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fixed_in_and_shipped_in_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_to_missing_item, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cleared_fix_sticks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cleared_report_fix_sticks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_input_of_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_checks_unchecked_reports, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
