/* store_health.h - release health storage (session aggregates per hour, installs) and intake counts. */
#ifndef PROSUM_STORE_HEALTH_H
#define PROSUM_STORE_HEALTH_H

#include <stdint.h>

#include "store/store.h"

/* The tables are described in schema/0017_health.sql (the platform in
 * schema/0025_health_platform.sql). */
#define STORE_HEALTH_HOUR 3600
#define STORE_HEALTH_DAY 86400
#define STORE_HEALTH_KEEP (5 * STORE_HEALTH_DAY) /* sessions are tracked (and updates taken) 5 days */

/* A session's state: the status values of Sentry's session updates. */
enum { HEALTH_OK, HEALTH_ERRORED, HEALTH_EXITED, HEALTH_CRASHED, HEALTH_ABNORMAL };
#define HEALTH_TERMINAL(st) ((st) >= HEALTH_EXITED)

/* One session update, checked (health.c): sid 32 lowercase hex digits, release non-empty. */
typedef struct store_health_update {
	const char *sid, *release, *environment; /* environment "" when none */
	const char *revision, *cohort;           /* the build's commit, the tester group: NULL or "" when none */
	const char *did;                         /* NULL or "" when none */
	const char *platform;                    /* the OS ("Linux" ...): NULL or "" unknown */
	int64_t started;                         /* unix seconds */
	int status;                              /* HEALTH_* */
	int errored;                             /* errors > 0 in this update */
	int64_t duration_ms;                     /* < 0 when not given */
} store_health_update;

/* What became of an update: applied, or ignored because its session already ended. */
enum { HEALTH_APPLIED, HEALTH_AFTER_END };

/*
 * Apply one update (write transaction): the first update heard of a session starts it with
 * its attributes (release, revision, environment, cohort, platform, start hour); later ones
 * change only its state; an update of an ended session is ignored (*outcome
 * HEALTH_AFTER_END). Counts go to the hour the session started in. Also forgets a few sessions
 * that started more than five days before now.
 */
int store_health_session(store_db *db, int64_t project_id, const store_health_update *u,
			 int64_t now, int *outcome);

/* One entry of a `sessions` item's aggregates, with the item's attributes. */
typedef struct store_health_bucket {
	const char *release, *environment, *did; /* did NULL when none */
	const char *revision, *cohort;           /* NULL or "" when none */
	const char *platform;                    /* NULL or "" unknown */
	int64_t started;
	int64_t exited, errored, abnormal, crashed; /* each >= 0 */
} store_health_bucket;

/* Add a bucket of pre-aggregated sessions (write transaction). */
int store_health_bucket_add(store_db *db, int64_t project_id, const store_health_bucket *b);

/* Count `quantity` items of `type` with `outcome` on the UTC day of `now` (write transaction). */
int store_intake_count(store_db *db, int64_t project_id, int64_t now, const char *type,
		       const char *outcome, int64_t quantity);
/* Add a client's discarded count on the UTC day of `now` (write transaction). */
int store_client_discard(store_db *db, int64_t project_id, int64_t now, const char *reason,
			 const char *category, int64_t quantity);

/* ---- reads: what an admin sees, since a time ---- */

/* One row of the reads below; the strings are borrowed for the callback's duration. */
typedef struct store_intake_row {
	const char *a, *b;  /* counts: type, outcome; discards: reason, category */
	int64_t quantity;
} store_intake_row;

/* Item counts since `since` (UTC day of it included), summed per type and outcome, largest
 * first. fn non-zero stops. */
int store_intake_counts_each(store_db *db, int64_t project_id, int64_t since,
			     int (*fn)(void *ctx, const store_intake_row *row), void *ctx);
/* Client discards since `since`, summed per reason and category, largest first. */
int store_client_discards_each(store_db *db, int64_t project_id, int64_t since,
			       int (*fn)(void *ctx, const store_intake_row *row), void *ctx);

/* Sessions of one release and environment over a time window. */
typedef struct store_health_row {
	const char *release, *environment;
	int64_t started, exited, errored, abnormal, crashed;
	int64_t installs, crashed_installs; /* installs with a session started in the window */
	int64_t duration_n, duration_ms;
	int64_t last_hour; /* the newest hour with sessions */
} store_health_row;

/* Per release and environment, sessions started since `since`, newest first (at most
 * `limit`). fn non-zero stops. */
int store_health_each(store_db *db, int64_t project_id, int64_t since, int limit,
		      int (*fn)(void *ctx, const store_health_row *row), void *ctx);

#endif
