/* store_cohorts.h - tester cohorts (per install, ingest key, channel) and ratings of builds. */
#ifndef PROSUM_STORE_COHORTS_H
#define PROSUM_STORE_COHORTS_H

#include <stdint.h>

#include "store/store.h"

/* The tables are described in schema/0022_cohorts.sql and schema/0023_ratings.sql. */
#define STORE_COHORT_MAX 64   /* a cohort name's bytes */
#define STORE_COMMENT_MAX 2000 /* a rating comment's bytes */

/*
 * The cohort of a session starting now, into out ("" for none): the install's (set by an
 * admin), else the ingest key's (`key` may be NULL: a token or Sentry SDK without one), else
 * the channel's (`channel` may be NULL or ""). STORE_OK or STORE_ERROR.
 */
int store_cohort_resolve(store_db *db, int64_t project_id, const char *key, const char *channel,
			 const char *install_id, char out[STORE_COHORT_MAX + 1]);

/* What a cohort is set on. */
enum { STORE_COHORT_KEY, STORE_COHORT_CHANNEL, STORE_COHORT_INSTALL };

/*
 * Set the cohort of an ingest key, channel or install of the project (write transaction);
 * cohort "" clears it. STORE_NOTFOUND: `what` is a key, and no key of this project.
 */
int store_cohort_set(store_db *db, int64_t project_id, int what, const char *name,
		     const char *cohort, int64_t now);

/* Every cohort set on the project's keys (revoked ones too), channels and installs, in that
 * order and by name; fn non-zero stops. */
int store_cohorts_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, int what, const char *name, const char *cohort),
		       void *ctx);

/* ---- ratings ---- */

typedef struct store_rating {
	const char *release, *revision; /* the build; revision "" when unknown */
	const char *install_id;
	int rating;                     /* 1..5 */
	const char *comment;            /* NULL or "" for none */
	const char *cohort;             /* the install's cohort now ("" none) */
} store_rating;

/* Rate a build: the install's rating of it is made or changed (write transaction). *created 1
 * when it is the install's first rating of that build. */
int store_rating_set(store_db *db, int64_t project_id, const store_rating *r, int64_t now,
		     int *created);

/* The build an install runs: the release and revision of its latest session (health tables),
 * else of its latest rating. STORE_NOTFOUND when prosum knows of neither. */
int store_install_build(store_db *db, int64_t project_id, const char *install_id,
			char *release, size_t release_sz, char *revision, size_t revision_sz);

/* One install's rating of a build, for the board: STORE_NOTFOUND when it has none. comment
 * (may be NULL) gets "" for none. */
int store_rating_get(store_db *db, int64_t project_id, const char *release,
		     const char *revision, const char *install_id, int *rating, char *comment,
		     size_t comment_sz);

/*
 * The ratings of a build: counts[r] for r in 1..5 (counts[0] unused), their number and the sum
 * of the ratings (the mean is sum / n). revision NULL: every revision of the release; cohort
 * NULL: every cohort. STORE_OK (all zero when none) or STORE_ERROR.
 */
typedef struct store_rating_dist {
	int64_t counts[6];
	int64_t n, sum;
	int64_t comments; /* ratings with a comment */
} store_rating_dist;

int store_rating_distribution(store_db *db, int64_t project_id, const char *release,
			      const char *revision, const char *cohort, store_rating_dist *out);

#endif
