/* health_tally.h - the health answer's sums of a window per release, build and group, and its
 * builds in history order. */
#ifndef PROSUM_HEALTH_TALLY_H
#define PROSUM_HEALTH_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "model/health_distinct.h"
#include "model/health_metrics.h"
#include "store/store_health_read.h"

typedef struct health_group {
	char *name; /* owned */
	health_sum s;
} health_group;

typedef struct health_set {    /* a release or a build: its sums and its groups */
	char *release, *build; /* owned; build NULL for a release */
	char *stored,
	    *revision; /* owned; builds: the stored release and revision of their first row */
	health_sum s;
	health_group *groups; /* owned */
	size_t ngroups, capgroups;
	size_t prev;       /* builds: the build before in history order, or SIZE_MAX */
	size_t rank;       /* builds: position in that order; releases: their newest build's + 1 */
	int64_t rel_first; /* builds: the first hour of their release (the order without git) */
	int answered;      /* releases: in the answer */
} health_set;

/*
 * The tally of one answer: zeroed by its owner (the health job) with `by` set, filled through
 * the row callbacks below (ctx: the tally), freed by health_tally_free(). The callbacks return
 * non-zero and set `failed` when out of memory.
 */
typedef struct health_tally {
	int by;                    /* HEALTH_BY_* */
	health_set *builds, *rels; /* owned */
	size_t nbuilds, capbuilds, nrels, caprels;
	int failed;
	char **stored; /* owned: the stored release names of the window */
	size_t nstored, capstored;
	/* The last row's build and release (rows of one build come together). */
	char memo_key[1024];
	size_t memo_build, memo_rel;
} health_tally;

void health_tally_free(health_tally *t);

/* Row callbacks of the store_health_*_each reads. */
int health_tally_stored_row(void *ctx, const char *release);
int health_tally_sum_row(void *ctx, const store_health_sum *r);
int health_tally_bucket_row(void *ctx, const store_health_bucket_row *r);
int health_tally_rating_row(void *ctx, const store_health_rating_row *r);

/* Rank every build (on a store thread): by the git history where the repository knows them,
 * else by their release's first session, then their own; each build's previous is the one
 * ranked before it made from another commit (of its own app, the release's text before '@',
 * when that commit has one).
 * *resolved: the builds git ordered. A store error code. */
int health_tally_order(health_tally *t, store_db *db, int64_t project_id, size_t *resolved);

/* The distinct installs and crashed installs of every build and release of the tally, and of
 * all releases (*all, *all_crashed), first heard of at or after `since`: one pass over the
 * window's install rows, an install counted once per build, per release and in all however
 * many environments, cohorts or builds it ran. A store error code, PE_NOMEM. */
int health_tally_installs(health_tally *t, store_db *db, int64_t project_id, int64_t since,
			  int64_t *all, int64_t *all_crashed);

/* The releases newest first (by their last hour, then the newest in history, then name). */
void health_tally_sort_releases(health_tally *t);

/*
 * The exact installs of the groups of a release and its builds:
 * health_tally_groups_installs_clear() zeroes each set's groups' installs and crashed installs (the
 * sums of the hourly rows count an install in every row it has), then the rows of
 * store_health_install_rows_each() for the release go to health_tally_install_row (ctx: a
 * health_install_count, its `seen` a fresh set per release), which counts each install once per
 * group of its build and of its release.
 */
typedef struct health_install_count {
	health_tally *t;       /* borrowed */
	health_distinct *seen; /* borrowed */
} health_install_count;
void health_tally_groups_installs_clear(health_set *h);
int health_tally_install_row(void *ctx, const store_health_install_row *r);

/* Is release `release` in the answer? */
int health_tally_answered(const health_tally *t, const char *release);

#endif
