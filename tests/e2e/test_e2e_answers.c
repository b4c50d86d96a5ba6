/* test_e2e_answers.c - answers that must be right or absent: release filter, list suspects, late blame, mine, re-fixes, merge conflicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char rel[128]; /* release token */
	char dev[128]; /* developer token */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "release", "rita", f->rel, sizeof(f->rel)) < 0 ||
	    e2e_token_add(&f->s, "developer", "dev", f->dev, sizeof(f->dev)) < 0 ||
	    e2e_start(&f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* A request with a token, or as a tester (tok NULL: the ingest key and install header). */
static json_t *call_as(fixture *f, const char *tok, const char *install, const char *method,
		       const char *path, const char *body, long *status)
{
	char auth[200], inst[200];
	const char *h[] = {auth, "Content-Type: application/json", NULL, NULL};
	e2e_response r;
	json_t *v;
	json_error_t e;

	if (tok)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	else
		snprintf(auth, sizeof(auth), "X-Prosum-Key: %s", f->s.key);
	if (install) {
		snprintf(inst, sizeof(inst), "X-Prosum-Install: %s", install);
		h[2] = inst;
	}
	assert_int_equal(e2e_request(&f->s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	*status = r.status;
	v = json_loads(r.body, 0, &e);
	if (!v)
		fail_msg("%s %s: not JSON (%ld): %s", method, path, r.status, r.body);
	e2e_response_free(&r);
	return v;
}

static json_t *call(fixture *f, const char *tok, const char *method, const char *path,
		    const char *body, long *status)
{
	return call_as(f, tok, NULL, method, path, body, status);
}

/* Post a crash in function fn at main.c:line built from `revision`; the answer. */
static json_t *crash(fixture *f, const char *fn, const char *revision, int line)
{
	return e2e_post_crash(&f->s, fn, "src/main.c", line, revision);
}

static const char *str(json_t *v, const char *k1, const char *k2)
{
	json_t *x = json_object_get(v, k1);

	if (k2)
		x = json_object_get(x, k2);
	return json_string_value(x);
}

static void expect(fixture *f, const char *tok, const char *method, const char *path,
		   const char *body, long want)
{
	long st;
	json_t *v = call(f, tok, method, path, body, &st);

	if (st != want)
		fail_msg("%s %s: %ld, not %ld", method, path, st, want);
	json_decref(v);
}

static void release_add(fixture *f, const char *name, const char *ref)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"ref\":\"%s\"}", name, ref);
	expect(f, f->rel, "POST", "/api/v1/projects/demo/releases", body, 201);
}

static void sync_repo(fixture *f)
{
	expect(f, f->dev, "POST", "/api/v1/projects/demo/sync", NULL, 200);
}

/* The ids of a list answer's items, space-separated, in order. */
static void ids(json_t *v, char *out, size_t outsz)
{
	size_t i, n = 0;
	json_t *it;

	out[0] = '\0';
	json_array_foreach(json_object_get(v, "items"), i, it)
	{
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? " " : "",
				      str(it, "id", NULL));
		if (n >= outsz)
			fail_msg("too many items");
	}
}

/* reports?release= lists the reports whose build belongs to that release, the same
 * notion as their revision.release; an unknown release is refused, naming the field. */
static void test_reports_filtered_by_release(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;
	char c0[16], c2[41], got[256];

	e2e_git(&f->s, c0, sizeof(c0), "git rev-parse --short=8 HEAD");
	v = crash(f, "early", c0, 1); /* from the first commit */
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "echo a > a.txt && git add a.txt && git commit -qm one && git tag v1.0");
	release_add(f, "1.0", "v1.0");
	e2e_git(&f->s, NULL, 0, "echo b > b.txt && git add b.txt && git commit -qm two");
	e2e_git(&f->s, c2, sizeof(c2), "git rev-parse HEAD");
	v = crash(f, "tagged", "v1.0", 2); /* */
	assert_string_equal(str(v, "revision", "release"), "1.0");
	json_decref(v);
	v = crash(f, "after", c2, 3); /* newer than any release */
	assert_string_equal(str(v, "revision", "commit"), c2);
	assert_true(json_is_null(json_object_get(json_object_get(v, "revision"), "release")));
	json_decref(v);
	v = crash(f, "unknown", "v7.7", 3); /* not resolved, so in no release */
	json_decref(v);

	v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(str(v, "revision", "release"), "1.0"); /* v1.0 holds the first commit */
	json_decref(v);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports?release=1.0", NULL, &st);
	assert_int_equal(st, 200);
	ids(v, got, sizeof(got));
	assert_string_equal(got, "R-2 R-1");
	json_decref(v);
	/* Combined with another filter, and as an export. */
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports?release=1.0&group=G-2", NULL,
		 &st);
	ids(v, got, sizeof(got));
	assert_string_equal(got, "R-2");
	json_decref(v);
	{
		e2e_response r;

		assert_int_equal(e2e_get(&f->s, "/api/v1/projects/demo/reports?release=1.0&format=jsonl",
					 &r),
				 0);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.body, "\"R-1\""));
		assert_non_null(strstr(r.body, "\"R-2\""));
		assert_null(strstr(r.body, "\"R-3\""));
		e2e_response_free(&r);
		assert_int_equal(e2e_get(&f->s, "/api/v1/projects/demo/reports?release=0.9&format=csv",
					 &r),
				 0);
		assert_int_equal(r.status, 422);
		e2e_response_free(&r);
	}
	/* An unknown release is not an empty list. */
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports?release=0.9", NULL, &st);
	assert_int_equal(st, 422);
	assert_string_equal(str(v, "error", "field"), "release");
	json_decref(v);
	/* Groups are not filtered by release: refused, never ignored. */
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups?release=1.0", NULL, &st);
	assert_int_equal(st, 422);
	assert_string_equal(str(v, "error", "field"), "release");
	json_decref(v);
}

/* Group lists do not claim "no suspects": the field is left out of list items, and
 * the single group carries its suspects. */
static void test_group_list_does_not_claim_no_suspects(void **state)
{
	fixture *f = *state;
	json_t *v, *it;
	long st;
	size_t i;
	int tries;
	char c0[41];

	e2e_git(&f->s, c0, sizeof(c0), "git rev-parse HEAD");
	v = crash(f, "blamed", c0, 1);
	json_decref(v);
	/* Blame runs in the background: seconds at most, but on a loaded machine allow 60. */
	for (tries = 0; tries < 1200; tries++) {
		v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
		if (json_array_size(json_object_get(v, "suspects")) > 0)
			break;
		json_decref(v);
		v = NULL;
		usleep(50000);
	}
	assert_non_null(v);
	json_decref(v);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	json_array_foreach(json_object_get(v, "items"), i, it)
		assert_null(json_object_get(it, "suspects"));
	json_decref(v);
}

/* A report whose build resolves only at a later sync gets its suspects then. */
static void test_suspects_after_a_later_sync(void **state)
{
	fixture *f = *state;
	json_t *v, *s0 = NULL;
	long st;
	char c0[41];
	int tries;

	e2e_git(&f->s, c0, sizeof(c0), "git rev-parse HEAD");
	v = crash(f, "late", "v5.0", 1); /* a build the repository does not know yet */
	assert_string_equal(str(v, "id", NULL), "R-1");
	assert_true(json_is_null(json_object_get(json_object_get(v, "revision"), "commit")));
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "git tag v5.0");
	v = call(f, f->dev, "POST", "/api/v1/projects/demo/sync", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "resolved")), 1);
	json_decref(v);
	/* Blame runs in the background after the sync: allow 60 s on a loaded machine. */
	for (tries = 0; tries < 1200; tries++) {
		v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
		if (json_array_size(json_object_get(v, "suspects")) > 0)
			break;
		json_decref(v);
		v = NULL;
		usleep(50000);
	}
	if (!v)
		fail_msg("no suspects 60 s after the sync resolved the report");
	s0 = json_array_get(json_object_get(v, "suspects"), 0);
	assert_string_equal(str(s0, "id", NULL), c0); /* line 1 of main.c: the first commit */
	json_decref(v);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_int_equal(json_array_size(json_object_get(v, "suspects")), 1);
	json_decref(v);
}

static json_t *find_item(json_t *arr, const char *id)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it)
	{
		if (strcmp(str(it, "id", NULL), id) == 0)
			return it;
	}
	fail_msg("%s not listed", id);
	return NULL;
}

static void suggest(fixture *f, const char *install, const char *title)
{
	long st;
	json_t *v = e2e_suggest(&f->s, title, "Please", install, NULL, &st);

	assert_int_equal(st, 201);
	json_decref(v);
}

static void vote(fixture *f, const char *s, const char *install, const char *method)
{
	char path[128], body[128];

	snprintf(path, sizeof(path), "/api/v1/projects/demo/suggestions/%s/votes", s);
	snprintf(body, sizeof(body), "{\"install_id\":\"%s\"}", install);
	expect(f, NULL, method, path, body, 200);
}

/* mine: what the install sent is "mine"; what it only voted for is "voted", not "mine". */
static void test_mine_tells_sent_from_voted(void **state)
{
	fixture *f = *state;
	json_t *v, *list, *it;
	long st;

	suggest(f, "inst-a", "Dark mode");   /* S-1: A's, with A's own vote */
	suggest(f, "inst-b", "PDF export");  /* S-2: B's; A votes for it */
	suggest(f, "inst-a", "Batch rename"); /* S-3: A's; A takes its vote back */
	suggest(f, "inst-b", "Plugins");     /* S-4: B's alone */
	vote(f, "S-2", "inst-a", "POST");
	vote(f, "S-3", "inst-a", "DELETE");
	v = call_as(f, NULL, "inst-a", "GET", "/api/v1/projects/demo/mine", NULL, &st);
	assert_int_equal(st, 200);
	list = json_object_get(v, "suggestions");
	assert_int_equal(json_array_size(list), 3);
	it = find_item(list, "S-1");
	assert_true(json_is_true(json_object_get(it, "mine")));
	assert_true(json_is_true(json_object_get(it, "voted")));
	it = find_item(list, "S-2");
	assert_true(json_is_false(json_object_get(it, "mine")));
	assert_true(json_is_true(json_object_get(it, "voted")));
	it = find_item(list, "S-3");
	assert_true(json_is_true(json_object_get(it, "mine")));
	assert_true(json_is_false(json_object_get(it, "voted")));
	json_decref(v);
}

/* A commit with a fixed date, so "newer" does not depend on how fast the test runs. */
#define COMMIT(date) "GIT_AUTHOR_DATE='" date "' GIT_COMMITTER_DATE='" date "' git commit -q"

static int history_has(json_t *item, const char *actor, const char *field, const char *old,
		       const char *new_value)
{
	size_t i;
	json_t *h;

	json_array_foreach(json_object_get(item, "history"), i, h)
	{
		const char *o = str(h, "old", NULL), *n = str(h, "new", NULL);

		if (strcmp(str(h, "actor", NULL), actor) == 0 &&
		    strcmp(str(h, "field", NULL), field) == 0 && o && n && strcmp(o, old) == 0 &&
		    strcmp(n, new_value) == 0)
			return 1;
	}
	return 0;
}

/* A regressed group is fixed again by a newer "Fixes" commit, which becomes its fix. */
static void test_new_fix_for_a_regression(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;
	char c0[16], a[41], b[41], actor[32];

	e2e_git(&f->s, c0, sizeof(c0), "git rev-parse --short=8 HEAD");
	v = crash(f, "flaky", c0, 1); /* R-1, G-1 */
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "echo a > a.txt && git add a.txt && " COMMIT("2026-01-01T10:00:00Z")
			" -m 'Guard the pointer' -m 'Fixes G-1' && git tag v1.0");
	e2e_git(&f->s, a, sizeof(a), "git rev-parse HEAD");
	release_add(f, "1.0", "v1.0");
	sync_repo(f);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "fixed");
	assert_string_equal(str(v, "fixed_by", NULL), a);
	json_decref(v);
	/* From a build that holds the fix: regressed. */
	v = crash(f, "flaky", "v1.0", 1);
	json_decref(v);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "regressed");
	json_decref(v);

	/* A newer fix: the group is fixed again, by it, in the release that holds it. */
	e2e_git(&f->s, NULL, 0, "echo b > b.txt && git add b.txt && " COMMIT("2026-02-01T10:00:00Z")
			" -m 'Really guard the pointer' -m 'Fixes G-1' && git tag v2.0");
	e2e_git(&f->s, b, sizeof(b), "git rev-parse HEAD");
	release_add(f, "2.0", "v2.0");
	sync_repo(f);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "fixed");
	assert_string_equal(str(v, "fixed_by", NULL), b);
	assert_string_equal(str(v, "fixed_in", NULL), "2.0");
	snprintf(actor, sizeof(actor), "commit %.7s", b);
	assert_true(history_has(v, actor, "fixed_by", a, b));
	assert_true(history_has(v, actor, "status", "regressed", "fixed"));
	assert_true(history_has(v, actor, "fixed_in", "1.0", "2.0"));
	json_decref(v);
	/* A tester on 1.0 now learns the fix is in 2.0. */
	v = crash(f, "flaky", "v1.0", 1);
	assert_string_equal(str(v, "known", "status"), "fixed");
	assert_string_equal(str(v, "known", "fixed_in"), "2.0");
	json_decref(v);
	/* A sync with nothing new changes nothing, and an older fix never replaces it. */
	sync_repo(f);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "fixed_by", NULL), b);
	json_decref(v);
}

/* Two fixes of one item in one sync: the newer is the fix, whatever the ids' hex order. */
static void test_two_fixes_in_one_sync(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;
	char c0[16], x[41], y[41];

	e2e_git(&f->s, c0, sizeof(c0), "git rev-parse --short=8 HEAD");
	v = crash(f, "twice", c0, 2); /* R-1, G-1 */
	json_decref(v);
	e2e_git(&f->s, NULL, 0, "echo x > x.txt && git add x.txt && " COMMIT("2026-03-01T10:00:00Z")
			" -m 'Half a fix' -m 'Fixes R-1' && git tag v3.0");
	e2e_git(&f->s, x, sizeof(x), "git rev-parse HEAD");
	/* The newer fix gets an id above the older's in hex, so the smallest id is the
	 * wrong (older) one. */
	e2e_git(&f->s, y, sizeof(y), "i=0; while :; do echo $i > y.txt && git add y.txt && "
			     COMMIT("2026-04-01T10:00:00Z") " -m \"The rest $i\" -m 'Fixes R-1' && "
			     "h=$(git rev-parse HEAD) && if [ \"$h\" \\> \"$(git rev-parse v3.0)\" ]; "
			     "then echo $h; break; fi; git reset -q --hard v3.0; i=$((i+1)); done");
	assert_true(strcmp(y, x) > 0);
	e2e_git(&f->s, NULL, 0, "git tag v4.0");
	release_add(f, "3.0", "v3.0");
	release_add(f, "4.0", "v4.0");
	sync_repo(f);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "fixed");
	assert_string_equal(str(v, "fixed_by", NULL), y);
	assert_string_equal(str(v, "fixed_in", NULL), "4.0");
	json_decref(v);
	v = call(f, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "fixed_by", NULL), y);
	assert_string_equal(str(v, "fixed_in", NULL), "4.0");
	json_decref(v);
}

/* A merge of a group merged already names merge_into; a status change not allowed, status. */
static void test_merge_conflict_names_its_field(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;

	v = crash(f, "one", "HEAD", 1);
	json_decref(v);
	v = crash(f, "two", "HEAD", 2);
	json_decref(v);
	expect(f, f->dev, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"merge_into\":\"G-2\"}",
	       200);
	v = call(f, f->dev, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"merge_into\":\"G-2\"}",
		 &st);
	assert_int_equal(st, 409);
	assert_string_equal(str(v, "error", "field"), "merge_into");
	json_decref(v);
	v = call(f, f->dev, "PATCH", "/api/v1/projects/demo/groups/G-2",
		 "{\"status\":\"regressed\",\"merge_into\":\"G-1\"}", &st);
	assert_int_equal(st, 409);
	assert_string_equal(str(v, "error", "field"), "status");
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reports_filtered_by_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_list_does_not_claim_no_suspects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_suspects_after_a_later_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mine_tells_sent_from_voted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_fix_for_a_regression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_fixes_in_one_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_conflict_names_its_field, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
