/* store_health_read.c - the reads of release health: sums per build and group, durations, a series, crash groups, gates. */
#include "store/store_health_read.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* The group column of each HEALTH_BY_*, spliced into fixed statements (never user text). Rows
 * are streamed in primary key order and summed by the caller: a GROUP BY would sort them all. */
#define SUMS_SQL(g)                                                                              \
	"SELECT release, revision, " g ", started, exited, errored, abnormal, crashed, installs, " \
	"crashed_installs, hour FROM health_hours WHERE project_id = :p AND release = :r AND "     \
	"+hour >= :h AND +hour < :e"
static const char *const sums_sql[] = {SUMS_SQL("''"), SUMS_SQL("cohort"),
				       SUMS_SQL("environment"), SUMS_SQL("platform")};

/* Release R's rows: the key range [R, "R,") holds R and every "R+..." (',' follows '+'),
 * then the filter drops the other names in it ("R!" ...). */
#define RELEASE_MATCH                                                                            \
	"release >= :r AND release < :r2 AND (release = :r OR substr(release, 1, length(:r) + 1) " \
	"= :r || '+')"

#define DURATIONS_SQL(g)                                                                         \
	"SELECT release, revision, " g ", bucket, sessions FROM health_durations WHERE "          \
	"project_id = :p AND " RELEASE_MATCH " AND hour >= :h AND hour < :e"
static const char *const durations_sql[] = {DURATIONS_SQL("''"), DURATIONS_SQL("cohort"),
					    DURATIONS_SQL("environment"),
					    DURATIONS_SQL("platform")};
/* One build's: a stored release and revision exactly, a primary key prefix. */
#define BUILD_DURATIONS_SQL(g)                                                                   \
	"SELECT release, revision, " g ", bucket, sessions FROM health_durations WHERE "          \
	"project_id = :p AND release = :r AND revision = :v AND hour >= :h AND hour < :e"
static const char *const build_durations_sql[] = {
    BUILD_DURATIONS_SQL("''"), BUILD_DURATIONS_SQL("cohort"), BUILD_DURATIONS_SQL("environment"),
    BUILD_DURATIONS_SQL("platform")};

static int bind_release(sqlite3_stmt *s, const char *release)
{
	char r2[1024];

	if (snprintf(r2, sizeof(r2), "%s,", release) >= (int)sizeof(r2))
		return STORE_INVALID;
	st_bind_named_text(s, ":r", release);
	st_bind_named_text(s, ":r2", r2);
	return STORE_OK;
}

/*
 * The daily rows (schema/0027_health_days.sql) of the splits they keep: a window from `since`
 * (an hour) is read as the hourly rows of [since, end) and the daily rows of the days from end
 * on, end the next midnight (UTC; since itself when it is one). *end is INT64_MAX (hourly rows
 * only) for a split the daily rows do not keep (none today); returns whether daily rows are
 * read.
 */
static int days_from(int64_t since, int by, int64_t *end)
{
	const unsigned kept = 1u << HEALTH_BY_NONE | 1u << HEALTH_BY_COHORT |
			      1u << HEALTH_BY_CHANNEL | 1u << HEALTH_BY_PLATFORM;

	if (!(kept >> ((unsigned)by & 31u) & 1u)) {
		*end = INT64_MAX;
		return 0;
	}
	*end = since % 86400 == 0 ? since : since - since % 86400 + 86400;
	return 1;
}

/* The hourly rows of the window's first, partial day [since, end) (:d its midnight): of the keys
 * the daily rows have that day, each a primary key range of hours, not a scan of every hour. */
#define PART_SUMS_SQL(g)                                                                           \
	"SELECT h.release, h.revision, " g ", h.started, h.exited, h.errored, h.abnormal, "        \
	"h.crashed, h.installs, h.crashed_installs, h.hour FROM health_days k CROSS JOIN "         \
	"health_hours h ON h.project_id = k.project_id AND h.release = k.release AND h.revision "  \
	"= k.revision AND h.environment = k.environment AND h.cohort = k.cohort AND h.platform = "  \
	"k.platform AND h.hour >= :h AND h.hour < :e WHERE k.project_id = :p AND k.release = :r " \
	"AND k.day = :d"
static const char *const part_sums_sql[] = {PART_SUMS_SQL("''"), PART_SUMS_SQL("h.cohort"),
					    PART_SUMS_SQL("h.environment"),
					    PART_SUMS_SQL("h.platform")};
#define PART_DURATIONS_SQL(g, match)                                                               \
	"SELECT d.release, d.revision, " g ", d.bucket, d.sessions FROM (SELECT DISTINCT "         \
	"release, revision, environment, cohort, platform FROM health_durations_days WHERE "       \
	"project_id = :p AND " match " AND day = :d) k CROSS JOIN health_durations d ON "          \
	"d.project_id = :p AND d.release = k.release AND d.revision = k.revision AND "             \
	"d.environment = k.environment AND d.cohort = k.cohort AND d.platform = k.platform AND "   \
	"d.hour >= :h AND d.hour < :e"
static const char *const part_durations_sql[] = {
    PART_DURATIONS_SQL("''", RELEASE_MATCH), PART_DURATIONS_SQL("d.cohort", RELEASE_MATCH),
    PART_DURATIONS_SQL("d.environment", RELEASE_MATCH),
    PART_DURATIONS_SQL("d.platform", RELEASE_MATCH)};
#define BUILD_MATCH_DAY "release = :r AND revision = :v"
static const char *const part_build_durations_sql[] = {
    PART_DURATIONS_SQL("''", BUILD_MATCH_DAY), PART_DURATIONS_SQL("d.cohort", BUILD_MATCH_DAY),
    PART_DURATIONS_SQL("d.environment", BUILD_MATCH_DAY),
    PART_DURATIONS_SQL("d.platform", BUILD_MATCH_DAY)};

#define DAY_SUMS_SQL(g)                                                                            \
	"SELECT release, revision, " g ", started, exited, errored, abnormal, crashed, installs, " \
	"crashed_installs, first_hour, last_hour FROM health_days WHERE project_id = :p AND "      \
	"release = :r AND +day >= :e"
static const char *const day_sums_sql[] = {DAY_SUMS_SQL("''"), DAY_SUMS_SQL("cohort"),
					   DAY_SUMS_SQL("environment"), DAY_SUMS_SQL("platform")};
#define DAY_DURATIONS_SQL(g)                                                                       \
	"SELECT release, revision, " g ", bucket, sessions FROM health_durations_days WHERE "      \
	"project_id = :p AND " RELEASE_MATCH " AND day >= :e"
static const char *const day_durations_sql[] = {
    DAY_DURATIONS_SQL("''"), DAY_DURATIONS_SQL("cohort"), DAY_DURATIONS_SQL("environment"),
    DAY_DURATIONS_SQL("platform")};
#define DAY_BUILD_DURATIONS_SQL(g)                                                                 \
	"SELECT release, revision, " g ", bucket, sessions FROM health_durations_days WHERE "      \
	"project_id = :p AND release = :r AND revision = :v AND day >= :e"
static const char *const day_build_durations_sql[] = {DAY_BUILD_DURATIONS_SQL("''"),
						      DAY_BUILD_DURATIONS_SQL("cohort"),
						      DAY_BUILD_DURATIONS_SQL("environment"),
						      DAY_BUILD_DURATIONS_SQL("platform")};

int store_health_releases_each(store_db *db, int64_t project_id, int64_t since,
				int (*fn)(void *ctx, const char *release), void *ctx)
{
	/* the days of the window (schema/0027_health_days.sql), the first one's from `since` on */
	sqlite3_stmt *s = st_stmt(db, "SELECT DISTINCT release FROM health_days INDEXED BY "
				"health_days_recent WHERE project_id = :p AND day >= :d AND (day > "
				":d OR last_hour >= :h)");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", since);
	st_bind_named_int(s, ":d", since - since % 86400);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, st_col_text(s, 0)))
			break;
	return st_page_end(s, rc);
}

int store_health_installs_each(store_db *db, int64_t project_id, int64_t since,
			       int (*fn)(void *ctx, const store_health_build_install *row),
			       void *ctx)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT release, revision, did, crashed_hour >= :h FROM "
			"health_build_installs WHERE project_id = :p AND first_hour >= :h");
	store_health_build_install row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.release = st_col_text(s, 0);
		row.revision = st_col_text(s, 1);
		row.did = st_col_text(s, 2);
		row.crashed = sqlite3_column_int(s, 3);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

/* Columns 0-9 of a sums statement (release, revision, group, started ... crashed_installs)
 * into *row; its hours are the caller's. */
static void sum_cols(sqlite3_stmt *s, store_health_sum *row)
{
	row->release = st_col_text(s, 0);
	row->revision = st_col_text(s, 1);
	row->group = st_col_text(s, 2);
	row->started = sqlite3_column_int64(s, 3);
	row->exited = sqlite3_column_int64(s, 4);
	row->errored = sqlite3_column_int64(s, 5);
	row->abnormal = sqlite3_column_int64(s, 6);
	row->crashed = sqlite3_column_int64(s, 7);
	row->installs = sqlite3_column_int64(s, 8);
	row->crashed_installs = sqlite3_column_int64(s, 9);
}

/* The daily rows of store_health_sums_each(): of stored release `release`, days from `end`. */
static int day_sums_each(store_db *db, int64_t project_id, const char *release, int64_t end, int by,
			 int (*fn)(void *ctx, const store_health_sum *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, day_sums_sql[by]);
	store_health_sum row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	st_bind_named_int(s, ":e", end);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sum_cols(s, &row);
		row.first_hour = sqlite3_column_int64(s, 10);
		row.last_hour = sqlite3_column_int64(s, 11);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

int store_health_sums_each(store_db *db, int64_t project_id, const char *release, int64_t since,
			   int by, int (*fn)(void *ctx, const store_health_sum *row), void *ctx)
{
	sqlite3_stmt *s;
	store_health_sum row;
	int64_t end;
	int rc, stopped = 0, days = days_from(since, by, &end);

	assert(by >= HEALTH_BY_NONE && by <= HEALTH_BY_PLATFORM);
	s = st_stmt(db, days ? part_sums_sql[by] : sums_sql[by]);
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	st_bind_named_int(s, ":h", since);
	st_bind_named_int(s, ":e", end);
	st_bind_named_int(s, ":d", end - 86400);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sum_cols(s, &row);
		row.first_hour = row.last_hour = sqlite3_column_int64(s, 10);
		if ((stopped = fn(ctx, &row)) != 0)
			break;
	}
	rc = st_page_end(s, rc);
	return rc == STORE_OK && days && !stopped
		   ? day_sums_each(db, project_id, release, end, by, fn, ctx)
		   : rc;
}

/* A duration statement's build: :r and :v exactly (one build), else bind_release(). */
static int bind_build(sqlite3_stmt *s, const char *release, const char *revision)
{
	if (!revision)
		return bind_release(s, release);
	st_bind_named_text(s, ":r", release);
	st_bind_named_text(s, ":v", revision);
	return STORE_OK;
}

/* Columns 0-4 of a durations statement (release, revision, group, bucket, sessions). */
static void bucket_cols(sqlite3_stmt *s, store_health_bucket_row *row)
{
	row->release = st_col_text(s, 0);
	row->revision = st_col_text(s, 1);
	row->group = st_col_text(s, 2);
	row->bucket = sqlite3_column_int(s, 3);
	row->sessions = sqlite3_column_int64(s, 4);
}

/* The daily rows of store_health_durations_each(): of release `release` or one build, days from
 * `end`. */
static int day_durations_each(store_db *db, int64_t project_id, const char *release,
			      const char *revision, int64_t end, int by,
			      int (*fn)(void *ctx, const store_health_bucket_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, revision ? day_build_durations_sql[by] : day_durations_sql[by]);
	store_health_bucket_row row;
	int rc = STORE_OK;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":e", end);
	if ((rc = bind_build(s, release, revision)) != STORE_OK) {
		sqlite3_reset(s);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bucket_cols(s, &row);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

/* A release's install rows with their group, in primary key order. */
#define INSTALL_ROWS_SQL(g)                                                                      \
	"SELECT release, revision, " g ", did, crashed FROM health_installs WHERE project_id = :p " \
	"AND " RELEASE_MATCH " AND first_hour >= :h"
static const char *const install_rows_sql[] = {INSTALL_ROWS_SQL("''"), INSTALL_ROWS_SQL("cohort"),
					       INSTALL_ROWS_SQL("environment"),
					       INSTALL_ROWS_SQL("platform")};

int store_health_install_rows_each(store_db *db, int64_t project_id, const char *release,
				   int64_t since, int by,
				   int (*fn)(void *ctx, const store_health_install_row *row),
				   void *ctx)
{
	sqlite3_stmt *s;
	store_health_install_row row;
	int rc;

	assert(by >= HEALTH_BY_NONE && by <= HEALTH_BY_PLATFORM);
	s = st_stmt(db, install_rows_sql[by]);
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", since);
	rc = bind_release(s, release);
	if (rc != STORE_OK) {
		sqlite3_reset(s);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.release = st_col_text(s, 0);
		row.revision = st_col_text(s, 1);
		row.group = st_col_text(s, 2);
		row.did = st_col_text(s, 3);
		row.crashed = sqlite3_column_int(s, 4);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

int store_health_durations_each(store_db *db, int64_t project_id, const char *release,
				const char *revision, int64_t since, int by,
				int (*fn)(void *ctx, const store_health_bucket_row *row),
				void *ctx)
{
	sqlite3_stmt *s;
	store_health_bucket_row row;
	int64_t end;
	int rc, stopped = 0, days = days_from(since, by, &end);

	assert(by >= HEALTH_BY_NONE && by <= HEALTH_BY_PLATFORM);
	if (days)
		s = st_stmt(db, revision ? part_build_durations_sql[by] : part_durations_sql[by]);
	else
		s = st_stmt(db, revision ? build_durations_sql[by] : durations_sql[by]);
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", since);
	st_bind_named_int(s, ":e", end);
	st_bind_named_int(s, ":d", end - 86400);
	if ((rc = bind_build(s, release, revision)) != STORE_OK) {
		sqlite3_reset(s);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bucket_cols(s, &row);
		if ((stopped = fn(ctx, &row)) != 0)
			break;
	}
	rc = st_page_end(s, rc);
	return rc == STORE_OK && days && !stopped
		   ? day_durations_each(db, project_id, release, revision, end, by, fn, ctx)
		   : rc;
}

int store_health_ratings_each(store_db *db, int64_t project_id, const char *release, int by,
			      int (*fn)(void *ctx, const store_health_rating_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, by == HEALTH_BY_COHORT
		    ? "SELECT release, revision, cohort, rating, count(*) FROM ratings WHERE "
		      "project_id = :p AND " RELEASE_MATCH " GROUP BY release, revision, cohort, rating"
		    : "SELECT release, revision, '', rating, count(*) FROM ratings WHERE project_id = "
		      ":p AND " RELEASE_MATCH " GROUP BY release, revision, rating");
	store_health_rating_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	rc = bind_release(s, release);
	if (rc != STORE_OK) {
		sqlite3_reset(s);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.release = st_col_text(s, 0);
		row.revision = st_col_text(s, 1);
		row.group = st_col_text(s, 2);
		row.rating = sqlite3_column_int(s, 3);
		row.n = sqlite3_column_int64(s, 4);
		if (fn(ctx, &row))
			break;
	}
	return st_page_end(s, rc);
}

int store_health_series_each(store_db *db, int64_t project_id, const char *release,
			     int64_t since, int64_t step,
			     int (*fn)(void *ctx, const store_health_point *pt), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db,
	    "SELECT t, sum(started), sum(crashed), sum(errored), sum(abnormal) FROM (SELECT "
	    "h.hour - h.hour % :step AS t, h.started, h.crashed, h.errored, h.abnormal FROM "
	    "health_days k CROSS JOIN health_hours h ON h.project_id = k.project_id AND h.release "
	    "= k.release AND h.revision = k.revision AND h.environment = k.environment AND "
	    "h.cohort = k.cohort AND h.platform = k.platform AND h.hour >= max(:h, k.day) AND "
	    "h.hour < min(:e, k.day + 86400) WHERE k.project_id = :p AND +k.release >= :r AND "
	    "+k.release < :r2 AND (k.release = :r OR substr(k.release, 1, length(:r) + 1) = :r || "
	    "'+') AND k.day >= :d AND k.day < :e UNION ALL SELECT day AS t, started, crashed, "
	    "errored, abnormal FROM health_days WHERE project_id = :p AND " RELEASE_MATCH
	    " AND +day >= :e) GROUP BY t ORDER BY t");
	int64_t end;
	store_health_point pt;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":h", since);
	st_bind_named_int(s, ":step", step);
	/* by day: the daily rows after the first day's hours; by hour: the hourly rows alone, each
	 * day's of the keys the daily rows have that day */
	if (step != 86400 || !days_from(since, HEALTH_BY_NONE, &end))
		end = INT64_MAX;
	st_bind_named_int(s, ":e", end);
	st_bind_named_int(s, ":d", since - since % 86400);
	rc = bind_release(s, release);
	if (rc != STORE_OK) {
		sqlite3_reset(s);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		pt.t = sqlite3_column_int64(s, 0);
		pt.started = sqlite3_column_int64(s, 1);
		pt.crashed = sqlite3_column_int64(s, 2);
		pt.errored = sqlite3_column_int64(s, 3);
		pt.abnormal = sqlite3_column_int64(s, 4);
		if (fn(ctx, &pt))
			break;
	}
	return st_page_end(s, rc);
}

/* The crash groups of a version, of every cohort's reports (cohort NULL) or of one cohort's. */
static int crashes_each(store_db *db, int64_t project_id, const char *version, const char *cohort,
			int64_t since, int limit,
			int (*fn)(void *ctx, const store_health_crash *c), void *ctx)
{
#define CRASHES_SQL(COHORT)                                                                        \
	"SELECT g.num, g.title, g.status, c.reports, c.installs, c.last FROM (SELECT "             \
	"group_id, count(*) AS reports, count(DISTINCT install_id) AS installs, "                  \
	"max(received_at) AS last FROM reports WHERE project_id = :p AND version = :v AND "        \
	"received_at >= :t AND kind = 'crash' " COHORT "GROUP BY group_id) c JOIN groups g ON "    \
	"g.id = c.group_id ORDER BY c.installs DESC, c.reports DESC, g.num LIMIT :n"
	sqlite3_stmt *s = st_stmt(db, cohort ? CRASHES_SQL("AND cohort = :c ") : CRASHES_SQL(""));
#undef CRASHES_SQL
	store_health_crash c;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":v", version);
	if (cohort)
		st_bind_named_text(s, ":c", cohort);
	st_bind_named_int(s, ":t", since);
	st_bind_named_int(s, ":n", limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c.num = sqlite3_column_int64(s, 0);
		c.title = st_col_text(s, 1);
		c.status = st_col_text(s, 2);
		c.reports = sqlite3_column_int64(s, 3);
		c.installs = sqlite3_column_int64(s, 4);
		c.last_seen = sqlite3_column_int64(s, 5);
		if (fn(ctx, &c))
			break;
	}
	return st_page_end(s, rc);
}

int store_health_crashes_each(store_db *db, int64_t project_id, const char *version,
			      int64_t since, int limit,
			      int (*fn)(void *ctx, const store_health_crash *c), void *ctx)
{
	return crashes_each(db, project_id, version, NULL, since, limit, fn, ctx);
}

int store_health_cohort_crashes_each(store_db *db, int64_t project_id, const char *version,
				     const char *cohort, int64_t since, int limit,
				     int (*fn)(void *ctx, const store_health_crash *c), void *ctx)
{
	return crashes_each(db, project_id, version, cohort, since, limit, fn, ctx);
}

static const char *const gate_metrics[] = {"crash_free_sessions", "crash_free_installs",
					   "errored_rate", "abnormal_rate"};
static const char *const gate_ops[] = {">=", ">", "<=", "<"};

int store_health_gate_metric_ok(const char *metric)
{
	size_t i;

	for (i = 0; i < sizeof(gate_metrics) / sizeof(gate_metrics[0]); i++)
		if (metric && strcmp(metric, gate_metrics[i]) == 0)
			return 1;
	return 0;
}

int store_health_gate_op_ok(const char *op)
{
	size_t i;

	for (i = 0; i < sizeof(gate_ops) / sizeof(gate_ops[0]); i++)
		if (op && strcmp(op, gate_ops[i]) == 0)
			return 1;
	return 0;
}

int store_health_gates_each(store_db *db, int64_t project_id,
			    int (*fn)(void *ctx, const store_health_gate *g), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT metric, op, value, min_sessions FROM health_gates "
				"WHERE project_id = :p ORDER BY metric");
	store_health_gate g;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		g.metric = st_col_text(s, 0);
		g.op = st_col_text(s, 1);
		g.value = sqlite3_column_double(s, 2);
		g.min_sessions = sqlite3_column_int64(s, 3);
		if (fn(ctx, &g))
			break;
	}
	return st_page_end(s, rc);
}

int store_health_gates_set(store_db *db, int64_t project_id, const store_health_gate *gates,
			   size_t n, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM health_gates WHERE project_id = :p");
	size_t i;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	rc = st_step_done(s);
	for (i = 0; rc == STORE_OK && i < n; i++) {
		s = st_stmt(db, "INSERT INTO health_gates(project_id, metric, op, value, "
			    "min_sessions, updated_at) VALUES (:p, :m, :o, :v, :n, :t) ON CONFLICT "
			    "DO UPDATE SET op = excluded.op, value = excluded.value, min_sessions = "
			    "excluded.min_sessions, updated_at = excluded.updated_at");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":m", gates[i].metric);
		st_bind_named_text(s, ":o", gates[i].op);
		sqlite3_bind_double(s, sqlite3_bind_parameter_index(s, ":v"), gates[i].value);
		st_bind_named_int(s, ":n", gates[i].min_sessions);
		st_bind_named_int(s, ":t", now);
		rc = st_step_done(s);
	}
	return rc;
}
