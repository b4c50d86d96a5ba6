/* test_e2e_cohort_reports.c - reports carry their sender's cohort, per-cohort crash groups in health, gates from the CLI, libprosum sessions by default. */
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
#include "prosum.h"

typedef struct fixture {
	e2e_server s; /* first */
	char env[2048]; /* the CLI's environment: the admin token, the demo project */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	e2e_cli_env(&f->s, f->env, sizeof(f->env));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* POST a report document with ingest key `key`; the answer must be 201. */
static void post(fixture *f, const char *key, const char *doc)
{
	char hdr[200];
	const char *h[] = {hdr, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Prosum-Key: %s", key);
	assert_int_equal(
	    e2e_request(&f->s, "POST", "/api/v1/projects/demo/reports", h, doc, strlen(doc), &r),
	    0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	e2e_response_free(&r);
}

/* A bug report titled `title` from install `install`, of channel `channel` (NULL: none). */
static void bug(fixture *f, const char *key, const char *title, const char *install,
		const char *channel)
{
	char uuid[37], doc[1024], build[128] = ",\"build\":{\"version\":\"1.0\"}";

	e2e_uuid(uuid);
	if (channel)
		snprintf(build, sizeof(build), ",\"build\":{\"version\":\"1.0\",\"channel\":\"%s\"}",
			 channel);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"%s\",\"tester\":{\"install_id\":"
		 "\"%s\"}%s}",
		 uuid, title, install, build);
	post(f, key, doc);
}

/* Sentry event n (its id), sent with `key` from environment `env`, by user `user` (NULL:
 * none). */
static void sentry_event(fixture *f, int n, const char *key, const char *message,
			 const char *env, const char *user)
{
	char hdr[256], ev[1024], u[128] = "";
	const char *h[] = {hdr, "Content-Type: application/json", NULL};
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s", key);
	if (user)
		snprintf(u, sizeof(u), ",\"user\":{\"id\":\"%s\"}", user);
	snprintf(ev, sizeof(ev),
		 "{\"event_id\":\"%032x\",\"message\":\"%s\",\"level\":\"error\",\"environment\":"
		 "\"%s\",\"release\":\"1.0\"%s}",
		 n, message, env, u);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/store/", h, ev, strlen(ev), &r), 0);
	if (r.status != 200)
		fail_msg("%ld %s", r.status, r.body);
	e2e_response_free(&r);
}

static void cohorts(fixture *f, const char *doc)
{
	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts", doc, 200);
}

/* The cohort the database holds for the report titled `title`. */
static const char *cohort_of(fixture *f, const char *title)
{
	static char out[128];
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT cohort FROM reports WHERE title = '%s'", title);
	if (e2e_sql_text(&f->s, sql, out, sizeof(out)) != 0)
		fail_msg("no report titled %s", title);
	return out;
}

/*
 * A report takes the cohort of its sender when it arrives, by the rule of sessions: the
 * install's (an admin's), else the ingest key's, else the channel's; a Sentry event the same,
 * its environment as the channel. It keeps it; the API, the filter and the CLI show it.
 */
static void test_reports_carry_cohort(void **state)
{
	fixture *f = *state;
	char key2[128], doc[256], out[8192];
	json_t *v, *items;
	long st;

	/* A second key, handed to the insiders. */
	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects/demo/keys", NULL, &st);
	assert_int_equal(st, 201);
	snprintf(key2, sizeof(key2), "%s", e2e_str(v, "key", NULL));
	json_decref(v);
	snprintf(doc, sizeof(doc), "{\"keys\":{\"%s\":\"insiders\"}}", key2);
	cohorts(f, doc);
	cohorts(f, "{\"channels\":{\"beta\":\"public beta\"},\"installs\":{\"moved\":\"expert "
		   "panel\"}}");

	bug(f, f->s.key, "plain none", "plain", NULL);
	bug(f, f->s.key, "plain beta", "plain", "beta");
	bug(f, f->s.key, "moved beta", "moved", "beta");
	bug(f, key2, "insider beta", "plain", "beta");
	bug(f, key2, "moved insider", "moved", NULL);
	sentry_event(f, 1, key2, "sentry insider", "beta", NULL);
	sentry_event(f, 2, f->s.key, "sentry moved", "beta", "moved");
	sentry_event(f, 3, f->s.key, "sentry beta", "beta", NULL);

	assert_string_equal(cohort_of(f, "plain none"), "");
	assert_string_equal(cohort_of(f, "plain beta"), "public beta");   /* the channel's */
	assert_string_equal(cohort_of(f, "moved beta"), "expert panel");  /* the install's first */
	assert_string_equal(cohort_of(f, "insider beta"), "insiders");    /* the key's over channel */
	assert_string_equal(cohort_of(f, "moved insider"), "expert panel"); /* install over key */
	assert_string_equal(cohort_of(f, "sentry insider"), "insiders");
	assert_string_equal(cohort_of(f, "sentry moved"), "expert panel");
	assert_string_equal(cohort_of(f, "sentry beta"), "public beta");

	/* Fixed at ingest: moving the channel later moves the reports after, not before. */
	cohorts(f, "{\"channels\":{\"beta\":\"general\"}}");
	bug(f, f->s.key, "plain beta later", "plain", "beta");
	assert_string_equal(cohort_of(f, "plain beta"), "public beta");
	assert_string_equal(cohort_of(f, "plain beta later"), "general");

	/* The API: the report, the list's items, the filter (and "cohort=": those of none). */
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/reports/R-3", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "title", NULL), "moved beta");
	assert_string_equal(e2e_str(v, "cohort", NULL), "expert panel");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/reports?cohort=insiders",
		     NULL, &st);
	assert_int_equal(st, 200);
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_non_null(e2e_find(items, "title", "insider beta"));
	assert_non_null(e2e_find(items, "title", "sentry insider"));
	assert_string_equal(e2e_str(json_array_get(items, 0), "cohort", NULL), "insiders");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/reports?cohort=", NULL, &st);
	assert_int_equal(st, 200);
	items = json_object_get(v, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(e2e_str(json_array_get(items, 0), "title", NULL), "plain none");
	assert_string_equal(e2e_str(json_array_get(items, 0), "cohort", NULL), "");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET",
		     "/api/v1/projects/demo/reports?cohort=expert%20panel&kind=bug", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 3); /* a message: a bug */
	json_decref(v);

	/* The command: the filter, and show. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "reports --cohort 'public beta'"), 0);
	assert_non_null(strstr(out, "plain beta"));
	assert_non_null(strstr(out, "sentry beta"));
	assert_null(strstr(out, "insider"));
	assert_null(strstr(out, "later"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "show R-3"), 0);
	assert_non_null(strstr(out, "cohort:      expert panel\n"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "show R-1"), 0);
	assert_null(strstr(out, "cohort:")); /* none: not shown */
}

/* One Sentry session of app@2.0.0+abc1234, whole, from install did. */
static void session(fixture *f, int n, const char *did, const char *status)
{
	char hdr[256], body[1024], when[32];
	const char *h[] = {hdr, NULL};
	time_t t = time(NULL) - 3600;
	struct tm tm;
	e2e_response r;

	snprintf(hdr, sizeof(hdr), "X-Sentry-Auth: Sentry sentry_version=7, sentry_key=%s",
		 f->s.key);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"%032x\",\"did\":\"%s\",\"init\":true,"
		 "\"started\":\"%s\",\"status\":\"%s\",\"errors\":0,\"attrs\":{\"release\":"
		 "\"app@2.0.0+abc1234\",\"environment\":\"beta\"}}\n",
		 n, did, when, status);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/1/envelope/", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	e2e_response_free(&r);
}

/* A crash report of version 2.0.0 in function fn, from install `install`. */
static void crash(fixture *f, const char *fn, const char *install)
{
	char uuid[37], doc[1024];

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"version\":\"2.0.0\"},"
		 "\"tester\":{\"install_id\":\"%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\",\"file\":\"main.c\",\"line\":3}]}",
		 uuid, install, fn);
	post(f, f->s.key, doc);
}

static json_int_t integer(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* |x - want| within a rounding of the answer (three decimals). */
#define assert_near(x, want)                                                                       \
	assert_true(json_number_value(x) > (want)-0.001 && json_number_value(x) < (want) + 0.001)

/*
 * The crash groups of each cohort's reports, with by=cohort. By hand:
 *   sessions: d1 (no cohort) 2, 1 crashed; d2 (expert panel) 3, 2 crashed.
 *   crash reports: engine_stall from d2, d2, d1; render_fault from d2, i-9 (no cohort).
 *   all: engine_stall 3 reports from 2 installs, render_fault 2 from 2: engine_stall first.
 *   expert panel: engine_stall 2 reports (1 install), 100 % of its 2 crashed sessions;
 *     render_fault 1 (50 %).
 *   none: engine_stall 1 (d1), render_fault 1 (i-9), each 100 % of its 1 crashed session;
 *     equal, so the older group (engine_stall) first.
 */
static void test_health_crashes_per_cohort(void **state)
{
	fixture *f = *state;
	json_t *h, *rel, *g, *c;
	char out[8192];
	long st;

	cohorts(f, "{\"installs\":{\"d2\":\"expert panel\"}}");
	session(f, 1, "d1", "exited");
	session(f, 2, "d1", "crashed");
	session(f, 3, "d2", "crashed");
	session(f, 4, "d2", "crashed");
	session(f, 5, "d2", "exited");
	crash(f, "engine_stall", "d2");
	crash(f, "engine_stall", "d2");
	crash(f, "engine_stall", "d1");
	crash(f, "render_fault", "d2");
	crash(f, "render_fault", "i-9");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE cohort = "
					    "'expert panel'"),
			 3);

	h = e2e_call(&f->s, f->s.token, "GET",
		     "/api/v1/projects/demo/health?release=app%402.0.0&by=cohort", NULL, &st);
	assert_int_equal(st, 200);
	rel = json_array_get(json_object_get(h, "releases"), 0);
	assert_non_null(rel);
	c = json_object_get(rel, "crashes");
	assert_int_equal(json_array_size(c), 2);
	assert_int_equal(integer(json_array_get(c, 0), "reports"), 3);
	assert_int_equal(integer(json_array_get(c, 0), "installs"), 2);

	g = e2e_find(json_object_get(rel, "groups"), "name", "expert panel");
	assert_non_null(g);
	assert_int_equal(integer(g, "crashed"), 2);
	c = json_object_get(g, "crashes");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(e2e_str(json_array_get(c, 0), "group", NULL),
			    e2e_str(json_array_get(json_object_get(rel, "crashes"), 0), "group",
				    NULL));
	assert_int_equal(integer(json_array_get(c, 0), "reports"), 2);
	assert_int_equal(integer(json_array_get(c, 0), "installs"), 1);
	assert_near(json_object_get(json_array_get(c, 0), "share"), 100.0);
	assert_int_equal(integer(json_array_get(c, 1), "reports"), 1);
	assert_near(json_object_get(json_array_get(c, 1), "share"), 50.0);

	g = e2e_find(json_object_get(rel, "groups"), "name", "");
	assert_non_null(g);
	assert_int_equal(integer(g, "crashed"), 1);
	c = json_object_get(g, "crashes");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(e2e_str(json_array_get(c, 0), "title", NULL),
			    e2e_str(json_array_get(json_object_get(rel, "crashes"), 0), "title",
				    NULL));
	assert_int_equal(integer(json_array_get(c, 0), "reports"), 1);
	assert_int_equal(integer(json_array_get(c, 1), "reports"), 1);
	assert_near(json_object_get(json_array_get(c, 1), "share"), 100.0);
	json_decref(h);

	/* Without by: no groups, so no per-cohort crashes. */
	h = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/health?release=app%402.0.0",
		     NULL, &st);
	assert_int_equal(st, 200);
	assert_null(json_object_get(json_array_get(json_object_get(h, "releases"), 0), "groups"));
	json_decref(h);

	assert_int_equal(
	    e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0 --by cohort"), 0);
	assert_non_null(strstr(out, "  crashes per cohort:\n"));
	assert_non_null(strstr(out, "    expert panel: G-"));
	assert_non_null(strstr(out, "  2 reports from 1 install (100.00% of the cohort's crashed "
				    "sessions)"));
	assert_non_null(strstr(out, "    (none): G-"));
}

/* prosum health gates: set, listed, judged by --check, refused when malformed, cleared. */
static void test_gates_from_the_cli(void **state)
{
	fixture *f = *state;
	char out[8192];
	int rc;

	/* 4 sessions of one build, 1 crashed: 75 % crash-free. */
	session(f, 1, "d1", "exited");
	session(f, 2, "d1", "exited");
	session(f, 3, "d2", "exited");
	session(f, 4, "d2", "crashed");

	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health gates"), 0);
	assert_string_equal(out, "no gates are set\n");
	rc = e2e_cli(out, sizeof(out), f->env,
		     "health gates --set 'crash_free_sessions>=99.5' --min-sessions 2 --set "
		     "'errored_rate < 50%%' 2>&1");
	if (rc != 0)
		fail_msg("exit %d: %s", rc, out);
	assert_string_equal(out, "crash_free_sessions >= 99.5 over >= 2 sessions\n"
				 "errored_rate < 50 over >= 0 sessions\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_gates"), 2);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT min_sessions FROM health_gates WHERE metric = "
					    "'crash_free_sessions'"),
			 2);
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health gates"), 0);
	assert_non_null(strstr(out, "errored_rate < 50 over >= 0 sessions\n"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0 --check 2>&1"),
			 1);
	assert_non_null(strstr(out, "fails the gate crash_free_sessions"));

	/* Malformed: one line naming the mistake, nothing sent. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health gates --set 'crash_free_session>=99' 2>&1"),
			 2);
	assert_non_null(strstr(out, "no metric \"crash_free_session\""));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health gates --set 'crash_free_sessions=99' 2>&1"),
			 2);
	assert_non_null(strstr(out, "expected METRIC OP VALUE"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health gates --set 'abnormal_rate<=120' 2>&1"),
			 2);
	assert_non_null(strstr(out, "a percentage from 0 to 100"));
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health gates --set 'abnormal_rate<=1' --set 'abnormal_rate<2' 2>&1"),
			 2);
	assert_non_null(strstr(out, "a second gate on abnormal_rate"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_gates"), 2);

	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health gates --clear"), 0);
	assert_string_equal(out, "no gates are set\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_gates"), 0);
	rc = e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0 --check 2>&1");
	if (rc != 0)
		fail_msg("exit %d: %s", rc, out);
	assert_non_null(strstr(out, "no gates are set"));

	/* A gate the build meets: exit 0. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env,
				 "health gates --set 'crash_free_sessions >= 70'"),
			 0);
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "health --release app@2.0.0 --check"),
			 0);
	assert_non_null(strstr(out, "meets every gate"));
}

/* The sessions of release 3.0.0 the server counted. */
static long long sessions_counted(fixture *f)
{
	return e2e_sql_int(&f->s, "SELECT coalesce(sum(started), 0) FROM health_hours WHERE "
				  "release = '3.0.0'");
}

static prosum_client *client(fixture *f, const char *spool, unsigned int flags)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.flags = flags;
	o.ca_file = f->s.cacert;
	o.spool_dir = spool;
	o.app_version = "3.0.0";
	/* Generous: close delivers what is queued unless the machine is very slow. */
	o.close_wait_ms = 30000;
	if (prosum_client_new(&c, f->s.dsn, &o) != 0)
		fail_msg("prosum_client_new: %s", prosum_error_last());
	return c;
}

/* A libprosum client made without flags records its run as a session, which the server counts;
 * one made with PROSUM_NO_SESSIONS does not, nor does the prosum command. */
static void test_library_sessions_by_default(void **state)
{
	fixture *f = *state;
	char spool[400], env[2600], out[2048];
	prosum_client *c;

	snprintf(spool, sizeof(spool), "%s/spool", f->s.dir);
	c = client(f, spool, 0);
	assert_int_equal(e2e_count_files(spool, ".open"), 1);
	prosum_close(c);
	assert_int_equal(e2e_count_files(spool, ".session"), 0); /* delivered */
	assert_int_equal(sessions_counted(f), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live WHERE status = "
					    "'exited'"),
			 1);

	c = client(f, spool, PROSUM_NO_SESSIONS);
	assert_int_equal(e2e_count_files(spool, ".open"), 0);
	prosum_close(c);
	assert_int_equal(sessions_counted(f), 1);

	/* The prosum command is no beta build: a report from it starts no session. */
	snprintf(env, sizeof(env), "%s PROSUM_SPOOL='%s/cli-spool'", f->env, f->s.dir);
	assert_int_equal(e2e_cli(out, sizeof(out), env,
				 "report --kind bug --title 'from the command' --version 3.0.0"),
			 0);
	snprintf(spool, sizeof(spool), "%s/cli-spool", f->s.dir);
	assert_int_equal(e2e_count_files(spool, ".open"), 0);
	assert_int_equal(e2e_count_files(spool, ".session"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reports_carry_cohort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_health_crashes_per_cohort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gates_from_the_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_library_sessions_by_default, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
