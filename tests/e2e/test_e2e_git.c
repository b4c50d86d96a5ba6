/* test_e2e_git.c - revisions, commit links, releases, known fixes, regressions and blame against a real prosumd. */
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
	char rel[128];  /* release token */
	char dev[128];  /* developer token */
	char c0[41], c1[41], c3[41];
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

/* Post a crash in function fn at main.c:line built from `revision`; the answer. */
static json_t *crash(fixture *f, const char *fn, const char *revision, int line)
{
	return e2e_post_crash(&f->s, fn, "/home/ci/build/main.c", line, revision);
}

static const char *str(json_t *v, const char *k1, const char *k2)
{
	json_t *x = json_object_get(v, k1);

	if (k2)
		x = json_object_get(x, k2);
	return json_string_value(x);
}

static int has_id(json_t *arr, const char *id)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it)
	{
		if (strcmp(str(it, "id", NULL), id) == 0)
			return 1;
	}
	return 0;
}

static void test_history_links_releases(void **state)
{
	fixture *f = *state;
	json_t *v, *w;
	long st;
	char shortc0[16], describe[64];

	e2e_git(&f->s, f->c0, sizeof(f->c0), "git rev-parse HEAD");
	e2e_git(&f->s, shortc0, sizeof(shortc0), "git rev-parse --short=8 HEAD");

	/* R-1 from the first commit: resolved at once, no release yet. */
	v = crash(f, "main_crash", shortc0, 3);
	assert_string_equal(str(v, "id", NULL), "R-1");
	assert_string_equal(str(v, "revision", "commit"), f->c0);
	assert_true(json_is_null(json_object_get(json_object_get(v, "revision"), "release")));
	json_decref(v);
	/* R-2 from a build the server cannot know yet: stored unresolved, not refused. */
	v = crash(f, "later_crash", "v3.0", 2);
	assert_string_equal(str(v, "id", NULL), "R-2");
	assert_true(json_is_null(json_object_get(json_object_get(v, "revision"), "commit")));
	json_decref(v);
	/* R-3, another group, fixed on a branch. */
	v = crash(f, "feature_crash", shortc0, 2);
	assert_string_equal(str(v, "id", NULL), "R-3");
	json_decref(v);

	/* History: a fix in prose, near misses, a tag, a branch merged after the tag. */
	e2e_git(&f->s, NULL, 0,
	    "sed -i 's/return 0;/return 1;/' main.c && git -c user.name='Bob Fixer' "
	    "-c user.email=bob@example.org commit -qam 'Stop crashing on start\n\nThis fixes R-1.'");
	e2e_git(&f->s, f->c1, sizeof(f->c1), "git rev-parse HEAD");
	e2e_git(&f->s, NULL, 0,
	    "echo a > notes.txt && git add notes.txt && git commit -qm 'Docs: prefixes R-2, "
	    "see R-12a and implements R-2' && git tag -a v1.0 -m 'one'");
	e2e_git(&f->s, NULL, 0,
	    "git checkout -qb feature && echo b > feature.txt && git add feature.txt && "
	    "git commit -qm 'Guard the feature path\n\nCloses: r-3'");
	e2e_git(&f->s, f->c3, sizeof(f->c3), "git rev-parse HEAD");
	e2e_git(&f->s, describe, sizeof(describe), "git describe --tags");
	e2e_git(&f->s, NULL, 0,
	    "git checkout -q main && echo c > more.txt && git add more.txt && git commit -qm "
	    "'More' && git merge -q --no-ff feature -m 'Merge feature' && git tag v2.0");

	/* Releases registered out of order. */
	v = e2e_call(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		 "{\"name\":\"2.0\",\"ref\":\"v2.0\"}", &st);
	assert_int_equal(st, 201);
	json_decref(v);
	v = e2e_call(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		 "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", &st);
	assert_int_equal(st, 201);
	json_decref(v);
	v = e2e_call(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		 "{\"name\":\"1.0\",\"ref\":\"v1.0\"}", &st);
	assert_int_equal(st, 409);
	json_decref(v);
	v = e2e_call(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		 "{\"name\":\"9.9\",\"ref\":\"no-such-tag\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(str(v, "error", "field"), "ref");
	json_decref(v);
	/* A developer cannot register releases, and nothing changes. */
	v = e2e_call(&f->s, f->dev, "POST", "/api/v1/projects/demo/releases",
		 "{\"name\":\"3.0\",\"ref\":\"v2.0\"}", &st);
	assert_int_equal(st, 403);
	json_decref(v);

	/* Tag the build R-2 came from, then sync: links found, R-2 resolved. */
	e2e_git(&f->s, NULL, 0, "git tag v3.0 HEAD~1");
	v = e2e_call(&f->s, f->dev, "POST", "/api/v1/projects/demo/sync", NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_integer_value(json_object_get(v, "links")) >= 2);
	assert_int_equal(json_integer_value(json_object_get(v, "resolved")), 1);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/R-2", NULL, &st);
	assert_non_null(str(v, "revision", "commit"));
	json_decref(v);

	/* Fixed in the first release that contains the fix. */
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(str(v, "fixed_by", NULL), f->c1);
	assert_string_equal(str(v, "fixed_in", NULL), "1.0");
	assert_string_equal(str(v, "status", NULL), "fixed");
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/releases/1.0", NULL, &st);
	assert_int_equal(st, 200);
	assert_true(has_id(json_object_get(v, "fixed_reports"), "R-1"));
	assert_false(has_id(json_object_get(v, "fixed_reports"), "R-3")); /* merged after 1.0 */
	assert_false(has_id(json_object_get(v, "fixed_reports"), "R-2")); /* near misses */
	assert_true(has_id(json_object_get(v, "fixed_groups"), "G-1"));
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/releases/2.0", NULL, &st);
	assert_true(has_id(json_object_get(v, "fixed_reports"), "R-3"));
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/releases", NULL, &st);
	w = json_object_get(v, "items");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(str(json_array_get(w, 0), "name", NULL), "2.0"); /* newest first */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(w, 1), "position")), 0);
	json_decref(v);

	/* git describe output resolves, to a build of release 2.0. */
	v = crash(f, "describe_crash", describe, 1);
	assert_string_equal(str(v, "revision", "commit"), f->c3);
	assert_string_equal(str(v, "revision", "release"), "2.0");
	json_decref(v);
}

static void test_known_fix_and_regression(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;

	/* The same crash from the old build: the tester learns it is fixed in 1.0. */
	v = crash(f, "main_crash", f->c0, 3);
	assert_string_equal(str(v, "group", NULL), "G-1");
	assert_string_equal(str(v, "known", "group"), "G-1");
	assert_string_equal(str(v, "known", "status"), "fixed");
	assert_string_equal(str(v, "known", "fixed_in"), "1.0");
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "fixed");
	assert_string_equal(str(v, "fixed_in", NULL), "1.0");
	json_decref(v);
	/* From a build that has the fix: the group has regressed. */
	v = crash(f, "main_crash", "v2.0", 3);
	assert_true(json_is_null(json_object_get(v, "known")) ||
		    strcmp(str(v, "known", "status"), "regressed") == 0);
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(str(v, "status", NULL), "regressed");
	json_decref(v);
}

static void test_blame_names_the_commit(void **state)
{
	fixture *f = *state;
	json_t *v, *s0 = NULL;
	long st;
	char path[128];
	int tries;

	/* Line 3 of main.c as of v1.0 was last changed by the fix. */
	v = crash(f, "blamed_crash", "v1.0", 3);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", str(v, "id", NULL));
	json_decref(v);
	/* Blame runs in the background: seconds at most, but on a loaded machine allow 60. */
	for (tries = 0; tries < 1200; tries++) {
		v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
		if (json_array_size(json_object_get(v, "suspects")) > 0)
			break;
		json_decref(v);
		v = NULL;
		usleep(50000);
	}
	assert_non_null(v);
	s0 = json_array_get(json_object_get(v, "suspects"), 0);
	assert_string_equal(str(s0, "id", NULL), f->c1);
	assert_string_equal(str(s0, "author", NULL), "Bob Fixer");
	assert_string_equal(str(s0, "summary", NULL), "Stop crashing on start");
	/* The frame it is blamed for: the function, and the file as the repository names it. */
	assert_int_equal(json_array_size(json_object_get(s0, "frames")), 1);
	assert_string_equal(str(json_array_get(json_object_get(s0, "frames"), 0), "file", NULL),
			    "main.c");
	assert_string_equal(str(json_array_get(json_object_get(s0, "frames"), 0), "function", NULL),
			    "blamed_crash");
	json_decref(v);

	/* The same crash from the same build again: the answer is remembered and the
	 * suspects are stored with the report, before it is acknowledged. */
	v = crash(f, "blamed_crash", "v1.0", 3);
	snprintf(path, sizeof(path), "/api/v1/projects/demo/reports/%s", str(v, "id", NULL));
	json_decref(v);
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "suspects")), 1);
	s0 = json_array_get(json_object_get(v, "suspects"), 0);
	assert_string_equal(str(s0, "id", NULL), f->c1);
	assert_string_equal(str(s0, "author", NULL), "Bob Fixer");
	assert_string_equal(str(json_array_get(json_object_get(s0, "frames"), 0), "file", NULL),
			    "main.c");
	snprintf(path, sizeof(path), "/api/v1/projects/demo/groups/%s", str(v, "group", NULL));
	json_decref(v);
	/* The group's suspect counts its two reports. */
	v = e2e_call(&f->s, f->dev, "GET", path, NULL, &st);
	s0 = json_array_get(json_object_get(v, "suspects"), 0);
	assert_string_equal(str(s0, "id", NULL), f->c1);
	assert_int_equal(json_integer_value(json_object_get(s0, "reports")), 2);
	json_decref(v);
}

static void test_fixed_by_checked_against_the_repository(void **state)
{
	fixture *f = *state;
	json_t *v;
	long st;
	char body[128];

	v = e2e_call(&f->s, f->dev, "PATCH", "/api/v1/projects/demo/reports/R-3",
		 "{\"fixed_by\":\"0123456789abcdef0123\"}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(str(v, "error", "field"), "fixed_by");
	json_decref(v);
	snprintf(body, sizeof(body), "{\"fixed_by\":\"%.10s\"}", f->c3);
	v = e2e_call(&f->s, f->dev, "PATCH", "/api/v1/projects/demo/reports/R-2", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(str(v, "fixed_by", NULL), f->c3); /* kept as the full id */
	assert_string_equal(str(v, "fixed_in", NULL), "2.0");
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_links_releases),
		cmocka_unit_test(test_known_fix_and_regression),
		cmocka_unit_test(test_blame_names_the_commit),
		cmocka_unit_test(test_fixed_by_checked_against_the_repository),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
