/* store_health.c - release health storage (session aggregates per hour, installs) and intake counts. */
#include "store/store_health.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

static const char *const status_names[] = {"ok", "errored", "exited", "crashed", "abnormal"};

static int status_of(const char *s)
{
	int i;

	for (i = 0; i < (int)(sizeof(status_names) / sizeof(status_names[0])); i++)
		if (s && strcmp(s, status_names[i]) == 0)
			return i;
	return HEALTH_OK;
}

static int64_t hour_of(int64_t t)
{
	return t - ((t % STORE_HEALTH_HOUR) + STORE_HEALTH_HOUR) % STORE_HEALTH_HOUR;
}

static int64_t day_of(int64_t t)
{
	return t - ((t % STORE_HEALTH_DAY) + STORE_HEALTH_DAY) % STORE_HEALTH_DAY;
}

/* The histogram bucket of a duration (schema/0017_health.sql): 0 under a second, then four
 * buckets per doubling, 80 at most. */
static int duration_bucket(int64_t ms)
{
	double s = (double)ms / 1000.0, hi = 1.189207115002721; /* 2^(1/4) */
	int b = 1;

	if (ms < 1000)
		return 0;
	while (s >= hi && b < 80) {
		b++;
		hi *= 1.189207115002721;
	}
	return b;
}

/* The counts one step adds to a release's hour. */
typedef struct hour_add {
	int64_t started, exited, errored, abnormal, crashed, duration_n, duration_ms;
	int64_t installs, crashed_installs;
} hour_add;

/* The key of a session's aggregates: what is fixed at its start. */
typedef struct health_key {
	const char *release, *revision, *env, *cohort, *platform;
} health_key;

static void bind_key(sqlite3_stmt *s, int64_t project_id, const health_key *k)
{
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", k->release);
	st_bind_named_text(s, ":rv", k->revision ? k->revision : "");
	st_bind_named_text(s, ":e", k->env ? k->env : "");
	st_bind_named_text(s, ":c", k->cohort ? k->cohort : "");
	st_bind_named_text(s, ":pf", k->platform ? k->platform : "");
}

static int hours_add(store_db *db, int64_t project_id, const health_key *k, int64_t hour,
		     const hour_add *a)
{
	sqlite3_stmt *s = st_stmt(
	    db, "INSERT INTO health_hours(project_id, release, revision, environment, cohort, "
		"platform, hour, started, exited, errored, abnormal, crashed, duration_n, "
		"duration_ms, installs, crashed_installs) VALUES (:p, :r, :rv, :e, :c, :pf, :h, "
		":st, :ex, :er, :ab, :cr, :dn, :dms, :in, :ci) ON CONFLICT DO UPDATE SET started = "
		"started + excluded.started, exited = exited + "
		"excluded.exited, errored = errored + excluded.errored, abnormal = abnormal + "
		"excluded.abnormal, crashed = crashed + excluded.crashed, duration_n = duration_n + "
		"excluded.duration_n, duration_ms = duration_ms + excluded.duration_ms, installs = "
		"installs + excluded.installs, crashed_installs = crashed_installs + "
		"excluded.crashed_installs");

	if (!s)
		return STORE_ERROR;
	bind_key(s, project_id, k);
	st_bind_named_int(s, ":h", hour);
	st_bind_named_int(s, ":st", a->started);
	st_bind_named_int(s, ":ex", a->exited);
	st_bind_named_int(s, ":er", a->errored);
	st_bind_named_int(s, ":ab", a->abnormal);
	st_bind_named_int(s, ":cr", a->crashed);
	st_bind_named_int(s, ":dn", a->duration_n);
	st_bind_named_int(s, ":dms", a->duration_ms);
	st_bind_named_int(s, ":in", a->installs);
	st_bind_named_int(s, ":ci", a->crashed_installs);
	return st_step_done(s);
}

static int duration_add(store_db *db, int64_t project_id, const health_key *k, int64_t hour,
			int64_t ms)
{
	sqlite3_stmt *s = st_stmt(
	    db, "INSERT INTO health_durations(project_id, release, revision, environment, cohort, "
		"platform, hour, bucket, sessions) VALUES (:p, :r, :rv, :e, :c, :pf, :h, :b, 1) ON "
		"CONFLICT DO UPDATE SET sessions = sessions + 1");

	if (!s)
		return STORE_ERROR;
	bind_key(s, project_id, k);
	st_bind_named_int(s, ":h", hour);
	st_bind_named_int(s, ":b", duration_bucket(ms));
	return st_step_done(s);
}

/* The install `did` had a session in this release's hour; flags set what its sessions did. An
 * install new to the release, or crashing there for the first time, is counted in *a. */
static int install_seen(store_db *db, int64_t project_id, const health_key *k, const char *did,
			int64_t hour, int errored, int abnormal, int crashed, hour_add *a)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT crashed FROM health_installs WHERE project_id = :p "
				"AND release = :r AND revision = :rv AND environment = :e AND "
				"cohort = :c AND platform = :pf AND did = :d");
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_key(s, project_id, k);
	st_bind_named_text(s, ":d", did);
	rc = st_step_row(s);
	if (rc == STORE_NOTFOUND) {
		a->installs = 1;
		a->crashed_installs = crashed != 0;
	} else if (rc == STORE_OK) {
		a->crashed_installs = crashed && !sqlite3_column_int(s, 0);
		sqlite3_reset(s);
	} else {
		return rc;
	}
	s = st_stmt(
	    db, "INSERT INTO health_installs(project_id, release, revision, environment, cohort, "
		"platform, did, first_hour, last_hour, errored, abnormal, crashed) VALUES (:p, :r, "
		":rv, :e, :c, :pf, :d, :h, :h, :er, :ab, :cr) ON CONFLICT DO UPDATE SET "
		"first_hour = min(first_hour, excluded.first_hour), "
		"last_hour = max(last_hour, excluded.last_hour), errored = max(errored, "
		"excluded.errored), abnormal = max(abnormal, excluded.abnormal), crashed = "
		"max(crashed, excluded.crashed)");

	if (!s)
		return STORE_ERROR;
	bind_key(s, project_id, k);
	st_bind_named_text(s, ":d", did);
	st_bind_named_int(s, ":h", hour);
	st_bind_named_int(s, ":er", errored != 0);
	st_bind_named_int(s, ":ab", abnormal != 0);
	st_bind_named_int(s, ":cr", crashed != 0);
	return st_step_done(s);
}

/* Forget a few sessions that started more than five days ago: a bounded step per update, so
 * the table follows the traffic without a sweep of its own. */
static int live_prune(store_db *db, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM health_live WHERE rowid IN (SELECT rowid FROM "
				"health_live WHERE started < :t LIMIT 64)");

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":t", now - STORE_HEALTH_KEEP);
	return st_step_done(s);
}

/* A session's row in health_live, copied. */
typedef struct live_row {
	int found;
	char release[512], revision[128], env[128], cohort[128], platform[128], did[256];
	int64_t started;
	int status, errored;
} live_row;

static int live_find(store_db *db, int64_t project_id, const char *sid, live_row *row)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT release, environment, did, started, status, errored, "
				"revision, cohort, platform FROM health_live WHERE project_id = "
				":p AND sid = :sid");
	int rc;

	memset(row, 0, sizeof(*row));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":sid", sid);
	rc = st_step_row(s);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	row->found = 1;
	snprintf(row->release, sizeof(row->release), "%s", st_col_text(s, 0));
	snprintf(row->env, sizeof(row->env), "%s", st_col_text(s, 1));
	snprintf(row->did, sizeof(row->did), "%s", st_col_text(s, 2));
	row->started = sqlite3_column_int64(s, 3);
	row->status = status_of(st_col_text(s, 4));
	row->errored = sqlite3_column_int(s, 5);
	snprintf(row->revision, sizeof(row->revision), "%s", st_col_text(s, 6));
	snprintf(row->cohort, sizeof(row->cohort), "%s", st_col_text(s, 7));
	snprintf(row->platform, sizeof(row->platform), "%s", st_col_text(s, 8));
	sqlite3_reset(s);
	return STORE_OK;
}

static int live_put(store_db *db, int64_t project_id, const char *sid, const live_row *row)
{
	sqlite3_stmt *s = st_stmt(
	    db, "INSERT INTO health_live(project_id, sid, release, revision, environment, cohort, "
		"platform, did, started, status, errored) VALUES (:p, :sid, :r, :rv, :e, :c, :pf, "
		":d, :st, :status, :er) ON CONFLICT DO "
		"UPDATE SET did = excluded.did, status = excluded.status, errored = excluded.errored");

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":sid", sid);
	st_bind_named_text(s, ":r", row->release);
	st_bind_named_text(s, ":rv", row->revision);
	st_bind_named_text(s, ":e", row->env);
	st_bind_named_text(s, ":c", row->cohort);
	st_bind_named_text(s, ":pf", row->platform);
	st_bind_named_text(s, ":d", row->did[0] ? row->did : NULL);
	st_bind_named_int(s, ":st", row->started);
	st_bind_named_text(s, ":status", status_names[row->status]);
	st_bind_named_int(s, ":er", row->errored);
	return st_step_done(s);
}

int store_health_session(store_db *db, int64_t project_id, const store_health_update *u,
			 int64_t now, int *outcome)
{
	live_row row;
	health_key k;
	hour_add a;
	int64_t hour;
	int rc, err;

	assert(ST_IN_WRITE_TXN(db));
	memset(&a, 0, sizeof(a));
	*outcome = HEALTH_APPLIED;
	rc = live_find(db, project_id, u->sid, &row);
	if (rc != STORE_OK)
		return rc;
	if (row.found && HEALTH_TERMINAL(row.status)) {
		*outcome = HEALTH_AFTER_END;
		return STORE_OK;
	}
	if (!row.found) {
		/* The first update heard of the session starts it: its attributes are kept. */
		snprintf(row.release, sizeof(row.release), "%s", u->release);
		snprintf(row.env, sizeof(row.env), "%s", u->environment ? u->environment : "");
		snprintf(row.revision, sizeof(row.revision), "%s", u->revision ? u->revision : "");
		snprintf(row.cohort, sizeof(row.cohort), "%s", u->cohort ? u->cohort : "");
		snprintf(row.platform, sizeof(row.platform), "%s", u->platform ? u->platform : "");
		row.started = u->started;
		a.started = 1;
	}
	if (!row.did[0] && u->did && u->did[0])
		snprintf(row.did, sizeof(row.did), "%s", u->did);
	err = u->errored || u->status == HEALTH_ERRORED || u->status == HEALTH_CRASHED ||
	      u->status == HEALTH_ABNORMAL;
	if (err && !row.errored) {
		a.errored = 1;
		row.errored = 1;
	}
	if (u->status == HEALTH_EXITED)
		a.exited = 1;
	else if (u->status == HEALTH_CRASHED)
		a.crashed = 1;
	else if (u->status == HEALTH_ABNORMAL)
		a.abnormal = 1;
	if (u->status == HEALTH_EXITED && u->duration_ms >= 0) {
		a.duration_n = 1;
		a.duration_ms = u->duration_ms;
	}
	if (HEALTH_TERMINAL(u->status) || u->status == HEALTH_ERRORED || !row.found)
		row.status = u->status;
	hour = hour_of(row.started);
	k.release = row.release;
	k.revision = row.revision;
	k.env = row.env;
	k.cohort = row.cohort;
	k.platform = row.platform;
	rc = live_put(db, project_id, u->sid, &row);
	if (rc == STORE_OK && row.did[0])
		rc = install_seen(db, project_id, &k, row.did, hour, row.errored,
				  row.status == HEALTH_ABNORMAL, row.status == HEALTH_CRASHED, &a);
	if (rc == STORE_OK && (a.started || a.errored || a.exited || a.crashed || a.abnormal ||
			       a.installs || a.crashed_installs))
		rc = hours_add(db, project_id, &k, hour, &a);
	if (rc == STORE_OK && a.duration_n)
		rc = duration_add(db, project_id, &k, hour, a.duration_ms);
	if (rc == STORE_OK)
		rc = live_prune(db, now);
	return rc;
}

int store_health_bucket_add(store_db *db, int64_t project_id, const store_health_bucket *b)
{
	health_key k = {b->release, b->revision, b->environment, b->cohort, b->platform};
	hour_add a;
	int64_t hour = hour_of(b->started);
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	memset(&a, 0, sizeof(a));
	/* An aggregate's errored sessions ended with handled errors only: they ended normally,
	 * and like crashed and abnormal ones they are errored. */
	a.started = b->exited + b->errored + b->abnormal + b->crashed;
	a.exited = b->exited + b->errored;
	a.errored = b->errored + b->abnormal + b->crashed;
	a.abnormal = b->abnormal;
	a.crashed = b->crashed;
	if (a.started == 0)
		return STORE_OK;
	rc = STORE_OK;
	if (b->did && b->did[0])
		rc = install_seen(db, project_id, &k, b->did, hour, a.errored > 0, a.abnormal > 0,
				  a.crashed > 0, &a);
	if (rc == STORE_OK)
		rc = hours_add(db, project_id, &k, hour, &a);
	return rc;
}

int store_intake_count(store_db *db, int64_t project_id, int64_t now, const char *type,
		       const char *outcome, int64_t quantity)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO intake_counts(project_id, day, type, outcome, "
				"quantity) VALUES (:p, :d, :t, :o, :q) ON CONFLICT DO UPDATE SET "
				"quantity = quantity + excluded.quantity");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":d", day_of(now));
	st_bind_named_text(s, ":t", type);
	st_bind_named_text(s, ":o", outcome);
	st_bind_named_int(s, ":q", quantity);
	return st_step_done(s);
}

int store_client_discard(store_db *db, int64_t project_id, int64_t now, const char *reason,
			 const char *category, int64_t quantity)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO client_discards(project_id, day, reason, "
				"category, quantity) VALUES (:p, :d, :r, :c, :q) ON CONFLICT DO "
				"UPDATE SET quantity = quantity + excluded.quantity");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":d", day_of(now));
	st_bind_named_text(s, ":r", reason);
	st_bind_named_text(s, ":c", category);
	st_bind_named_int(s, ":q", quantity);
	return st_step_done(s);
}

/* Rows of a two-text, one-sum query (project :p, since :d) to fn. */
static int pairs_each(store_db *db, const char *sql, int64_t project_id, int64_t since,
		      int (*fn)(void *ctx, const store_intake_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, sql);
	store_intake_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":d", day_of(since));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.a = st_col_text(s, 0);
		row.b = st_col_text(s, 1);
		row.quantity = sqlite3_column_int64(s, 2);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

static const char counts_sql[] =
    "SELECT type, outcome, sum(quantity) AS q FROM intake_counts WHERE project_id = :p AND "
    "day >= :d GROUP BY type, outcome ORDER BY q DESC, type, outcome";
static const char discards_sql[] =
    "SELECT reason, category, sum(quantity) AS q FROM client_discards WHERE project_id = :p "
    "AND day >= :d GROUP BY reason, category ORDER BY q DESC, reason, category";

int store_intake_counts_each(store_db *db, int64_t project_id, int64_t since,
			     int (*fn)(void *ctx, const store_intake_row *row), void *ctx)
{
	return pairs_each(db, counts_sql, project_id, since, fn, ctx);
}

int store_client_discards_each(store_db *db, int64_t project_id, int64_t since,
			       int (*fn)(void *ctx, const store_intake_row *row), void *ctx)
{
	return pairs_each(db, discards_sql, project_id, since, fn, ctx);
}

int store_health_each(store_db *db, int64_t project_id, int64_t since, int limit,
		      int (*fn)(void *ctx, const store_health_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT h.release, h.environment, sum(h.started), sum(h.exited), sum(h.errored), "
		"sum(h.abnormal), sum(h.crashed), sum(h.duration_n), sum(h.duration_ms), "
		"max(h.hour), (SELECT count(DISTINCT did) FROM health_installs i WHERE "
		"i.project_id = :p AND i.release = h.release AND i.environment = h.environment AND "
		"i.last_hour >= :h), (SELECT count(DISTINCT did) FROM health_installs i WHERE "
		"i.project_id = :p AND i.release = h.release AND i.environment = h.environment AND "
		"i.last_hour >= :h AND i.crashed) "
		"FROM health_hours h WHERE h.project_id = :p AND h.hour >= :h GROUP BY h.release, "
		"h.environment ORDER BY max(h.hour) DESC, h.release, h.environment LIMIT :n");
	store_health_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", hour_of(since));
	st_bind_named_int(s, ":n", limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.release = st_col_text(s, 0);
		row.environment = st_col_text(s, 1);
		row.started = sqlite3_column_int64(s, 2);
		row.exited = sqlite3_column_int64(s, 3);
		row.errored = sqlite3_column_int64(s, 4);
		row.abnormal = sqlite3_column_int64(s, 5);
		row.crashed = sqlite3_column_int64(s, 6);
		row.duration_n = sqlite3_column_int64(s, 7);
		row.duration_ms = sqlite3_column_int64(s, 8);
		row.last_hour = sqlite3_column_int64(s, 9);
		row.installs = sqlite3_column_int64(s, 10);
		row.crashed_installs = sqlite3_column_int64(s, 11);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}
