/* test_e2e_sessions.c - libprosum sessions (exited, errored, crashed, abnormal), cohorts and ratings against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "prosum.h"

typedef struct fixture {
	e2e_server s;
	char spool[320];
	char env[2048];
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/spool", f->s.dir);
	e2e_cli_env(&f->s, f->env, sizeof(f->env));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

/* A client of the beta build 2.1.0 (revision abc1234, channel beta) on the test's spool. */
static prosum_client *client(fixture *f, unsigned int flags)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;

	o.flags = flags | PROSUM_NO_ENV;
	o.ca_file = f->s.cacert;
	o.spool_dir = f->spool;
	o.app_version = "2.1.0";
	o.app_revision = "abc1234";
	o.app_channel = "beta";
	/* Generous: close delivers what is queued unless the machine is very slow. */
	o.close_wait_ms = 30000;
	if (prosum_client_new(&c, f->s.dsn, &o) != 0)
		fail_msg("prosum_client_new: %s", prosum_error_last());
	return c;
}

/* The health_hours counts of build 2.1.0/abc1234 in cohort `cohort`, as "started exited
 * errored abnormal crashed duration_n". */
static const char *counts(fixture *f, const char *cohort)
{
	static char out[128];
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT printf('%%d %%d %%d %%d %%d %%d', sum(started), sum(exited), "
		 "sum(errored), sum(abnormal), sum(crashed), sum(duration_n)) FROM health_hours "
		 "WHERE release = '2.1.0' AND revision = 'abc1234' AND environment = 'beta' AND "
		 "cohort = '%s'",
		 cohort);
	if (e2e_sql_text(&f->s, sql, out, sizeof(out)) != 0)
		snprintf(out, sizeof(out), "none");
	return out;
}

/* A clean run: started at prosum_client_new(), exited at prosum_close(), with its duration. */
static void test_clean_run_exits(void **state)
{
	fixture *f = *state;
	prosum_client *c = client(f, PROSUM_SESSIONS);

	assert_int_equal(e2e_count_files(f->spool, ".open"), 1);
	prosum_close(c);
	assert_int_equal(e2e_count_files(f->spool, ".open"), 0);
	assert_int_equal(e2e_count_files(f->spool, ".session"), 0);
	assert_string_equal(counts(f, ""), "1 1 0 0 0 1");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs WHERE release = "
					    "'2.1.0' AND crashed = 0 AND errored = 0"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live WHERE status = "
					    "'exited'"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT quantity FROM intake_counts WHERE type = "
					    "'prosum_session' AND outcome = 'accepted'"),
			 1);
}

/* A run that sent a bug report: it exits, and counts as errored (feedback does not). */
static void test_errored_run(void **state)
{
	fixture *f = *state;
	prosum_client *c = client(f, PROSUM_SESSIONS);
	prosum_report *r = NULL, *fb = NULL;

	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "the chart is empty"), 0);
	assert_int_equal(prosum_submit(c, r), 0);
	assert_int_equal(prosum_report_new(&fb, PROSUM_KIND_FEEDBACK), 0);
	assert_int_equal(prosum_report_set_title(fb, "nice colours"), 0);
	assert_int_equal(prosum_submit(c, fb), 0);
	prosum_close(c);
	prosum_report_free(r);
	prosum_report_free(fb);
	assert_string_equal(counts(f, ""), "1 1 1 0 0 1");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 2);
}

/* Start a child that makes a client with sessions and dies: by abort() with the crash
 * handler (how = 'c'), or by _exit() without closing (how = 'k'). Waits for it. */
static void child_run(fixture *f, int how)
{
	pid_t pid = fork();
	int st = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		prosum_options o = PROSUM_OPTIONS_INIT;
		prosum_client *c = NULL;

		o.flags = PROSUM_SESSIONS | PROSUM_NO_ENV | PROSUM_NO_SENDER;
		o.ca_file = f->s.cacert;
		o.spool_dir = f->spool;
		o.app_version = "2.1.0";
		o.app_revision = "abc1234";
		o.app_channel = "beta";
		if (prosum_client_new(&c, f->s.dsn, &o) != 0)
			_exit(3);
		if (how == 'c') {
			if (prosum_install_crash_handler(c) != 0)
				_exit(4);
			abort();
		}
		_exit(0); /* no prosum_close, no atexit: as if killed */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (how == 'c')
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	else
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A run that crashes (crash handler) ends its session as crashed on the next start; a run
 * that ends without a word is abnormal. Neither is known before the next start. */
static void test_crash_ends_session_on_next_start(void **state)
{
	fixture *f = *state;
	prosum_client *c;

	child_run(f, 'c');
	assert_int_equal(e2e_count_files(f->spool, ".crashed"), 1);
	assert_int_equal(e2e_count_files(f->spool, ".open"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_hours"), 0);
	child_run(f, 'k');
	assert_int_equal(e2e_count_files(f->spool, ".open"), 1);

	/* The next start (without a session of its own) queues both and delivers them. */
	c = client(f, PROSUM_NO_SESSIONS);
	assert_int_equal(e2e_count_files(f->spool, ".crashed"), 0);
	assert_int_equal(e2e_count_files(f->spool, ".open"), 0);
	assert_int_equal(prosum_flush(c, 60000), 0);
	prosum_close(c);
	/* Two sessions: one crashed, one abnormal; both errored; neither exited, so no
	 * duration. The crash record became a crash report too. */
	assert_string_equal(counts(f, ""), "2 0 2 1 1 0");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs WHERE release = "
					    "'2.1.0' AND crashed = 1 AND abnormal = 1"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'crash'"),
			 1);
}

/* Cohorts: the channel's, then the key's over it, then the install's over both, each taken
 * when a session starts; sessions already counted stay where they were. */
static void test_cohorts_per_channel_key_install(void **state)
{
	fixture *f = *state;
	char body[512];
	prosum_client *c;
	json_t *got;
	long st;

	char out[2048], line[256];

	/* Set with the prosum command (an admin's token), which prints the cohorts. */
	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "cohort channel beta 'public beta'"), 0);
	assert_string_equal(out, "channel  beta                                 public beta\n");
	prosum_close(client(f, PROSUM_SESSIONS));
	snprintf(body, sizeof(body), "{\"keys\":{\"%s\":\"insiders\"}}", f->s.key);
	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts", body, 200);
	prosum_close(client(f, PROSUM_SESSIONS));
	c = client(f, PROSUM_NO_SESSIONS); /* only its install id: no session to count */
	snprintf(body, sizeof(body), "{\"installs\":{\"%s\":\"expert panel\"}}",
		 prosum_client_install_id(c));
	prosum_close(c);
	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts", body, 200);
	prosum_close(client(f, PROSUM_SESSIONS));
	prosum_close(client(f, PROSUM_SESSIONS));

	assert_string_equal(counts(f, "public beta"), "1 1 0 0 0 1");
	assert_string_equal(counts(f, "insiders"), "1 1 0 0 0 1");
	assert_string_equal(counts(f, "expert panel"), "2 2 0 0 0 2");
	/* One install, seen in three cohorts: a row in each. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs"), 3);

	assert_int_equal(e2e_cli(out, sizeof(out), f->env, "cohort"), 0);
	snprintf(line, sizeof(line), "key      %-36s insiders\n", f->s.key);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "install  "));
	assert_non_null(strstr(out, " expert panel\n"));
	got = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/cohorts", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(got, "keys", f->s.key), "insiders");
	assert_string_equal(e2e_str(got, "channels", "beta"), "public beta");
	json_decref(got);
	/* Cleared with null; an unknown key is named. */
	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts",
		   "{\"channels\":{\"beta\":null}}", 200);
	got = e2e_call(&f->s, f->s.token, "PATCH", "/api/v1/projects/demo/cohorts",
		       "{\"keys\":{\"nope\":\"x\"}}", &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(got, "error", "field"), "keys.nope");
	json_decref(got);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM channel_cohorts"), 0);
}

/* A tester rates the build, then changes the rating: one rating, the latest, read back. */
static void test_rating_changed_and_read_back(void **state)
{
	fixture *f = *state;
	prosum_client *c;
	char out[1024], env[400];
	json_t *got;
	long st;

	/* prosum rate (this install: the test's spool), before any session: no build to rate,
	 * refused. After one: that session's build. */
	snprintf(env, sizeof(env), "PROSUM_SPOOL='%s'", f->spool);
	assert_int_not_equal(e2e_cli(out, sizeof(out), env, "rate 3 'so so' --dsn '%s' --cacert "
				     "'%s' 2>&1", f->s.dsn, f->s.cacert),
			     0);
	assert_non_null(strstr(out, "no build is known for this install"));
	prosum_close(client(f, PROSUM_SESSIONS));
	assert_int_equal(e2e_cli(out, sizeof(out), env, "rate 3 'so so' --dsn '%s' --cacert '%s'",
				 f->s.dsn, f->s.cacert),
			 0);
	assert_string_equal(out, "rated 2.1.0 (abc1234): 3 of 5\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT rating FROM ratings WHERE comment = 'so so'"),
			 3);

	c = client(f, PROSUM_NO_SESSIONS); /* rates the build it runs: no session needed */
	assert_int_equal(prosum_rate(NULL, c, 0, NULL), PROSUM_EINVALID);
	assert_int_equal(prosum_rate(NULL, c, 4, "fast, but the chart flickers"), 0);
	assert_int_equal(prosum_flush(c, 60000), 0);
	assert_int_equal(prosum_rate(NULL, c, 2, "it crashed twice today"), 0);
	assert_int_equal(prosum_flush(c, 60000), 0);
	prosum_close(c);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM ratings"), 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT rating FROM ratings WHERE release = '2.1.0' "
					    "AND revision = 'abc1234' AND comment = 'it crashed "
					    "twice today'"),
			 2);

	/* A second tester's 5, sent by hand with the ingest key. */
	{
		char hdr[200], body[256];
		const char *h[] = {hdr, "Content-Type: application/json", NULL};
		e2e_response r;

		snprintf(hdr, sizeof(hdr), "X-Prosum-Key: %s", f->s.key);
		snprintf(body, sizeof(body), "{\"install_id\":\"t-2\",\"release\":\"2.1.0\","
					     "\"revision\":\"abc1234\",\"rating\":5}");
		assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/ratings", h, body,
					     strlen(body), &r),
				 0);
		assert_int_equal(r.status, 201);
		e2e_response_free(&r);
		snprintf(body, sizeof(body), "{\"install_id\":\"t-2\",\"rating\":6}");
		assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/ratings", h, body,
					     strlen(body), &r),
				 0);
		assert_int_equal(r.status, 422);
		assert_non_null(strstr(r.body, "\"rating\""));
		e2e_response_free(&r);
	}
	/* The distribution, counted by hand: a 2 and a 5, mean 3.5, two comments... one. */
	got = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/ratings?release=2.1.0",
		       NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_integer_value(json_object_get(got, "ratings")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "counts"), "2")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "counts"), "5")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "counts"), "4")),
			 0);
	assert_true(json_real_value(json_object_get(got, "mean")) == 3.5);
	assert_int_equal(json_integer_value(json_object_get(got, "comments")), 1);
	json_decref(got);
}

/* A session sent by hand with the ingest key: the answer's status; its body in body. */
static long post_session(fixture *f, const char *doc, char *body, size_t bodysz)
{
	char hdr[200];
	const char *h[] = {hdr, "Content-Type: application/json", NULL};
	e2e_response r;
	long st;

	snprintf(hdr, sizeof(hdr), "X-Prosum-Key: %s", f->s.key);
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects/demo/sessions", h, doc,
				     strlen(doc), &r),
			 0);
	st = r.status;
	snprintf(body, bodysz, "%s", r.body ? r.body : "");
	e2e_response_free(&r);
	return st;
}

/* The platform: libprosum's session names the OS it runs on (uname's, Darwin as macOS), fixed
 * at the start; one sent by hand is checked (printable, at most 64 bytes) and kept. */
static void test_session_platform(void **state)
{
	fixture *f = *state;
	struct utsname u;
	char want[80], sql[256], doc[512], body[1024];
	long long now = (long long)time(NULL);
	static const char sid[] = "5d1f0c3a-0b7e-4c59-9a0e-3f3b1c2d4e5f";

	assert_int_equal(uname(&u), 0);
	snprintf(want, sizeof(want), "%s", strcmp(u.sysname, "Darwin") == 0 ? "macOS" : u.sysname);
	prosum_close(client(f, PROSUM_SESSIONS));
	snprintf(sql, sizeof(sql),
		 "SELECT sum(started) FROM health_hours WHERE release = '2.1.0' AND platform = '%s'",
		 want);
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM health_installs WHERE platform = '%s' AND release = '2.1.0'",
		 want);
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM health_live WHERE platform = '%s'", want);
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);

	/* By hand: Windows; then its end naming another platform: the start's stays. */
	snprintf(doc, sizeof(doc),
		 "{\"sid\":\"%s\",\"install_id\":\"t-win\",\"release\":\"2.1.0\",\"status\":"
		 "\"ok\",\"started\":%lld,\"platform\":\"Windows\"}",
		 sid, now - 60);
	if (post_session(f, doc, body, sizeof(body)) != 200)
		fail_msg("%s", body);
	snprintf(doc, sizeof(doc),
		 "{\"sid\":\"%s\",\"install_id\":\"t-win\",\"release\":\"2.1.0\",\"status\":"
		 "\"crashed\",\"started\":%lld,\"platform\":\"Linux\"}",
		 sid, now - 60);
	if (post_session(f, doc, body, sizeof(body)) != 200)
		fail_msg("%s", body);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) * 10 + sum(crashed) FROM "
					    "health_hours WHERE platform = 'Windows'"),
			 11);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT crashed FROM health_installs WHERE did = "
					    "'t-win' AND platform = 'Windows'"),
			 1);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_installs WHERE did = "
					    "'t-win'"),
			 1);

	/* Refused, the field named: a control character, 65 bytes, not text. */
	snprintf(doc, sizeof(doc),
		 "{\"sid\":\"%s\",\"install_id\":\"t-2\",\"release\":\"2.1.0\",\"status\":"
		 "\"ok\",\"started\":%lld,\"platform\":\"Lin\\u0007ux\"}",
		 "6d1f0c3a-0b7e-4c59-9a0e-3f3b1c2d4e5f", now - 60);
	assert_int_equal(post_session(f, doc, body, sizeof(body)), 422);
	assert_non_null(strstr(body, "\"field\":\"platform\""));
	snprintf(doc, sizeof(doc),
		 "{\"sid\":\"%s\",\"install_id\":\"t-2\",\"release\":\"2.1.0\",\"status\":"
		 "\"ok\",\"started\":%lld,\"platform\":\"%065d\"}",
		 "6d1f0c3a-0b7e-4c59-9a0e-3f3b1c2d4e5f", now - 60, 0);
	assert_int_equal(post_session(f, doc, body, sizeof(body)), 422);
	assert_non_null(strstr(body, "\"field\":\"platform\""));
	snprintf(doc, sizeof(doc),
		 "{\"sid\":\"%s\",\"install_id\":\"t-2\",\"release\":\"2.1.0\",\"status\":"
		 "\"ok\",\"started\":%lld,\"platform\":7}",
		 "6d1f0c3a-0b7e-4c59-9a0e-3f3b1c2d4e5f", now - 60);
	assert_int_equal(post_session(f, doc, body, sizeof(body)), 422);
	assert_non_null(strstr(body, "\"field\":\"platform\""));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM health_live WHERE sid LIKE "
					    "'6d1f%'"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_run_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errored_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_ends_session_on_next_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cohorts_per_channel_key_install, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rating_changed_and_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_platform, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
