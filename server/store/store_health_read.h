/* store_health_read.h - the reads of release health: sums per build and group, durations, a series, crash groups, gates. */
#ifndef PROSUM_STORE_HEALTH_READ_H
#define PROSUM_STORE_HEALTH_READ_H

#include <stdint.h>

#include "store/store.h"

/*
 * A release as the health answer names it is the release an SDK sent without its build
 * metadata: "app@1.4.0+abc1234" is release "app@1.4.0", build "abc1234"; a session's own
 * revision (when it has one) names its build instead. The reads of one release match the
 * stored release R and every "R+..." (a range of the primary key, so index-backed).
 */

/* What the rows are split by: nothing, the tester cohort, the channel (environment), the
 * platform (the OS, schema/0025_health_platform.sql). */
enum { HEALTH_BY_NONE, HEALTH_BY_COHORT, HEALTH_BY_CHANNEL, HEALTH_BY_PLATFORM };

/* Sums of sessions of one stored release, revision and group since an hour. Strings borrowed
 * for the callback's duration. */
typedef struct store_health_sum {
	const char *release;  /* as stored */
	const char *revision; /* '' unknown */
	const char *group;    /* the cohort or channel; "" with HEALTH_BY_NONE */
	int64_t started, exited, errored, abnormal, crashed;
	int64_t installs, crashed_installs;
	int64_t first_hour, last_hour;
} store_health_sum;

/* The stored release names with sessions started since `since` (an hour start), from the
 * daily rows (index health_days_recent). fn non-zero stops. */
int store_health_releases_each(store_db *db, int64_t project_id, int64_t since,
				int (*fn)(void *ctx, const char *release), void *ctx);

/* The sessions of stored release `release` since `since`, a row per revision, group and hour
 * (first_hour = last_hour = that hour) of the window's first day, then per revision, group and
 * day (the first and last hours of the day with sessions; schema/0027_health_days.sql) for the
 * splits the daily rows keep; each part in primary key order (a primary key range: rows of the
 * same build come together); the caller sums them. fn non-zero stops. */
/* The installs of every build of the project first heard of at or after `since` (a row each,
 * from health_build_installs, schema/0027_health_days.sql: as a count(DISTINCT) of their
 * health_installs rows of the build would say), in primary key order: stored release,
 * revision, install and whether it crashed then (strings borrowed for the callback's duration).
 * One pass for the distinct installs of every build, release and in all (the caller dedupes
 * across builds). fn non-zero stops. */
typedef struct store_health_build_install {
	const char *release, *revision, *did;
	int crashed;
} store_health_build_install;
int store_health_installs_each(store_db *db, int64_t project_id, int64_t since,
			       int (*fn)(void *ctx, const store_health_build_install *row),
			       void *ctx);

int store_health_sums_each(store_db *db, int64_t project_id, const char *release, int64_t since,
			   int by, int (*fn)(void *ctx, const store_health_sum *row), void *ctx);

/*
 * The install rows (health_installs) of release `release` (R and every "R+...") first heard of
 * at or after `since`, with the group `by` names ("" with HEALTH_BY_NONE), in primary key order;
 * the caller counts each install once per group it wants (an install has a row per environment,
 * cohort and platform it ran in). Strings borrowed for the callback's duration. fn non-zero
 * stops.
 */
typedef struct store_health_install_row {
	const char *release, *revision, *group, *did;
	int crashed;
} store_health_install_row;
int store_health_install_rows_each(store_db *db, int64_t project_id, const char *release,
				   int64_t since, int by,
				   int (*fn)(void *ctx, const store_health_install_row *row),
				   void *ctx);

/* The duration histogram of release `release` (R and R+...) since `since`: its rows (per
 * stored release, revision, group, hour or day as the sums above, and bucket) in primary key
 * order, summed by the caller.
 * With a revision (not NULL): one build's only, `release` then the stored name exactly. */
typedef struct store_health_bucket_row {
	const char *release, *revision, *group;
	int bucket;
	int64_t sessions;
} store_health_bucket_row;
int store_health_durations_each(store_db *db, int64_t project_id, const char *release,
				const char *revision, int64_t since, int by,
				int (*fn)(void *ctx, const store_health_bucket_row *row),
				void *ctx);

/* Release `release`'s sessions per `step` seconds (3600 or 86400) since `since`, oldest first. */
typedef struct store_health_point {
	int64_t t;
	int64_t started, crashed, errored, abnormal;
} store_health_point;
int store_health_series_each(store_db *db, int64_t project_id, const char *release,
			     int64_t since, int64_t step,
			     int (*fn)(void *ctx, const store_health_point *pt), void *ctx);

/* The crash groups of version `version` since `since`: crash reports per group and the
 * distinct installs that sent them, most installs first, then most reports (at most `limit`). */
typedef struct store_health_crash {
	int64_t num;
	const char *title, *status;
	int64_t reports, installs, last_seen;
} store_health_crash;
int store_health_crashes_each(store_db *db, int64_t project_id, const char *version,
			      int64_t since, int limit,
			      int (*fn)(void *ctx, const store_health_crash *c), void *ctx);
/* The same, of the reports of one cohort only (reports.cohort, fixed at ingest; "" none). */
int store_health_cohort_crashes_each(store_db *db, int64_t project_id, const char *version,
				     const char *cohort, int64_t since, int limit,
				     int (*fn)(void *ctx, const store_health_crash *c), void *ctx);

/* The ratings of release `release`'s builds (R and R+..., schema/0023_ratings.sql): how many
 * installs gave each rating, per stored release, revision and (with HEALTH_BY_COHORT) cohort;
 * group "" otherwise (ratings have no channel). Not bounded by time: a build's rating stands. */
typedef struct store_health_rating_row {
	const char *release, *revision, *group;
	int rating; /* 1..5 */
	int64_t n;
} store_health_rating_row;
int store_health_ratings_each(store_db *db, int64_t project_id, const char *release, int by,
			      int (*fn)(void *ctx, const store_health_rating_row *row), void *ctx);

/* ---- gates (schema/0024_gates.sql) ---- */

typedef struct store_health_gate {
	const char *metric, *op; /* borrowed */
	double value;            /* percent */
	int64_t min_sessions;
} store_health_gate;

/* Is `metric` / `op` one the gates take? */
int store_health_gate_metric_ok(const char *metric);
int store_health_gate_op_ok(const char *op);

/* The project's gates, by metric. */
int store_health_gates_each(store_db *db, int64_t project_id,
			    int (*fn)(void *ctx, const store_health_gate *g), void *ctx);
/* Replace the project's gates with gates[0, n) (write transaction), checked by the caller. */
int store_health_gates_set(store_db *db, int64_t project_id, const store_health_gate *gates,
			   size_t n, int64_t now);

#endif
