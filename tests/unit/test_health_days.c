/* test_health_days.c - the daily rollups of release health (schema 0027) answer as the hourly rows
 * they sum, at every window start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_health_read.h"
#include "unit_store.h"

typedef unit_store fixture;

/* "Now": noon of a UTC day, and the ten days before it that the rows fill. */
#define T ((int64_t)1796040000)
#define BASE (T - T % 86400 - 10 * 86400)

static int setup(void **state)
{
	return unit_store_setup(state);
}

static int teardown(void **state)
{
	return unit_store_teardown(state);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static const char *const stored[] = {"app@1.0", "app@1.0+r1", "app@1.0!x", "app@2.0"};
static const char *const revisions[] = {"", "abc"};
static const char *const envs[] = {"", "beta"};
static const char *const cohorts[] = {"", "insiders", "panel"};
static const char *const platforms[] = {"", "Linux", "macOS"};

/* Hourly rows, durations and installs written as prosumd's writer does (upserts), some moved
 * and removed: the triggers keep the daily rows and the per-build installs in step. */
static void fill(fixture *f)
{
	sqlite3 *raw;
	char sql[1024];
	int i;

	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	sqlite3_busy_timeout(raw, 5000);
	assert_int_equal(sqlite3_exec(raw, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < 1500; i++) {
		const char *r = stored[rnd(4)], *v = revisions[rnd(2)], *e = envs[rnd(2)];
		const char *c = cohorts[rnd(3)], *pf = platforms[rnd(3)];
		int64_t hour = BASE + (int64_t)rnd(264) * 3600;
		int n = (int)rnd(5) + 1, crashed = rnd(4) == 0;

		snprintf(sql, sizeof(sql),
			 "INSERT INTO health_hours(project_id, release, revision, environment, "
			 "cohort, platform, hour, started, exited, errored, abnormal, crashed, "
			 "installs, crashed_installs) VALUES (%lld, '%s', '%s', '%s', '%s', '%s', "
			 "%lld, %d, %d, %d, "
			 "%d, %d, 1, %d) ON CONFLICT DO UPDATE SET started = started + "
			 "excluded.started, exited = exited + excluded.exited, errored = errored + "
			 "excluded.errored, abnormal = abnormal + excluded.abnormal, crashed = "
			 "crashed + excluded.crashed, installs = installs + 1, crashed_installs = "
			 "crashed_installs + excluded.crashed_installs",
			 (long long)f->project, r, v, e, c, pf, (long long)hour, n, n - crashed,
			 crashed + (int)rnd(2), (int)rnd(2), crashed, crashed);
		assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO health_durations(project_id, release, revision, environment, "
		    "cohort, platform, hour, bucket, sessions) VALUES (%lld, '%s', '%s', '%s', "
		    "'%s', '%s', %lld, %u, %d) ON CONFLICT DO UPDATE SET sessions = sessions + "
		    "excluded.sessions",
		    (long long)f->project, r, v, e, c, pf, (long long)hour, 20 + rnd(6), n);
		assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
		/* an install's row: first_hour only ever moves back, crashed only turns on */
		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO health_installs(project_id, release, revision, environment, "
		    "cohort, platform, did, first_hour, last_hour, crashed) VALUES (%lld, '%s', "
		    "'%s', '%s', '%s', '%s', 'did-%u', %lld, %lld, %d) ON CONFLICT DO UPDATE SET "
		    "first_hour = "
		    "min(first_hour, excluded.first_hour), last_hour = max(last_hour, "
		    "excluded.last_hour), crashed = max(crashed, excluded.crashed)",
		    (long long)f->project, r, v, e, c, pf, rnd(40), (long long)hour,
		    (long long)hour, crashed);
		assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	/* rows removed: their days and builds are summed again from what is left */
	assert_int_equal(
	    sqlite3_exec(raw,
			 "DELETE FROM health_hours WHERE hour % (7 * 3600) = 0; DELETE "
			 "FROM health_durations WHERE hour % (5 * 3600) = 0; DELETE FROM "
			 "health_installs WHERE did = 'did-7'",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
}

/* ---- what the reads return, summed per key ---- */

typedef struct tot {
	char key[96];
	int64_t
	    v[9]; /* started exited errored abnormal crashed installs crashed_installs first last */
} tot;

typedef struct tots {
	tot t[256];
	size_t n;
} tots;

static tot *tot_of(tots *ts, const char *key)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].key, key) == 0)
			return &ts->t[i];
	assert_true(ts->n < sizeof(ts->t) / sizeof(ts->t[0]));
	memset(&ts->t[ts->n], 0, sizeof(ts->t[0]));
	snprintf(ts->t[ts->n].key, sizeof(ts->t[0].key), "%s", key);
	ts->t[ts->n].v[7] = INT64_MAX;
	ts->t[ts->n].v[8] = INT64_MIN;
	return &ts->t[ts->n++];
}

static int sum_cb(void *ctx, const store_health_sum *r)
{
	char key[96];
	tot *t;

	snprintf(key, sizeof(key), "%s|%s|%s", r->release, r->revision, r->group);
	t = tot_of(ctx, key);
	t->v[0] += r->started;
	t->v[1] += r->exited;
	t->v[2] += r->errored;
	t->v[3] += r->abnormal;
	t->v[4] += r->crashed;
	t->v[5] += r->installs;
	t->v[6] += r->crashed_installs;
	if (r->first_hour < t->v[7])
		t->v[7] = r->first_hour;
	if (r->last_hour > t->v[8])
		t->v[8] = r->last_hour;
	return 0;
}

static int bucket_cb(void *ctx, const store_health_bucket_row *r)
{
	char key[96];

	snprintf(key, sizeof(key), "%s|%s|%s|%d", r->release, r->revision, r->group, r->bucket);
	tot_of(ctx, key)->v[0] += r->sessions;
	return 0;
}

static int point_cb(void *ctx, const store_health_point *p)
{
	char key[96];
	tot *t;

	snprintf(key, sizeof(key), "%lld", (long long)p->t);
	t = tot_of(ctx, key);
	t->v[0] += p->started;
	t->v[1] += p->crashed;
	t->v[2] += p->errored;
	t->v[3] += p->abnormal;
	return 0;
}

static int install_cb(void *ctx, const store_health_build_install *r)
{
	char key[96];
	tot *t;

	snprintf(key, sizeof(key), "%s|%s", r->release, r->revision);
	t = tot_of(ctx, key);
	t->v[0]++;
	t->v[1] += r->crashed != 0;
	return 0;
}

/* The same figures straight from the hourly tables: each row of `sql` is a key and its values,
 * which must be what the reads returned (and nothing more). */
static void expect(fixture *f, tots *got, const char *sql, int nv)
{
	sqlite3 *raw;
	sqlite3_stmt *s;
	size_t rows = 0;
	int i;

	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		tot *t = tot_of(got, (const char *)sqlite3_column_text(s, 0));

		for (i = 0; i < nv; i++)
			assert_int_equal(t->v[i], sqlite3_column_int64(s, 1 + i));
		rows++;
	}
	assert_int_equal(sqlite3_finalize(s), SQLITE_OK);
	sqlite3_close(raw);
	if (got->n != rows)
		fprintf(stderr, "%s\n", sql);
	assert_int_equal(got->n, rows); /* no key the hourly rows do not have */
}

static const char *const group_col[] = {"''", "cohort", "environment", "platform"};

static void test_days_sum_as_hours(void **state)
{
	fixture *f = *state;
	/* window starts: mid-morning, midnight, an hour before midnight, before every row, after */
	const int64_t starts[] = {T - 3 * 86400 + 3600 * 5, T - T % 86400 - 4 * 86400,
				  T - T % 86400 - 86400 - 3600, BASE - 86400, T + 2 * 86400};
	static tots got;
	char sql[1024];
	size_t k, r;
	int by;

	fill(f);
	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		int64_t since = starts[k];

		for (by = HEALTH_BY_NONE; by <= HEALTH_BY_PLATFORM; by++) {
			for (r = 0; r < sizeof(stored) / sizeof(stored[0]); r++) {
				memset(&got, 0, sizeof(got));
				assert_int_equal(store_health_sums_each(f->db, f->project,
									stored[r], since, by,
									sum_cb, &got),
						 STORE_OK);
				snprintf(
				    sql, sizeof(sql),
				    "SELECT release || '|' || revision || '|' || %s, "
				    "sum(started), sum(exited), sum(errored), sum(abnormal), "
				    "sum(crashed), sum(installs), sum(crashed_installs), "
				    "min(hour), max(hour) FROM health_hours WHERE release = '%s' "
				    "AND hour >= %lld GROUP BY 1",
				    group_col[by], stored[r], (long long)since);
				expect(f, &got, sql, 9);
			}
			/* a release's histogram (app@1.0 and app@1.0+..., not app@1.0!x), a build's
			 */
			memset(&got, 0, sizeof(got));
			assert_int_equal(store_health_durations_each(f->db, f->project, "app@1.0",
								     NULL, since, by, bucket_cb,
								     &got),
					 STORE_OK);
			snprintf(sql, sizeof(sql),
				 "SELECT release || '|' || revision || '|' || %s || '|' || bucket, "
				 "sum(sessions) FROM health_durations WHERE release IN ('app@1.0', "
				 "'app@1.0+r1') AND hour >= %lld GROUP BY 1",
				 group_col[by], (long long)since);
			expect(f, &got, sql, 1);
			memset(&got, 0, sizeof(got));
			assert_int_equal(store_health_durations_each(f->db, f->project,
								     "app@1.0+r1", "abc", since, by,
								     bucket_cb, &got),
					 STORE_OK);
			snprintf(sql, sizeof(sql),
				 "SELECT release || '|' || revision || '|' || %s || '|' || bucket, "
				 "sum(sessions) FROM health_durations WHERE release = 'app@1.0+r1' "
				 "AND revision = 'abc' AND hour >= %lld GROUP BY 1",
				 group_col[by], (long long)since);
			expect(f, &got, sql, 1);
		}
		/* the chart, by day and by hour */
		memset(&got, 0, sizeof(got));
		assert_int_equal(store_health_series_each(f->db, f->project, "app@1.0", since,
							  86400, point_cb, &got),
				 STORE_OK);
		snprintf(sql, sizeof(sql),
			 "SELECT hour - hour %% 86400, sum(started), sum(crashed), sum(errored), "
			 "sum(abnormal) FROM health_hours WHERE release IN ('app@1.0', "
			 "'app@1.0+r1') AND hour >= %lld GROUP BY 1",
			 (long long)since);
		expect(f, &got, sql, 4);
		memset(&got, 0, sizeof(got));
		assert_int_equal(store_health_series_each(f->db, f->project, "app@2.0", since, 3600,
							  point_cb, &got),
				 STORE_OK);
		snprintf(
		    sql, sizeof(sql),
		    "SELECT hour, sum(started), sum(crashed), sum(errored), sum(abnormal) FROM "
		    "health_hours WHERE release = 'app@2.0' AND hour >= %lld GROUP BY 1",
		    (long long)since);
		expect(f, &got, sql, 4);
		/* installs once per build, as a count(DISTINCT) of their rows says */
		memset(&got, 0, sizeof(got));
		assert_int_equal(
		    store_health_installs_each(f->db, f->project, since, install_cb, &got),
		    STORE_OK);
		snprintf(
		    sql, sizeof(sql),
		    "SELECT release || '|' || revision, count(DISTINCT did), count(DISTINCT "
		    "CASE WHEN crashed = 1 THEN did END) FROM health_installs WHERE first_hour "
		    ">= %lld GROUP BY 1",
		    (long long)since);
		expect(f, &got, sql, 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_days_sum_as_hours, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
