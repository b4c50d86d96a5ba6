/* test_e2e_sentry_health.c - sessions, client reports and dropped items from the Python Sentry SDK, read back by an admin. */
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

typedef e2e_release_fixture fixture;

static int setup(void **state)
{
	return e2e_release_setup(state, 1);
}

static int teardown(void **state)
{
	return e2e_release_teardown(state);
}

/*
 * The app (python3-sentry-sdk 1.9): three application sessions by the tester "tester-1" -- one
 * with a handled exception that ends normally, one clean, one that crashes (an exception marked
 * unhandled) -- one 'request' session (the SDK sends those as a `sessions` aggregate), a
 * message its before_send discards (the SDK reports it in a client_report) and a transaction.
 */
static const char app_py[] =
	"import sys\n"
	"import sentry_sdk\n"
	"from sentry_sdk import Hub\n"
	"from sentry_sdk.utils import event_from_exception\n"
	"dsn, ca = sys.argv[1:3]\n"
	"def drop(event, hint):\n"
	"    return None if event.get('message') == 'drop me' else event\n"
	"sentry_sdk.init(dsn=dsn, release='app@2.0.0', environment='beta', ca_certs=ca,\n"
	"                before_send=drop, send_client_reports=True, traces_sample_rate=1.0)\n"
	"sentry_sdk.set_user({'id': 'tester-1'})\n"
	"hub = Hub.current\n"
	"hub.start_session()\n"
	"try:\n"
	"    1 / 0\n"
	"except Exception:\n"
	"    sentry_sdk.capture_exception()\n"
	"sentry_sdk.capture_message('drop me')\n"
	"hub.end_session()\n"
	"hub.start_session()\n"
	"hub.end_session()\n"
	"hub.start_session()\n"
	"try:\n"
	"    raise RuntimeError('engine stalled')\n"
	"except Exception:\n"
	"    event, hint = event_from_exception(sys.exc_info(), client_options=hub.client.options,\n"
	"                                       mechanism={'type': 'test', 'handled': False})\n"
	"    hub.capture_event(event, hint=hint)\n"
	"hub.end_session()\n"
	"hub.start_session(session_mode='request')\n"
	"hub.end_session()\n"
	"with sentry_sdk.start_transaction(op='task', name='warm-up'):\n"
	"    pass\n"
	"sentry_sdk.flush(timeout=60)\n"
	"print('sent')\n";

/* The first entry of array `list` whose k1 is v1 (and k2 v2 when k2 is not NULL), or NULL. */
static json_t *entry(json_t *list, const char *k1, const char *v1, const char *k2, const char *v2)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		if (strcmp(e2e_str(e, k1, NULL) ? e2e_str(e, k1, NULL) : "", v1) == 0 &&
		    (!k2 || strcmp(e2e_str(e, k2, NULL) ? e2e_str(e, k2, NULL) : "", v2) == 0))
			return e;
	}
	return NULL;
}

static long long quantity(json_t *e)
{
	return e ? (long long)json_integer_value(json_object_get(e, "quantity")) : 0;
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* Run app_py with the project's DSN (its ingest key). */
static void run_app(fixture *f)
{
	char path[512], out[256];
	const char *dsn;
	json_t *proj;
	long st;
	FILE *fp;

	proj = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo", NULL, &st);
	assert_int_equal(st, 200);
	dsn = e2e_str(proj, "sentry_dsn", NULL);
	assert_non_null(dsn);
	snprintf(path, sizeof(path), "%s/health.py", f->s.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(app_py, fp);
	fclose(fp);
	/* The system's python3, where python3-sentry-sdk is installed (scripts/bootstrap). */
	assert_int_equal(e2e_sh(out, sizeof(out), "/usr/bin/python3 %s '%s' '%s' 2>&1", path, dsn,
				f->s.cacert),
			 0);
	json_decref(proj);
	assert_string_equal(out, "sent\n");
}

static void test_python_sdk_sessions(void **state)
{
	fixture *f = *state;
	json_t *in, *ses, *rel;
	long st;

	run_app(f);

	/* What the database holds: counts, not sessions. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) FROM health_hours WHERE release "
					    "= 'app@2.0.0' AND environment = 'beta'"),
			 4);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs WHERE did = "
					    "'tester-1' AND crashed = 1"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live"), 3);

	/* An admin reads it; a release manager may not. */
	e2e_expect(&f->s, f->rel, "GET", "/api/v1/projects/demo/intake", NULL, 403);
	in = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/intake", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(num(in, "days"), 30);
	ses = json_object_get(in, "sessions");
	/* 3 application sessions and 1 request session; exited: the first, second and the request
	 * one; errored: the handled exception's and the crash's. */
	assert_int_equal(num(ses, "started"), 4);
	assert_int_equal(num(ses, "exited"), 3);
	assert_int_equal(num(ses, "errored"), 2);
	assert_int_equal(num(ses, "crashed"), 1);
	assert_int_equal(num(ses, "abnormal"), 0);
	rel = json_array_get(json_object_get(ses, "releases"), 0);
	assert_string_equal(e2e_str(rel, "release", NULL), "app@2.0.0");
	assert_string_equal(e2e_str(rel, "environment", NULL), "beta");
	assert_int_equal(num(rel, "installs"), 1);
	assert_int_equal(num(rel, "crashed_installs"), 1);
	assert_true(json_real_value(json_object_get(rel, "crash_free_sessions")) == 0.75);
	assert_true(json_real_value(json_object_get(rel, "crash_free_installs")) == 0.0);
	assert_int_equal(quantity(entry(json_object_get(in, "health_items"), "type", "session",
					"outcome", "accepted")),
			 3);
	assert_int_equal(quantity(entry(json_object_get(in, "health_items"), "type", "sessions",
					"outcome", "accepted")),
			 1);
	assert_int_equal(quantity(entry(json_object_get(in, "discarded"), "reason", "before_send",
					"category", "error")),
			 1);
	assert_int_equal(quantity(entry(json_object_get(in, "dropped"), "type", "transaction", NULL,
					NULL)),
			 1);
	json_decref(in);
}

/*
 * Cohorts of the Python SDK's sessions: the environment "beta" maps to "public beta", the key
 * the DSN holds to "insiders"; the key wins over the channel, so all four sessions (and the
 * install) count in "insiders" and none in "public beta". The release names no commit:
 * revision ''.
 */
static void test_python_sdk_cohorts(void **state)
{
	fixture *f = *state;
	char body[512];
	json_t *c;
	long st;

	snprintf(body, sizeof(body),
		 "{\"channels\":{\"beta\":\"public beta\"},\"keys\":{\"%s\":\"insiders\"}}",
		 f->s.key);
	e2e_expect(&f->s, f->rel, "PATCH", "/api/v1/projects/demo/cohorts", body, 403);
	c = e2e_call(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(c, "keys", f->s.key), "insiders");
	assert_string_equal(e2e_str(c, "channels", "beta"), "public beta");
	json_decref(c);
	run_app(f);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) * 10 + sum(crashed) FROM "
					    "health_hours WHERE release = 'app@2.0.0' AND cohort = "
					    "'insiders' AND revision = ''"),
			 41);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_hours WHERE cohort <> "
					    "'insiders'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs WHERE did = "
					    "'tester-1' AND cohort = 'insiders'"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live WHERE cohort = "
					    "'insiders'"),
			 3);
}

/* Raw envelopes: a session resent after its end, a malformed one and a transaction alone are
 * all answered 200 and counted. */
static void test_raw_envelopes(void **state)
{
	fixture *f = *state;
	char hdr[256], body[1024], started[32];
	const char *h[] = {hdr, NULL};
	time_t now = time(NULL);
	struct tm tm;
	json_t *in;
	e2e_response r;
	long st;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s", f->s.key);
	gmtime_r(&now, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"7d0f6e1c-2b3a-4c5d-8e9f-0a1b2c3d4e5f\","
		 "\"init\":true,\"started\":\"%s\",\"status\":\"exited\",\"attrs\":{\"release\":"
		 "\"app@3.0\"}}\n",
		 started);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
	snprintf(body, sizeof(body),
		 "{\"event_id\":\"9f0e1d2c3b4a59687766554433221100\"}\n{\"type\":\"transaction\"}\n{}\n"
		 "{\"type\":\"session\"}\n{\"sid\":42}\n");
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"id\":\"9f0e1d2c3b4a59687766554433221100\"}");
	e2e_response_free(&r);

	in = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/intake", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(num(json_object_get(in, "sessions"), "started"), 1);
	assert_int_equal(num(json_object_get(in, "sessions"), "exited"), 1);
	assert_int_equal(quantity(entry(json_object_get(in, "health_items"), "type", "session",
					"outcome", "after_end")),
			 1);
	assert_int_equal(quantity(entry(json_object_get(in, "health_items"), "type", "session",
					"outcome", "invalid")),
			 1);
	assert_int_equal(quantity(entry(json_object_get(in, "dropped"), "type", "transaction", NULL,
					NULL)),
			 1);
	json_decref(in);
	/* Another project's intake is not this key's to fill: a key of project 1 sent to a
	 * project id that does not exist is refused, nothing counted. */
	assert_int_equal(e2e_request(&f->s, "POST", "/api/77/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 404);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM intake_counts WHERE project_id "
					    "<> 1"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_python_sdk_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_envelopes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_python_sdk_cohorts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
