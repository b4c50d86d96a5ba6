/* test_e2e_byevent.c - Sentry events looked up by their event id, with the known-fix answer;
 * their fingerprint with "{{ default }}"; events without a user count no tester. */
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

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char rel[128];       /* a release manager's token */
	char a[41];          /* the repository's first commit */
	char other_key[128]; /* the ingest key of project "other" */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "release", "rita", f->rel, sizeof(f->rel)) < 0 ||
	    e2e_git_head(&f->s, f->a) < 0 ||
	    e2e_prosumd_secret(&f->s, "project add other", f->other_key, sizeof(f->other_key)) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	return e2e_start(&f->s, NULL);
}

static int teardown(void **state)
{
	fixture *f = *state;

	assert_int_equal(e2e_stop(&f->s), 0);
	e2e_fixture_free(f);
	return 0;
}

/* POST a Sentry event to project demo's /store/ (numeric id 1) with X-Sentry-Auth; 200 wanted. */
static void store_event(fixture *f, const char *event)
{
	char auth[256];
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(auth, sizeof(auth),
		 "X-Sentry-Auth: Sentry sentry_version=7, sentry_client=raw/1.0, sentry_key=%s",
		 f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, event, strlen(event), &r),
			 0);
	if (r.status != 200)
		fail_msg("store: %ld %s", r.status, r.body);
	e2e_response_free(&r);
}

/* A crash event in main() of main.c, built from the repository's first commit. */
static void store_crash(fixture *f, const char *event_id, const char *fingerprint)
{
	char ev[1024];

	snprintf(ev, sizeof(ev),
		 "{\"event_id\":\"%s\",\"level\":\"error\",\"platform\":\"native\","
		 "\"release\":\"app@1.0.0+%.12s\",%s%s%s"
		 "\"exception\":{\"values\":[{\"type\":\"RuntimeError\",\"value\":\"boom\","
		 "\"stacktrace\":{\"frames\":[{\"function\":\"start\",\"filename\":\"crt.c\"},"
		 "{\"function\":\"main\",\"filename\":\"main.c\",\"lineno\":3,\"in_app\":true}]}}]}}",
		 event_id, f->a, fingerprint ? "\"fingerprint\":" : "",
		 fingerprint ? fingerprint : "", fingerprint ? "," : "");
	store_event(f, ev);
}

/* GET .../reports/by-event/{id} of `project` with one header line (NULL: none). */
static json_t *by_event(fixture *f, const char *project, const char *id, const char *header,
			long *status)
{
	char path[256];
	const char *h[] = {header, NULL};
	e2e_response r;
	json_t *v;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports/by-event/%s", project, id);
	assert_int_equal(e2e_request(&f->s, "GET", path, header ? h : NULL, NULL, 0, &r), 0);
	*status = r.status;
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
}

static json_t *by_event_key(fixture *f, const char *project, const char *key, const char *id,
			    long *status)
{
	char hk[200];

	snprintf(hk, sizeof(hk), "X-Prosum-Key: %s", key);
	return by_event(f, project, id, hk, status);
}

static void test_lookup_and_known(void **state)
{
	static const char eid[] = "9ec79c33ec9942ab8353589fcb2e04dc";
	fixture *f = *state;
	char b[41], auth[200];
	json_t *v;
	long st;

	store_crash(f, eid, NULL);

	/* With the project's ingest key (what the app's SDK has), dashed and in upper case. */
	v = by_event_key(f, "demo", f->s.key, "9EC79C33-EC99-42AB-8353-589FCB2E04DC", &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "id", NULL), "R-1");
	assert_string_equal(e2e_str(v, "group", NULL), "G-1");
	assert_string_equal(e2e_str(v, "event_id", NULL), eid);
	assert_string_equal(e2e_str(v, "status", NULL), "new");
	assert_true(json_is_null(json_object_get(v, "known")));
	json_decref(v);
	/* With a token, undashed. */
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/reports/by-event/"
					   "9ec79c33ec9942ab8353589fcb2e04dc", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "id", NULL), "R-1");
	json_decref(v);

	/* The crash is fixed by a commit of release 1.1.0: the event's build (the first commit)
	 * lacks it, so the answer is what POST .../reports tells a tester of that build. */
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\n"
		"Fixes G-1' && git tag v1.1.0");
	e2e_git(&f->s, b, sizeof(b), "git rev-parse HEAD");
	e2e_expect(&f->s, f->rel, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	e2e_expect(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}", 201);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_string_equal(e2e_str(v, "status", NULL), "fixed");
	json_decref(v);
	v = by_event_key(f, "demo", f->s.key, eid, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "id", NULL), "R-1");
	assert_string_equal(e2e_str(v, "known", "group"), "G-1");
	assert_string_equal(e2e_str(v, "known", "status"), "fixed");
	assert_string_equal(e2e_str(v, "known", "fixed_in"), "1.1.0");
	/* The report's status as every answer shows it (GET .../reports/R-1 says fixed: its
	 * build was checked and lacks the fix), not its own column's "new". */
	assert_string_equal(e2e_str(v, "status", NULL), "fixed");
	json_decref(v);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/reports/R-1", NULL, &st);
	assert_string_equal(e2e_str(v, "status", NULL), "fixed");
	json_decref(v);
	/* The app knows only its sentry_dsn: the project's number stands for its name. */
	v = by_event_key(f, "1", f->s.key, eid, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "id", NULL), "R-1");
	assert_string_equal(e2e_str(v, "known", "fixed_in"), "1.1.0");
	json_decref(v);
	v = by_event_key(f, "2", f->s.key, eid, &st); /* project "other": not this key's */
	assert_int_equal(st, 401);
	json_decref(v);
	v = by_event_key(f, "9", f->s.key, eid, &st);
	assert_int_equal(st, 404);
	json_decref(v);
	/* Elsewhere the API names projects by name; a number copied from the sentry_dsn is told so. */
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/1/groups", NULL, &st);
	assert_int_equal(st, 404);
	assert_string_equal(e2e_str(v, "error", "message"),
			    "no such project: the API names a project by its name (the last part "
			    "of its dsn), not by the number of its sentry_dsn");
	json_decref(v);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/nine/groups", NULL, &st);
	assert_int_equal(st, 404);
	assert_string_equal(e2e_str(v, "error", "message"), "no such project");
	json_decref(v);

	/* No report has this id: 404 naming the field. */
	v = by_event_key(f, "demo", f->s.key, "0123456789abcdef0123456789abcdef", &st);
	assert_int_equal(st, 404);
	assert_string_equal(e2e_str(v, "error", "code"), "not_found");
	assert_string_equal(e2e_str(v, "error", "field"), "event_id");
	json_decref(v);
	/* Not an event id: 422 naming the field. */
	{
		static const char *const bad[] = {"R-1", "9ec79c33ec9942ab8353589fcb2e04d",
						  "9ec79c33ec9942ab8353589fcb2e04dc0",
						  "9ec79c33ec9942ab8353589fcb2e04dg"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			v = by_event_key(f, "demo", f->s.key, bad[i], &st);
			assert_int_equal(st, 422);
			assert_string_equal(e2e_str(v, "error", "field"), "event_id");
			json_decref(v);
		}
	}

	/* Another project's key learns nothing of demo's events; nor does no credential. */
	v = by_event_key(f, "demo", f->other_key, eid, &st);
	assert_int_equal(st, 401);
	json_decref(v);
	v = by_event_key(f, "other", f->other_key, eid, &st);
	assert_int_equal(st, 404);
	json_decref(v);
	v = by_event(f, "demo", eid, NULL, &st);
	assert_int_equal(st, 401);
	json_decref(v);
	/* A tester's board sign-in reads the board only. */
	{
		char kh[200];
		const char *h[] = {"Content-Type: application/json", kh,
				   "X-Prosum-Install: sentry", NULL};
		const char *url, *hash;
		char body[128];
		e2e_browser br;
		e2e_response r;

		snprintf(kh, sizeof(kh), "X-Prosum-Key: %s", f->s.key);
		assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/board-links", h,
					     NULL, 0, &r),
				 0);
		assert_int_equal(r.status, 201);
		v = e2e_json(&r);
		e2e_response_free(&r);
		url = e2e_str(v, "url", NULL);
		hash = strchr(url, '#');
		assert_non_null(hash);
		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", hash + 1);
		json_decref(v);
		assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/board/session", h, body,
					     strlen(body), &r),
				 0);
		assert_int_equal(r.status, 200);
		v = e2e_json(&r);
		snprintf(br.cookie, sizeof(br.cookie), "%.43s", r.set_cookie + 15);
		snprintf(br.csrf, sizeof(br.csrf), "%s", e2e_str(v, "csrf", NULL));
		json_decref(v);
		e2e_response_free(&r);
		v = e2e_browser_call(&f->s, &br, 0, NULL, "GET",
				     "/api/v1/projects/demo/reports/by-event/"
				     "9ec79c33ec9942ab8353589fcb2e04dc",
				     NULL, &st);
		assert_int_equal(st, 403);
		json_decref(v);
	}
	/* Sentry's own header is not an API credential. */
	snprintf(auth, sizeof(auth), "X-Sentry-Auth: Sentry sentry_key=%s", f->s.key);
	v = by_event(f, "demo", eid, auth, &st);
	assert_int_equal(st, 401);
	json_decref(v);
}

/* The group of the report of event `eid`, through by-event, into g. */
static void group_of(fixture *f, const char *eid, char g[32])
{
	long st;
	json_t *v = by_event_key(f, "demo", f->s.key, eid, &st);

	assert_int_equal(st, 200);
	snprintf(g, 32, "%s", e2e_str(v, "group", NULL));
	json_decref(v);
}

/* fingerprint ["{{ default }}"] is the default grouping; with "db" beside it, a group of its own. */
static void test_fingerprint_default(void **state)
{
	fixture *f = *state;
	char g1[32], g2[32], g3[32], g4[32];

	store_crash(f, "11111111111111111111111111111111", NULL);
	store_crash(f, "22222222222222222222222222222222", "[\"{{ default }}\"]");
	store_crash(f, "33333333333333333333333333333333", "[\"{{default}}\",\"db\"]");
	store_crash(f, "44444444444444444444444444444444", "[\"{{ default }}\",\"db\"]");
	group_of(f, "11111111111111111111111111111111", g1);
	group_of(f, "22222222222222222222222222222222", g2);
	group_of(f, "33333333333333333333333333333333", g3);
	group_of(f, "44444444444444444444444444444444", g4);
	assert_string_equal(g1, g2);
	assert_string_not_equal(g1, g3);
	assert_string_equal(g3, g4);
	/* The stored report keeps the fingerprint as the SDK sent it. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE "
					    "json_extract(body, '$.fingerprint[1]') = 'db'"),
			 2);
}

/* POST as install `install` with the demo key: the HTTP status. */
static long as_install(fixture *f, const char *install, const char *method, const char *path,
		       const char *body, json_t **out)
{
	char kh[200], ih[200];
	const char *h[] = {kh, ih, "Content-Type: application/json", NULL};
	e2e_response r;
	long st;

	snprintf(kh, sizeof(kh), "X-Prosum-Key: %s", f->s.key);
	snprintf(ih, sizeof(ih), "X-Prosum-Install: %s", install);
	assert_int_equal(e2e_request(&f->s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	st = r.status;
	*out = e2e_json(&r);
	e2e_response_free(&r);
	return st;
}

/*
 * Events without a user name no tester: however many people hit a crash, their reports do
 * not make one made-up tester of the group, a credit, or an install's own reports.
 */
static void test_no_tester(void **state)
{
	fixture *f = *state;
	char ev[1024];
	json_t *v;
	long st;

	store_crash(f, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
	store_crash(f, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(v, "testers")), 0);
	json_decref(v);
	/* A user the SDK names is a tester. */
	snprintf(ev, sizeof(ev),
		 "{\"event_id\":\"cccccccccccccccccccccccccccccccc\",\"release\":\"app@1.0.0+%.12s\","
		 "\"user\":{\"id\":\"u-1\"},\"exception\":{\"values\":[{\"type\":"
		 "\"RuntimeError\",\"value\":\"boom\",\"stacktrace\":{\"frames\":[{\"function\":"
		 "\"start\",\"filename\":\"crt.c\"},{\"function\":\"main\",\"filename\":"
		 "\"main.c\",\"lineno\":3,\"in_app\":true}]}}]}}",
		 f->a);
	store_event(f, ev);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/groups/G-1", NULL, &st);
	assert_int_equal(json_integer_value(json_object_get(v, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(v, "testers")), 1);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM group_testers WHERE "
					    "install_id = 'sentry'"),
			 0);

	/* The anonymous reports are no install's: "mine" of install "sentry" lists none, and no
	 * one replies under them as their tester. The named user's report is theirs. */
	assert_int_equal(as_install(f, "sentry", "GET", "/api/v1/projects/demo/mine", NULL, &v), 200);
	assert_int_equal(json_array_size(json_object_get(v, "reports")), 0);
	json_decref(v);
	assert_int_equal(as_install(f, "u-1", "GET", "/api/v1/projects/demo/mine", NULL, &v), 200);
	assert_int_equal(json_array_size(json_object_get(v, "reports")), 1);
	json_decref(v);
	assert_int_equal(as_install(f, "sentry", "POST", "/api/v1/projects/demo/reports/R-1/comments",
				    "{\"body\":\"mine?\"}", &v),
			 403);
	json_decref(v);

	/* Fixed in a release: the credits count the named user once and no one else. */
	e2e_git(&f->s, NULL, 0,
		"sed -i 's/return 0;/return 1;/' main.c && git commit -qam 'Stop crashing\n\n"
		"Fixes G-1' && git tag v1.1.0");
	e2e_expect(&f->s, f->rel, "POST", "/api/v1/projects/demo/sync", NULL, 200);
	e2e_expect(&f->s, f->rel, "POST", "/api/v1/projects/demo/releases",
		   "{\"name\":\"1.1.0\",\"ref\":\"v1.1.0\"}", 201);
	v = e2e_call(&f->s, f->rel, "GET", "/api/v1/projects/demo/fame?release=1.1.0", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(v, "others")), 1);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_and_known, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_tester, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
