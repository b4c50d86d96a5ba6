/* test_e2e_health_order.c - beta 2 and beta 3 sent by libprosum and a Sentry SDK: which build is before which, which release comes first, what --check judges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_release_fixture r; /* first */
	char a[13], b[13];     /* beta 2's commit and beta 3's, one after it, short */
	char env[2048];        /* the CLI's environment */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_git_head(&f->r.s, f->r.a) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	if (e2e_start(&f->r.s, NULL) < 0)
		return -1;
	e2e_cli_env(&f->r.s, f->env, sizeof(f->env));
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	if (f->r.s.pid > 0)
		assert_int_equal(e2e_stop(&f->r.s), 0);
	e2e_fixture_free(f);
	return 0;
}

/* A whole session as libprosum sends it: release, revision (a tag here), status. */
static void lib_session(fixture *f, int n, const char *release, const char *revision,
			const char *install, int64_t started, const char *status)
{
	char key[200], body[1024];
	const char *h[] = {key, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", f->r.s.key);
	snprintf(body, sizeof(body),
		 "{\"sid\":\"%032x\",\"install_id\":\"%s\",\"started\":%lld,\"status\":\"%s\","
		 "\"duration\":%s,\"errors\":0,\"release\":\"%s\",\"revision\":\"%s\","
		 "\"channel\":\"beta\",\"platform\":\"Linux\"}",
		 n, install, (long long)started, status,
		 strcmp(status, "exited") == 0 ? "5" : "null", release, revision);
	assert_int_equal(e2e_request(&f->r.s, "POST", "/api/v1/projects/demo/sessions", h, body,
				     strlen(body), &r),
			 0);
	if (r.status != 200 || !strstr(r.body, "accepted"))
		fail_msg("%ld %s", r.status, r.body);
	e2e_response_free(&r);
}

/* A whole session as a Sentry SDK sends it, release "app@VERSION+HASH". */
static void sdk_session(fixture *f, int n, const char *version, const char *hash, const char *did,
			int64_t started, const char *status)
{
	char hdr[256], body[1024], when[32];
	const char *h[] = {hdr, NULL};
	time_t t = (time_t)started;
	struct tm tm;
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s",
		 f->r.s.key);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"%032x\",\"did\":\"%s\",\"init\":true,"
		 "\"started\":\"%s\",\"status\":\"%s\",\"attrs\":{\"release\":\"app@%s+%s\","
		 "\"environment\":\"beta\"}}\n",
		 n, did, when, status, version, hash);
	assert_int_equal(
	    e2e_request(&f->r.s, "POST", "/api/1/envelope/", h, body, strlen(body), &r), 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

static json_t *release_named(json_t *answer, const char *name)
{
	return e2e_find(json_object_get(answer, "releases"), "release", name);
}

static json_t *build_named(json_t *rel, const char *name)
{
	return e2e_find(json_object_get(rel, "builds"), "build", name);
}

/*
 * Beta 2 is built from commit A (tag v2.0.0-beta.2), beta 3 from B, a child of A (tag
 * v2.0.0-beta.3). libprosum names its builds by the tag, the SDK by the commit's hash, so each
 * commit is two builds, in four releases. All sessions start in the same hour.
 *
 * By hand: libprosum beta 2 (v2.0.0-beta.2): 4 sessions, 1 crashed: 75 % crash-free; beta 3
 *   (v2.0.0-beta.3): 4 sessions, none crashed: 100 %, +25 against beta 2's libprosum build.
 * SDK beta 2 (A): 2 sessions exited: 100 %; beta 3 (B): 3 sessions, 1 crashed: 66.67 %,
 *   -33.33 against the SDK's beta 2 build (A), not against v2.0.0-beta.3 (the same commit B).
 * The newest release in the history is a beta 3: listed first, and judged by --check.
 */
static void test_beta3_against_beta2(void **state)
{
	fixture *f = *state;
	char full[41], out[16384];
	int64_t at = (int64_t)time(NULL) - 120;
	json_t *v, *rel, *b, *prev;
	long st;
	int i, rc;

	memcpy(f->a, f->r.a, 12);
	f->a[12] = '\0';
	e2e_git(&f->r.s, NULL, 0, "git tag v2.0.0-beta.2");
	e2e_git(&f->r.s, NULL, 0, "git commit -q --allow-empty -m 'Beta 3'");
	e2e_git(&f->r.s, NULL, 0, "git tag v2.0.0-beta.3");
	e2e_git(&f->r.s, full, sizeof(full), "git rev-parse HEAD");
	memcpy(f->b, full, 12);
	f->b[12] = '\0';

	/* Sent newest first, so the order they were first seen is not the history's. */
	for (i = 0; i < 4; i++)
		lib_session(f, 10 + i, "2.0.0-beta.3", "v2.0.0-beta.3", i < 2 ? "i1" : "i2", at,
			    "exited");
	sdk_session(f, 20, "2.0.0-beta.3", f->b, "p1", at, "exited");
	sdk_session(f, 21, "2.0.0-beta.3", f->b, "p1", at, "exited");
	sdk_session(f, 22, "2.0.0-beta.3", f->b, "p1", at, "crashed");
	for (i = 0; i < 4; i++)
		lib_session(f, 30 + i, "2.0.0-beta.2", "v2.0.0-beta.2", i < 2 ? "i1" : "i2", at,
			    i == 3 ? "crashed" : "exited");
	sdk_session(f, 40, "2.0.0-beta.2", f->a, "p2", at, "exited");
	sdk_session(f, 41, "2.0.0-beta.2", f->a, "p2", at, "exited");
	/* A build git cannot place (no revision): listed after the ones it can. */
	lib_session(f, 50, "2.0.0-rc.1", "", "i3", at, "exited");

	v = e2e_call(&f->r.s, f->r.s.token, "GET", "/api/v1/projects/demo/health", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "order", NULL), "git");

	/* libprosum's beta 3 against libprosum's beta 2. */
	rel = release_named(v, "2.0.0-beta.3");
	assert_non_null(rel);
	b = build_named(rel, "v2.0.0-beta.3");
	assert_non_null(b);
	assert_int_equal(json_integer_value(json_object_get(b, "sessions")), 4);
	prev = json_object_get(b, "previous");
	assert_true(json_is_object(prev));
	assert_string_equal(e2e_str(prev, "build", NULL), "v2.0.0-beta.2");
	assert_true(json_real_value(json_object_get(json_object_get(b, "change"),
						    "crash_free_sessions")) > 24.99);
	assert_true(json_real_value(json_object_get(json_object_get(b, "change"),
						    "crash_free_sessions")) < 25.01);

	/* The SDK's beta 3 against the SDK's beta 2, never against a build of its own commit. */
	rel = release_named(v, "app@2.0.0-beta.3");
	assert_non_null(rel);
	b = build_named(rel, f->b);
	assert_non_null(b);
	prev = json_object_get(b, "previous");
	assert_true(json_is_object(prev));
	assert_string_equal(e2e_str(prev, "build", NULL), f->a);
	assert_string_equal(e2e_str(prev, "release", NULL), "app@2.0.0-beta.2");
	assert_true(json_real_value(json_object_get(json_object_get(b, "change"),
						    "crash_free_sessions")) < -33.32);

	/* Neither beta 2 build has one before it: both are of the first commit. */
	b = build_named(release_named(v, "2.0.0-beta.2"), "v2.0.0-beta.2");
	assert_non_null(b);
	assert_true(json_is_null(json_object_get(b, "previous")));
	b = build_named(release_named(v, "app@2.0.0-beta.2"), f->a);
	assert_non_null(b);
	assert_true(json_is_null(json_object_get(b, "previous")));

	/* Last seen in the same hour: the releases newest in the history come first. */
	rel = json_array_get(json_object_get(v, "releases"), 0);
	assert_non_null(strstr(e2e_str(rel, "release", NULL), "2.0.0-beta.3"));
	rel = json_array_get(json_object_get(v, "releases"), 3);
	assert_non_null(strstr(e2e_str(rel, "release", NULL), "2.0.0-beta.2"));
	rel = json_array_get(json_object_get(v, "releases"), 4);
	assert_string_equal(e2e_str(rel, "release", NULL), "2.0.0-rc.1");
	json_decref(v);

	/* So CI's `prosum health --check` judges a beta 3 build, not beta 2's. */
	v = e2e_call(&f->r.s, f->r.s.token, "PUT", "/api/v1/projects/demo/health/gates",
		     "{\"gates\":[{\"metric\":\"crash_free_sessions\",\"op\":\">=\",\"value\":50}]}",
		     &st);
	assert_int_equal(st, 200);
	json_decref(v);
	rc = e2e_cli(out, sizeof(out), f->env, "health --check 2>&1");
	if (rc != 0)
		fail_msg("exit %d: %s", rc, out);
	assert_non_null(strstr(out, "check: "));
	assert_non_null(strstr(strstr(out, "check: "), "2.0.0-beta.3 build"));

	/* The command counts in words: one install, and a build without a revision is (none). */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0-beta.3"), 0);
	assert_non_null(strstr(out, "release app@2.0.0-beta.3: 3 sessions (1 crashed), 1 install (1 "
				    "crashed)"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health --release 2.0.0-rc.1"), 0);
	assert_non_null(strstr(out, "release 2.0.0-rc.1: 1 session (0 crashed), 1 install (0 "
				    "crashed)"));
	assert_non_null(strstr(out, "\n  (none) "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_beta3_against_beta2, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
