/* test_sentry_health.c - session, sessions and client_report items parsed and applied to a real store, counted by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rfc3339.h"
#include "sentry/envelope.h"
#include "sentry/health.h"
#include "sentry/useragent.h"
#include "store/store_cohorts.h"
#include "store/store_health.h"
#include "unit_store.h"

typedef unit_store fixture;

/* "Now" in every test: an hour's start, so T - 600 lies in the hour T - 3600. */
#define T ((int64_t)1796040000)
#define H (T - 3600) /* the hour sessions started at T - 600 fall in */

static int setup(void **state)
{
	return unit_store_setup(state);
}

static int teardown(void **state)
{
	return unit_store_teardown(state);
}

/* "T+secs" (secs may be negative) as RFC 3339, in a rotating static buffer. */
static const char *at(int64_t secs)
{
	static char bufs[8][RFC3339_MAX];
	static int next;
	char *b = bufs[next++ % 8];

	rfc3339_format(b, T + secs);
	return b;
}

/* Parse `text` as an envelope, its health items, and apply them at `now` in one transaction, as
 * the writer does. */
static void send_at(fixture *f, int64_t now, const char *text)
{
	sentry_envelope env;
	sentry_health *h;
	char err[256];
	char *copy = strdup(text);

	assert_non_null(copy);
	assert_int_equal(sentry_envelope_parse(&env, copy, strlen(copy), 1 << 20, err, sizeof(err)),
			 0);
	h = sentry_health_parse(&env);
	assert_non_null(h);
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(sentry_health_apply(f->db, f->project, h, now), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	sentry_health_free(h);
	sentry_envelope_free(&env);
	free(copy);
}

static void send(fixture *f, const char *text)
{
	send_at(f, T, text);
}

/* One session update: sid ends in `n`, started at T+started, status, errors, extra members. */
static void update(fixture *f, int n, int init, int64_t started, const char *status, int errors,
		   const char *release, const char *extra)
{
	char env[1024];

	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"1b2c3d4e-5f60-4172-8394-a5b6c7d8e9%02d\","
		 "\"did\":\"install-%d\",\"init\":%s,\"started\":\"%s\",\"timestamp\":\"%s\","
		 "\"status\":\"%s\",\"errors\":%d,\"attrs\":{\"release\":\"%s\","
		 "\"environment\":\"beta\"}%s}\n",
		 n, n, init ? "true" : "false", at(started), at(-1), status, errors, release,
		 extra ? extra : "");
	send(f, env);
}

/* One integer from the database (a read connection of its own). */
static int64_t sql_int(fixture *f, const char *sql)
{
	sqlite3 *raw;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(raw);
	return v;
}

/* The hour row of release r1 (env beta) at hour h as "started exited errored abnormal crashed
 * duration_n duration_ms", or "none". */
static const char *hour_row(fixture *f, const char *release, int64_t h)
{
	static char out[128];
	char sql[256];
	sqlite3 *raw;
	sqlite3_stmt *s;

	snprintf(sql, sizeof(sql),
		 "SELECT started, exited, errored, abnormal, crashed, duration_n, duration_ms FROM "
		 "health_hours WHERE release = '%s' AND environment = 'beta' AND hour = %lld",
		 release, (long long)h);
	assert_int_equal(sqlite3_open_v2(f->path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &s, NULL), SQLITE_OK);
	snprintf(out, sizeof(out), "none");
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%lld %lld %lld %lld %lld %lld %lld",
			 (long long)sqlite3_column_int64(s, 0), (long long)sqlite3_column_int64(s, 1),
			 (long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3),
			 (long long)sqlite3_column_int64(s, 4), (long long)sqlite3_column_int64(s, 5),
			 (long long)sqlite3_column_int64(s, 6));
	sqlite3_finalize(s);
	sqlite3_close(raw);
	return out;
}

/* The quantity counted for item type and outcome, 0 when none. */
static int64_t counted(fixture *f, const char *type, const char *outcome)
{
	char sql[256];
	int64_t v;

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(sum(quantity), 0) FROM intake_counts WHERE type = '%s' AND "
		 "outcome = '%s'",
		 type, outcome);
	v = sql_int(f, sql);
	return v;
}

/* init then exited (with a duration): one session started and ended normally. */
static void test_init_then_exited(void **state)
{
	fixture *f = *state;

	update(f, 1, 1, -600, "ok", 0, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 0 0 0 0 0");
	update(f, 1, 0, -600, "exited", 0, "app@1.0", ",\"duration\":61.5");
	assert_string_equal(hour_row(f, "app@1.0", H), "1 1 0 0 0 1 61500");
	/* 61.5 s is in [2^(23/4), 2^(24/4)) = [53.8, 64): bucket 24. */
	assert_int_equal(sql_int(f, "SELECT bucket FROM health_durations WHERE sessions = 1"), 24);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_installs WHERE did = 'install-1' "
				    "AND crashed = 0 AND errored = 0"),
			 1);
	assert_int_equal(counted(f, "session", "accepted"), 2);
}

/* init then crashed: started, crashed, and errored once (a crash is an error too). */
static void test_init_then_crashed(void **state)
{
	fixture *f = *state;

	update(f, 2, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 2, 0, -600, "crashed", 1, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 1 0 1 0 0");
	assert_int_equal(sql_int(f, "SELECT crashed FROM health_installs WHERE did = 'install-2'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT status = 'crashed' FROM health_live"), 1);
	assert_int_equal(sql_int(f, "SELECT installs * 10 + crashed_installs FROM health_hours"),
			 11);
}

/* Sessions of one install: one install, crashed once, however many of its sessions crash. */
static void test_installs_counted_once(void **state)
{
	fixture *f = *state;
	char env[1024];
	int i;
	static const char *const sids[] = {"aa", "bb", "cc"};
	static const char *const status[] = {"exited", "crashed", "crashed"};

	for (i = 0; i < 3; i++) {
		snprintf(env, sizeof(env),
			 "{}\n{\"type\":\"session\"}\n{\"sid\":\"%s23456789abcdef0123456789abcdef\","
			 "\"did\":\"same\",\"init\":true,\"started\":\"%s\",\"status\":\"%s\","
			 "\"attrs\":{\"release\":\"app@1.0\",\"environment\":\"beta\"}}\n",
			 sids[i], at(-600 + i), status[i]);
		send(f, env);
	}
	assert_string_equal(hour_row(f, "app@1.0", H), "3 1 2 0 2 0 0");
	assert_int_equal(sql_int(f, "SELECT installs * 10 + crashed_installs FROM health_hours"),
			 11);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_installs"), 1);
}

/* The same init twice (an envelope sent again): one session. */
static void test_duplicate_update(void **state)
{
	fixture *f = *state;

	update(f, 3, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 3, 1, -600, "ok", 0, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 0 0 0 0 0");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_installs"), 1);
	assert_int_equal(sql_int(f, "SELECT installs FROM health_hours"), 1);
}

/* An error reported twice then a normal end: errored once, exited once. */
static void test_errored_then_exited(void **state)
{
	fixture *f = *state;

	update(f, 4, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 4, 0, -600, "ok", 1, "app@1.0", NULL);
	update(f, 4, 0, -600, "ok", 2, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 1 0 0 0 0");
	update(f, 4, 0, -600, "exited", 2, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 1 1 0 0 0 0");
	assert_int_equal(sql_int(f, "SELECT errored FROM health_installs"), 1);
}

/* After a final state nothing changes: the update is ignored and counted. */
static void test_update_after_end(void **state)
{
	fixture *f = *state;

	update(f, 5, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 5, 0, -600, "exited", 0, "app@1.0", NULL);
	update(f, 5, 0, -600, "crashed", 1, "app@1.0", NULL);
	update(f, 5, 1, -600, "abnormal", 0, "app@1.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 1 0 0 0 0 0");
	assert_int_equal(counted(f, "session", "after_end"), 2);
	assert_int_equal(counted(f, "session", "accepted"), 2);
	assert_int_equal(sql_int(f, "SELECT crashed FROM health_installs"), 0);
}

/* The attributes are those of the session's start: a later release name is not taken. */
static void test_attributes_fixed_at_start(void **state)
{
	fixture *f = *state;

	update(f, 6, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 6, 0, -600, "crashed", 0, "app@2.0", NULL);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 1 0 1 0 0");
	assert_string_equal(hour_row(f, "app@2.0", H), "none");
}

/* Older than five days, or more than a day ahead: ignored, counted. A clock that is off is
 * corrected by the envelope's sent_at. */
static void test_old_and_future_updates(void **state)
{
	fixture *f = *state;
	char env[1024];

	update(f, 7, 1, -6 * 86400, "ok", 0, "app@1.0", NULL);
	assert_int_equal(counted(f, "session", "too_old"), 1);
	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"0123456789abcdef0123456789abcdef\","
		 "\"init\":true,\"started\":\"%s\",\"timestamp\":\"%s\",\"attrs\":{\"release\":"
		 "\"app@1.0\",\"environment\":\"beta\"}}\n",
		 at(2 * 86400), at(2 * 86400));
	send(f, env);
	assert_int_equal(counted(f, "session", "in_future"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_hours"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_live"), 0);
	/* The same session from a device whose clock runs two days ahead, which its sent_at
	 * shows: taken, in the hour it really started. */
	snprintf(env, sizeof(env),
		 "{\"sent_at\":\"%s\"}\n{\"type\":\"session\"}\n{\"sid\":"
		 "\"0123456789abcdef0123456789abcdef\",\"init\":true,\"started\":\"%s\","
		 "\"timestamp\":\"%s\",\"attrs\":{\"release\":\"app@1.0\",\"environment\":\"beta\"}}\n",
		 at(2 * 86400), at(2 * 86400 - 600), at(2 * 86400));
	send(f, env);
	assert_string_equal(hour_row(f, "app@1.0", H), "1 0 0 0 0 0 0");
}

/* Pre-aggregated sessions: errored, abnormal and crashed are errored; errored ones ended. */
static void test_sessions_aggregates(void **state)
{
	fixture *f = *state;
	char env[1024];

	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"sessions\"}\n{\"attrs\":{\"release\":\"app@1.0\",\"environment\":"
		 "\"beta\"},\"aggregates\":[{\"started\":\"%s\",\"exited\":3,\"errored\":1,"
		 "\"crashed\":1},{\"started\":\"%s\",\"did\":\"install-9\",\"abnormal\":2},"
		 "{\"started\":\"%s\",\"exited\":5},{\"started\":\"yesterday\",\"exited\":1}]}\n",
		 at(-600), at(-300), at(-7 * 86400));
	send(f, env);
	/* 3+1+1 and 2 started; exited 3+1; errored 1+1+2; abnormal 2; crashed 1 */
	assert_string_equal(hour_row(f, "app@1.0", H), "7 4 4 2 1 0 0");
	assert_int_equal(sql_int(f, "SELECT abnormal FROM health_installs WHERE did = 'install-9'"),
			 1);
	assert_int_equal(counted(f, "sessions", "accepted"), 2);
	assert_int_equal(counted(f, "sessions", "too_old"), 1);
	assert_int_equal(counted(f, "sessions", "invalid"), 1);
	/* Added, not replaced: the same buckets again double. */
	send(f, env);
	assert_string_equal(hour_row(f, "app@1.0", H), "14 8 8 4 2 0 0");
}

/* A client report's discards, items prosum does not store, and malformed health items:
 * counted, never refused. */
static void test_counts_and_malformed(void **state)
{
	fixture *f = *state;
	char env[2048];
	int64_t q;

	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"client_report\"}\n{\"timestamp\":1796039000.5,\"discarded_events\":"
		 "[{\"reason\":\"before_send\",\"category\":\"error\",\"quantity\":2},{\"reason\":"
		 "\"sample_rate\",\"category\":\"transaction\",\"quantity\":5},{\"reason\":"
		 "\"before_send\",\"category\":\"error\",\"quantity\":1},{\"reason\":\"made_up\","
		 "\"category\":\"error\",\"quantity\":4},{\"reason\":\"x\"}]}\n"
		 "{\"type\":\"transaction\"}\n{}\n{\"type\":\"transaction\"}\n{}\n"
		 "{\"type\":\"replay_event\"}\n{}\n{\"type\":\"brand_new\"}\n{}\n"
		 "{\"type\":\"event\"}\n{}\n"
		 "{\"type\":\"session\"}\n{not json\n"
		 "{\"type\":\"session\"}\n{\"sid\":\"0123456789abcdef0123456789abcdef\","
		 "\"started\":\"%s\"}\n"
		 "{\"type\":\"session\"}\n{\"sid\":\"short\",\"started\":\"%s\",\"attrs\":"
		 "{\"release\":\"a\"}}\n"
		 "{\"type\":\"session\"}\n{\"sid\":\"0123456789abcdef0123456789abcdef\","
		 "\"status\":\"sleepy\",\"started\":\"%s\",\"attrs\":{\"release\":\"a\"}}\n"
		 "{\"type\":\"sessions\"}\n{\"aggregates\":[]}\n"
		 "{\"type\":\"client_report\"}\n[]\n",
		 at(-60), at(-60), at(-60));
	send(f, env);
	assert_int_equal(sql_int(f, "SELECT quantity FROM client_discards WHERE reason = "
				    "'before_send' AND category = 'error'"),
			 3);
	assert_int_equal(sql_int(f, "SELECT quantity FROM client_discards WHERE reason = "
				    "'sample_rate' AND category = 'transaction'"),
			 5);
	assert_int_equal(sql_int(f, "SELECT quantity FROM client_discards WHERE reason = 'other'"),
			 4);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM client_discards"), 3);
	assert_int_equal(counted(f, "transaction", "not_stored"), 2);
	assert_int_equal(counted(f, "replay_event", "not_stored"), 1);
	assert_int_equal(counted(f, "other", "not_stored"), 1);
	assert_int_equal(counted(f, "event", "not_stored"), 0);
	assert_int_equal(counted(f, "session", "invalid"), 4);
	assert_int_equal(counted(f, "sessions", "invalid"), 1);
	assert_int_equal(counted(f, "client_report", "accepted"), 1);
	assert_int_equal(counted(f, "client_report", "invalid"), 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_hours"), 0);
	/* Counted per UTC day: a day later is a row of its own. */
	send_at(f, T + 86400, "{}\n{\"type\":\"transaction\"}\n{}\n");
	assert_int_equal(sql_int(f, "SELECT count(*) FROM intake_counts WHERE type = "
				    "'transaction'"),
			 2);
	q = counted(f, "transaction", "not_stored");
	assert_int_equal(q, 3);
}

/* An envelope with only an event (stored elsewhere) has nothing here. */
static void test_nothing_to_count(void **state)
{
	static const char text[] = "{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"attachment\"}\nabc\n";
	sentry_envelope env;
	char err[256];

	(void)state;
	assert_int_equal(sentry_envelope_parse(&env, text, strlen(text), 1024, err, sizeof(err)), 0);
	assert_null(sentry_health_parse(&env));
	sentry_envelope_free(&env);
}

/* The platform of a User-Agent: the phone before the desktop it claims to be like. */
static void test_useragent_platform(void **state)
{
	static const struct {
		const char *ua, *platform;
	} cases[] = {
	    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/120.0.0.0 Safari/537.36",
	     "Windows"},
	    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
	     "Gecko) Version/17.1 Safari/605.1.15",
	     "macOS"},
	    {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Linux"},
	    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/120.0.6099.43 Mobile Safari/537.36",
	     "Android"},
	    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
	     "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	     "iOS"},
	    {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
	     "Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
	     "iOS"},
	    {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
	     "Chrome/120.0.0.0 Safari/537.36",
	     "ChromeOS"},
	    {"python-requests/2.31.0", ""},
	    {"sentry.python/1.39.1", ""},
	    {"Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0", ""},
	    {"", ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(useragent_platform(cases[i].ua), cases[i].platform) != 0)
			fail_msg("%s: %s, not %s", cases[i].ua, useragent_platform(cases[i].ua),
				 cases[i].platform);
	assert_string_equal(useragent_platform(NULL), "");
}

/* A session's platform is its start's attrs.user_agent's ('' without one), a key of every
 * table; an aggregate's is its item's. A later update's user agent changes nothing. */
static void test_platform_from_user_agent(void **state)
{
	fixture *f = *state;
	char env[1024];
	static const char win[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0";
	static const char mac[] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605";
	static const char iphone[] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)";

	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\","
		 "\"did\":\"pc\",\"init\":true,\"started\":\"%s\",\"attrs\":{\"release\":"
		 "\"app@1.0\",\"environment\":\"beta\",\"user_agent\":\"%s\"}}\n",
		 at(-600), win);
	send(f, env);
	/* Its end, from a browser claiming another OS: still Windows. */
	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"session\"}\n{\"sid\":\"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\","
		 "\"did\":\"pc\",\"started\":\"%s\",\"status\":\"crashed\",\"attrs\":"
		 "{\"release\":\"app@1.0\",\"environment\":\"beta\",\"user_agent\":\"%s\"}}\n",
		 at(-600), mac);
	send(f, env);
	update(f, 2, 1, -600, "exited", 0, "app@1.0", NULL);
	snprintf(env, sizeof(env),
		 "{}\n{\"type\":\"sessions\"}\n{\"attrs\":{\"release\":\"app@1.0\","
		 "\"environment\":\"beta\",\"user_agent\":\"%s\"},\"aggregates\":[{\"started\":"
		 "\"%s\",\"exited\":4,\"crashed\":1,\"did\":\"phone\"}]}\n",
		 iphone, at(-300));
	send(f, env);
	assert_int_equal(sql_int(f, "SELECT started * 10 + crashed FROM health_hours WHERE "
				    "platform = 'Windows'"),
			 11);
	assert_int_equal(sql_int(f, "SELECT started * 10 + crashed FROM health_hours WHERE "
				    "platform = ''"),
			 10);
	assert_int_equal(sql_int(f, "SELECT started * 10 + crashed FROM health_hours WHERE "
				    "platform = 'iOS'"),
			 51);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_hours WHERE platform = 'macOS'"),
			 0);
	assert_int_equal(sql_int(f, "SELECT crashed FROM health_installs WHERE did = 'pc' AND "
				    "platform = 'Windows'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_installs WHERE did = 'phone' "
				    "AND platform = 'iOS'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_installs WHERE did = "
				    "'install-2' AND platform = ''"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_live WHERE platform = "
				    "'Windows' AND status = 'crashed'"),
			 1);
}

/* The admin read: per release since a time, crash-free installs from distinct installs. */
static int release_line(void *ctx, const store_health_row *r)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s/%s:%lld,%lld,%lld,%lld;", r->release, r->environment,
		 (long long)r->started, (long long)r->crashed, (long long)r->installs,
		 (long long)r->crashed_installs);
	return 0;
}

static void test_read_per_release(void **state)
{
	fixture *f = *state;
	char out[256] = "";

	update(f, 1, 1, -600, "ok", 0, "app@1.0", NULL);
	update(f, 2, 1, -600, "crashed", 1, "app@1.0", NULL);
	update(f, 3, 1, -300, "exited", 0, "app@2.0", NULL);
	assert_int_equal(store_health_each(f->db, f->project, T - 86400, 10, release_line, out),
			 STORE_OK);
	assert_string_equal(out, "app@1.0/beta:2,1,2,1;app@2.0/beta:1,0,1,0;");
	out[0] = '\0';
	assert_int_equal(store_health_each(f->db, f->project, T + 3600, 10, release_line, out),
			 STORE_OK);
	assert_string_equal(out, "");
	/* Install 3 again, now from a Windows browser (another row of health_installs): still
	 * one install of app@2.0. */
	assert_int_equal(store_begin(f->db), STORE_OK);
	{
		store_health_update u = {.sid = "0123456789abcdef0123456789abcdef",
					 .release = "app@2.0",
					 .environment = "beta",
					 .did = "install-3",
					 .platform = "Windows",
					 .started = T - 200,
					 .status = HEALTH_EXITED,
					 .duration_ms = -1};
		int outcome;

		assert_int_equal(store_health_session(f->db, f->project, &u, T, &outcome),
				 STORE_OK);
	}
	assert_int_equal(store_commit(f->db), STORE_OK);
	out[0] = '\0';
	assert_int_equal(store_health_each(f->db, f->project, T - 86400, 10, release_line, out),
			 STORE_OK);
	assert_string_equal(out, "app@1.0/beta:2,1,2,1;app@2.0/beta:2,0,1,0;");
}

/* The build's revision is read out of the release and keys every table: two builds of one
 * version are two rows; a release naming no commit has revision ''. */
static void test_revision_from_release(void **state)
{
	fixture *f = *state;

	update(f, 11, 1, -600, "ok", 0, "app@1.4.0+abc1234", NULL);
	update(f, 12, 1, -600, "crashed", 1, "app@1.4.0+def5678", NULL);
	update(f, 13, 1, -600, "exited", 0, "app@v1.4.0-3-gabc1234", ",\"duration\":2");
	update(f, 14, 1, -600, "ok", 0, "app@1.4.0", NULL);
	update(f, 11, 0, -600, "exited", 0, "app@9.9.9+0000000", NULL); /* attributes kept */
	assert_int_equal(sql_int(f, "SELECT started * 10 + exited FROM health_hours WHERE "
				    "revision = 'abc1234' AND release = 'app@1.4.0+abc1234' AND "
				    "cohort = ''"),
			 11);
	assert_int_equal(sql_int(f, "SELECT crashed FROM health_hours WHERE revision = 'def5678'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT crashed FROM health_installs WHERE revision = "
				    "'def5678' AND did = 'install-12'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_durations WHERE revision = "
				    "'v1.4.0-3-gabc1234'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_hours WHERE release = 'app@1.4.0' "
				    "AND revision = ''"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_live WHERE revision = 'abc1234' "
				    "AND status = 'exited'"),
			 1);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM health_hours WHERE release LIKE "
				    "'app@9%'"),
			 0);
}

/* Run one statement on a connection of its own (the store is between transactions). */
static void sql_exec(fixture *f, const char *sql)
{
	sqlite3 *raw;

	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	sqlite3_busy_timeout(raw, 5000);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
}

static void set_cohort(fixture *f, int what, const char *name, const char *cohort, int want)
{
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_cohort_set(f->db, f->project, what, name, cohort, T), want);
	assert_int_equal(store_commit(f->db), STORE_OK);
}

static const char *resolve(fixture *f, const char *key, const char *channel, const char *install)
{
	static char out[STORE_COHORT_MAX + 1];

	assert_int_equal(store_cohort_resolve(f->db, f->project, key, channel, install, out),
			 STORE_OK);
	return out;
}

/* The install's cohort wins over the key's, which wins over the channel's; "" clears. */
static void test_cohort_order(void **state)
{
	fixture *f = *state;
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO ingest_keys(key, project_id, created_at) VALUES ('k1', %lld, 0)",
		 (long long)f->project);
	sql_exec(f, sql);
	assert_string_equal(resolve(f, "k1", "beta", "i1"), "");
	set_cohort(f, STORE_COHORT_CHANNEL, "beta", "public beta", STORE_OK);
	assert_string_equal(resolve(f, "k1", "beta", "i1"), "public beta");
	assert_string_equal(resolve(f, "k1", "nightly", "i1"), "");
	set_cohort(f, STORE_COHORT_KEY, "k1", "insiders", STORE_OK);
	assert_string_equal(resolve(f, "k1", "beta", "i1"), "insiders");
	assert_string_equal(resolve(f, NULL, "beta", "i1"), "public beta");
	set_cohort(f, STORE_COHORT_INSTALL, "i1", "expert panel", STORE_OK);
	assert_string_equal(resolve(f, "k1", "beta", "i1"), "expert panel");
	assert_string_equal(resolve(f, "k1", "beta", "i2"), "insiders");
	set_cohort(f, STORE_COHORT_INSTALL, "i1", "", STORE_OK);
	assert_string_equal(resolve(f, "k1", "beta", "i1"), "insiders");
	set_cohort(f, STORE_COHORT_KEY, "no-such-key", "x", STORE_NOTFOUND);
	/* A Sentry session sent with key k1 takes its cohort, fixed at start: changing the key's
	 * cohort later moves later sessions only. */
	{
		sentry_envelope env;
		sentry_health *h;
		char err[256], text[1024];

		snprintf(text, sizeof(text),
			 "{}\n{\"type\":\"session\"}\n{\"sid\":\"0b2c3d4e5f6041728394a5b6c7d8e9f0\","
			 "\"did\":\"i2\",\"init\":true,\"started\":\"%s\",\"status\":\"ok\","
			 "\"attrs\":{\"release\":\"app@2.0\",\"environment\":\"beta\"}}\n",
			 at(-600));
		assert_int_equal(sentry_envelope_parse(&env, text, strlen(text), 1 << 20, err,
						       sizeof(err)),
				 0);
		h = sentry_health_parse(&env);
		sentry_health_set_key(h, "k1");
		assert_int_equal(store_begin(f->db), STORE_OK);
		assert_int_equal(sentry_health_apply(f->db, f->project, h, T), STORE_OK);
		assert_int_equal(store_commit(f->db), STORE_OK);
		sentry_health_free(h);
		sentry_envelope_free(&env);
	}
	set_cohort(f, STORE_COHORT_KEY, "k1", "general", STORE_OK);
	update(f, 30, 0, -600, "exited", 0, "app@2.0", NULL); /* another session */
	{
		char text[512];

		/* Its end, sent without the key: the cohort stays the one of its start. */
		snprintf(text, sizeof(text),
			 "{}\n{\"type\":\"session\"}\n{\"sid\":\"0b2c3d4e5f6041728394a5b6c7d8e9f0\","
			 "\"started\":\"%s\",\"status\":\"exited\",\"attrs\":{\"release\":"
			 "\"app@2.0\",\"environment\":\"beta\"}}\n",
			 at(-600));
		send(f, text);
	}
	assert_int_equal(sql_int(f, "SELECT started * 10 + exited FROM health_hours WHERE cohort = "
				    "'insiders'"),
			 11);
}

/* Ratings: one per install and build, changed in place; the distribution counted by hand. */
static void test_ratings(void **state)
{
	fixture *f = *state;
	store_rating r = {"2.1.0", "abc1234", "i1", 4, NULL, "insiders"};
	store_rating_dist d;
	char rel[64], rev[64], comment[64];
	int created = -1, n = 0;

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_rating_set(f->db, f->project, &r, T, &created), STORE_OK);
	assert_int_equal(created, 1);
	r.rating = 2;
	r.comment = "crashed twice";
	assert_int_equal(store_rating_set(f->db, f->project, &r, T + 60, &created), STORE_OK);
	assert_int_equal(created, 0);
	r.install_id = "i2";
	r.rating = 5;
	r.comment = "";
	r.cohort = "";
	assert_int_equal(store_rating_set(f->db, f->project, &r, T, &created), STORE_OK);
	assert_int_equal(created, 1);
	r.revision = "def5678";
	r.rating = 1;
	assert_int_equal(store_rating_set(f->db, f->project, &r, T, &created), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);

	assert_int_equal(store_rating_distribution(f->db, f->project, "2.1.0", "abc1234", NULL, &d),
			 STORE_OK);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.counts[2], 1);
	assert_int_equal(d.counts[5], 1);
	assert_int_equal(d.counts[4], 0);
	assert_int_equal(d.sum, 7);
	assert_int_equal(d.comments, 1);
	assert_int_equal(store_rating_distribution(f->db, f->project, "2.1.0", NULL, NULL, &d),
			 STORE_OK);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.sum, 8);
	assert_int_equal(store_rating_distribution(f->db, f->project, "2.1.0", NULL, "insiders",
						   &d),
			 STORE_OK);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.counts[2], 1);
	assert_int_equal(store_rating_get(f->db, f->project, "2.1.0", "abc1234", "i1", &n, comment,
					  sizeof(comment)),
			 STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(comment, "crashed twice");
	/* The build an install runs: its latest session's, else its latest rating's. */
	assert_int_equal(store_install_build(f->db, f->project, "install-7", rel, sizeof(rel), rev,
					     sizeof(rev)),
			 STORE_NOTFOUND);
	assert_int_equal(store_install_build(f->db, f->project, "i2", rel, sizeof(rel), rev,
					     sizeof(rev)),
			 STORE_OK);
	assert_string_equal(rel, "2.1.0");
	update(f, 7, 1, -600, "ok", 0, "app@1.4.0+abc1234", NULL);
	assert_int_equal(store_install_build(f->db, f->project, "install-7", rel, sizeof(rel), rev,
					     sizeof(rev)),
			 STORE_OK);
	assert_string_equal(rel, "app@1.4.0+abc1234");
	assert_string_equal(rev, "abc1234");
	/* Two builds run by one install in one hour (T is an hour's start): the later one. */
	send(f, "{}\n{\"type\":\"session\"}\n{\"sid\":\"1b2c3d4e-5f60-4172-8394-a5b6c7d8e990\","
		"\"did\":\"install-9\",\"init\":true,\"started\":\"2026-11-30T11:40:00Z\","
		"\"status\":\"exited\",\"attrs\":{\"release\":\"app@1.0+aaa1111\"}}\n");
	send(f, "{}\n{\"type\":\"session\"}\n{\"sid\":\"1b2c3d4e-5f60-4172-8394-a5b6c7d8e991\","
		"\"did\":\"install-9\",\"init\":true,\"started\":\"2026-11-30T11:50:00Z\","
		"\"status\":\"exited\",\"attrs\":{\"release\":\"app@1.0+bbb2222\"}}\n");
	assert_int_equal(store_install_build(f->db, f->project, "install-9", rel, sizeof(rel), rev,
					     sizeof(rev)),
			 STORE_OK);
	assert_string_equal(rev, "bbb2222");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_then_exited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_then_crashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_installs_counted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errored_then_exited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_after_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attributes_fixed_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_and_future_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_and_malformed, setup, teardown),
		cmocka_unit_test(test_nothing_to_count),
		cmocka_unit_test(test_useragent_platform),
		cmocka_unit_test_setup_teardown(test_platform_from_user_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_per_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revision_from_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cohort_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
