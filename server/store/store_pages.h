/* store_pages.h - what the web app's pages read: the overview and a group's stats. */
#ifndef PROSUM_STORE_PAGES_H
#define PROSUM_STORE_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_triage.h"

/* ---- what the web app's pages read (store_pages.c) ----
 *
 * Rows go to callbacks, borrowed for the call only; a callback returns 0 to go on, anything
 * else stops the read with STORE_ERROR. Every count comes from an index or an aggregate kept
 * at ingest (schema/0013), never from the reports' rows, so a page answers in milliseconds
 * whatever the project's size.
 */
#define STORE_OVERVIEW_NEW 0       /* first seen in the last 24 h, newest first */
#define STORE_OVERVIEW_REGRESSED 1 /* status regressed, last seen first */
#define STORE_OVERVIEW_RISING 2    /* more reports in the last 24 h than the 24 h before */
#define STORE_OVERVIEW_LIST_MAX 20 /* groups per list */
#define STORE_OVERVIEW_RELEASES 10 /* releases, newest first */

typedef struct store_overview_group {
	store_group_row group;
	int64_t hourly[24];   /* reports per hour of the 24 h before `now`, oldest first */
	int64_t last_24h;     /* rising only (else 0): reports in the last 24 h */
	int64_t previous_24h; /* and in the 24 h before */
} store_overview_group;

typedef struct store_overview_totals {
	int64_t reports;      /* every report of the project's groups */
	int64_t groups;       /* groups not merged into another */
	int64_t open_groups;  /* of them: new, triaged, in_progress or regressed */
	int64_t reports_24h;  /* reports received in the last 24 h */
	int64_t groups_24h;   /* groups they belong to */
} store_overview_totals;

typedef struct store_overview_fns {
	int (*group)(void *ctx, int list, const store_overview_group *g); /* STORE_OVERVIEW_* */
	int (*release)(void *ctx, const char *name, int64_t reports, int64_t groups);
	int (*totals)(void *ctx, const store_overview_totals *t);
} store_overview_fns;

/* The home page as of `now`: group() for each group of each list (new, regressed, rising, in
 * that order), release() for the newest releases with the reports (and their groups) of the
 * last 24 h whose build is in that release, totals() once. */
int store_overview(store_db *db, int64_t project_id, int64_t now, const store_overview_fns *fns,
		   void *ctx);

typedef struct store_group_stats_fns {
	/* Each UTC day of the window, oldest first, zeros included: its start and count. */
	int (*day)(void *ctx, int64_t day, int64_t count);
	/* Counts of every report of the group: facet "version", "platform" or "tag:KEY". */
	int (*facet)(void *ctx, const char *facet, const char *value, int64_t count);
	/* Reports per release of their build; name NULL: a build in no release, or unresolved. */
	int (*release)(void *ctx, const char *name, int64_t count);
} store_group_stats_fns;

/* Group G-num's counts: `days` UTC days up to the day of `now` (today included), then its
 * breakdowns, most reports first. STORE_NOTFOUND when there is no such group. */
int store_group_stats(store_db *db, int64_t project_id, int64_t num, int64_t now, int days,
		      const store_group_stats_fns *fns, void *ctx);

#endif
