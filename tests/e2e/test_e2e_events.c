/* test_e2e_events.c - every change that matters records exactly one event in the outbox, in
 * its transaction: made by the real API actions, none for a refused change, none lost or
 * doubled by a kill -9. */
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
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

static void ok(fixture *f, const char *method, const char *path, const char *body, long want)
{
	e2e_expect(&f->s, f->rel, method, path, body, want);
}

/* How many events of `type` (all: NULL) the outbox holds. */
static long long events(fixture *f, const char *type)
{
	char sql[256];

	if (!type)
		return e2e_sql_int(&f->s, "SELECT count(*) FROM outbox");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE type = '%s'", type);
	return e2e_sql_int(&f->s, sql);
}

/* The data of the newest event of `type`, as JSON (the caller owns it). */
static json_t *last(fixture *f, const char *type)
{
	char sql[256], text[4096];
	json_t *v;

	snprintf(sql, sizeof(sql),
		 "SELECT data FROM outbox WHERE type = '%s' ORDER BY id DESC LIMIT 1", type);
	if (e2e_sql_text(&f->s, sql, text, sizeof(text)) < 0)
		fail_msg("no %s event", type);
	v = json_loads(text, 0, NULL);
	if (!v)
		fail_msg("%s: not JSON: %s", type, text);
	return v;
}

/* The newest event of `type` has data field k1 (k1.k2) equal to want. */
static void has(fixture *f, const char *type, const char *k1, const char *k2, const char *want)
{
	json_t *v = last(f, type);

	if (strcmp(e2e_str(v, k1, k2), want) != 0)
		fail_msg("%s: %s%s%s is %s, expected %s", type, k1, k2 ? "." : "", k2 ? k2 : "",
			 e2e_str(v, k1, k2), want);
	json_decref(v);
}

/* POST a crash in `fn` built from a "revision" or "version" `build` by `install`; uuid
 * (may be NULL: a fresh one) is the report's. The answer's status. */
static long crash_as(fixture *f, const char *uuid, const char *fn, const char *field,
		     const char *build, const char *install)
{
	char id[37], doc[1024];
	e2e_response r;
	long st;

	if (!uuid) {
		e2e_uuid(id);
		uuid = id;
	}
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"%s\":\"%s\"},"
		 "\"tester\":{\"install_id\":\"%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\"}]}",
		 uuid, field, build, install, fn);
	assert_int_equal(e2e_post_report(&f->s, doc, &r), 0);
	st = r.status;
	e2e_response_free(&r);
	return st;
}

/* A group's life: made, fixed by a commit, fixed in a release, regressed, triaged, commented. */
static void test_group_events(void **state)
{
	fixture *f = *state;
	char uuid[37];

	e2e_uuid(uuid);
	assert_int_equal(crash_as(f, uuid, "main_crash", "revision", f->a, "t1"), 201);
	assert_int_equal(events(f, "group.created"), 1);
	has(f, "group.created", "group", NULL, "G-1");
	has(f, "group.created", "report", NULL, "R-1");
	has(f, "group.created", "status", NULL, "new");
	/* A resent report, and another that joins G-1: no group is made. */
	assert_int_equal(crash_as(f, uuid, "main_crash", "revision", f->a, "t1"), 200);
	assert_int_equal(crash_as(f, NULL, "main_crash", "revision", f->a, "t2"), 201);
	assert_int_equal(events(f, "group.created"), 1);
	/* Refused by validation: nothing. */
	{
		e2e_response r;

		assert_int_equal(e2e_post_report(&f->s, "{\"kind\":\"crash\"}", &r), 0);
		assert_true(r.status >= 400);
		e2e_response_free(&r);
	}
	assert_int_equal(events(f, NULL), 1);

	/* A commit fixes G-1 (a status change); its release, registered, holds the fix. */
	e2e_git(&f->s, NULL, 0, "git tag v1.0.0");
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\n"
		"Fixes G-1' && git tag v1.1.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_int_equal(events(f, "group.status_changed"), 1);
	has(f, "group.status_changed", "status", NULL, "fixed");
	has(f, "group.status_changed", "previous_status", NULL, "new");
	assert_int_equal(events(f, "group.fixed_in_release"), 0);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.0.0\",\"ref\":\"v1.0.0\"}",
	   201);
	assert_int_equal(events(f, "release.created"), 1);
	has(f, "release.created", "release", NULL, "1.0.0");
	assert_int_equal(events(f, "group.fixed_in_release"), 0);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}",
	   201);
	assert_int_equal(events(f, "release.created"), 2);
	has(f, "release.created", "previous", NULL, "1.0.0");
	assert_int_equal(events(f, "group.fixed_in_release"), 1);
	has(f, "group.fixed_in_release", "group", NULL, "G-1");
	has(f, "group.fixed_in_release", "release", NULL, "1.1.0");
	/* An empty sync applies nothing again. */
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_int_equal(events(f, "group.fixed_in_release"), 1);

	/* A build holding the fix crashes again: a regression, told once. */
	assert_int_equal(crash_as(f, NULL, "main_crash", "version", "1.1.0", "t3"), 201);
	assert_int_equal(events(f, "group.regressed"), 1);
	has(f, "group.regressed", "previous_status", NULL, "fixed");
	has(f, "group.regressed", "report", NULL, "R-3");
	has(f, "group.regressed", "release", NULL, "1.1.0");
	assert_int_equal(crash_as(f, NULL, "main_crash", "version", "1.1.0", "t4"), 201);
	assert_int_equal(events(f, "group.regressed"), 1);
	assert_int_equal(events(f, "group.status_changed"), 1);

	/* The team's PATCH: one event; the same status again none; refused ones none. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"triaged\"}", 200);
	assert_int_equal(events(f, "group.status_changed"), 2);
	has(f, "group.status_changed", "status", NULL, "triaged");
	has(f, "group.status_changed", "previous_status", NULL, "regressed");
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"triaged\"}", 200);
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"regressed\"}", 409);
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1", "{\"status\":\"sideways\"}", 422);
	assert_int_equal(events(f, "group.status_changed"), 2);

	/* Refused in the store after the status and the comment were written: the whole change
	 * rolls back, and its events with it. */
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-1",
	   "{\"status\":\"in_progress\",\"comment\":\"merging\",\"merge_into\":\"G-99\"}", 422);
	assert_int_equal(events(f, "group.status_changed"), 2);
	assert_int_equal(events(f, "report.comment"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM comments"), 0);

	/* A team comment on a tester's report: the tester's install comes with it (internal). */
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1", "{\"comment\":\"Thanks, on it\"}", 200);
	assert_int_equal(events(f, "report.comment"), 1);
	has(f, "report.comment", "report", NULL, "R-1");
	has(f, "report.comment", "group", NULL, "G-1");
	has(f, "report.comment", "install_id", NULL, "t1");
	has(f, "report.comment", "comment", "body", "Thanks, on it");
	/* A comment refused with its PATCH is not recorded either. */
	ok(f, "PATCH", "/api/v1/projects/demo/reports/R-1",
	   "{\"comment\":\"x\",\"status\":\"sideways\"}", 422);
	assert_int_equal(events(f, "report.comment"), 1);
	/* Each event has its project and time. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM outbox o JOIN projects p ON "
					    "p.id = o.project_id WHERE p.name <> 'demo' OR "
					    "o.created_at < 1700000000"),
			 0);
}

/* A suggestion: made, its status changed by the team, shipped by a commit in a release. */
static void test_suggestion_events(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v = e2e_suggest(&f->s, "Dark mode", NULL, "t9", NULL, &st);

	assert_int_equal(st, 201);
	json_decref(v);
	assert_int_equal(events(f, "suggestion.created"), 1);
	has(f, "suggestion.created", "suggestion", NULL, "S-1");
	has(f, "suggestion.created", "title", NULL, "Dark mode");
	has(f, "suggestion.created", "author_install", NULL, "t9");
	ok(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"status\":\"planned\"}", 200);
	ok(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"status\":\"planned\"}", 200);
	ok(f, "PATCH", "/api/v1/projects/demo/suggestions/S-1", "{\"status\":\"shipped\"}", 422);
	assert_int_equal(events(f, "suggestion.status_changed"), 1);
	has(f, "suggestion.status_changed", "status", NULL, "planned");
	has(f, "suggestion.status_changed", "previous_status", NULL, "new");
	e2e_git(&f->s, NULL, 0,
		"echo d > dark.txt && git add dark.txt && git commit -qm 'Dark mode\n\n"
		"Implements S-1' && git tag v2.0.0");
	ok(f, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	assert_int_equal(events(f, "suggestion.shipped"), 0);
	ok(f, "POST", "/api/v1/projects/demo/releases", "{\"name\":\"2.0.0\",\"ref\":\"v2.0.0\"}",
	   201);
	assert_int_equal(events(f, "suggestion.shipped"), 1);
	has(f, "suggestion.shipped", "release", NULL, "2.0.0");
	has(f, "suggestion.shipped", "previous_status", NULL, "planned");
	assert_int_equal(events(f, "suggestion.status_changed"), 1);
	assert_int_equal(events(f, "release.created"), 1);
	{
		json_t *r = last(f, "release.created");

		assert_int_equal(strlen(e2e_str(r, "commit", NULL)), 40);
		assert_null(json_object_get(r, "previous")); /* the first release */
		json_decref(r);
	}
}

/* kill -9 right after acknowledged changes: after the restart each event is there, once. */
static void test_events_survive_kill(void **state)
{
	fixture *f = *state;
	char fn[64];
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(fn, sizeof(fn), "crash_%d", i);
		assert_int_equal(crash_as(f, NULL, fn, "revision", f->a, "t1"), 201);
	}
	ok(f, "PATCH", "/api/v1/projects/demo/groups/G-20", "{\"status\":\"triaged\"}", 200);
	e2e_kill(&f->s);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	assert_int_equal(events(f, "group.created"), 20);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(DISTINCT json_extract(data, '$.group')) "
					    "FROM outbox WHERE type = 'group.created'"),
			 20);
	assert_int_equal(events(f, "group.status_changed"), 1);
	assert_int_equal(events(f, NULL), 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_group_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_suggestion_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_survive_kill, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
