/* store_pages.c - what the web app's pages read: the home page's lists and counts, a group's counts over time and breakdowns. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#define DAY 86400
#define HOUR 3600

/* A group's reports per hour of the 24 h before `now`, oldest first, from reports_group_time. */
static int hourly(store_db *db, int64_t group_id, int64_t now, int64_t out[24])
{
	sqlite3_stmt *s = st_stmt(db, "SELECT (received_at - ?2) / 3600, count(*) FROM reports "
				      "WHERE group_id = ?1 AND received_at >= ?2 AND "
				      "received_at <= ?3 GROUP BY 1");
	int rc;

	memset(out, 0, 24 * sizeof(out[0]));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int64(s, 2, now - DAY);
	sqlite3_bind_int64(s, 3, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t h = sqlite3_column_int64(s, 0);

		/* A report at `now` itself ends the last hour. */
		out[h < 0 ? 0 : h > 23 ? 23 : h] += sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/*
 * One list of the home page: s selects GROUP_COLUMNS, g.id. Each group's hourly counts are
 * read while s is stepped: another statement, which SQLite allows.
 */
static int overview_list(store_db *db, sqlite3_stmt *s, int list, int64_t now,
			 const store_overview_fns *fns, void *ctx)
{
	store_overview_group g;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&g, 0, sizeof(g));
		st_group_row(s, &g.group);
		if (hourly(db, sqlite3_column_int64(s, 14), now, g.hourly) != STORE_OK ||
		    (fns->group && fns->group(ctx, list, &g) != 0)) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/*
 * The last 48 h of a project, read once from reports_project_time_group (time, group, build)
 * and counted in memory: reports per group in the last 24 h (a) and the 24 h before (b), and
 * for the last 24 h the reports and groups of each of the newest releases. One pass over some
 * 30,000 index entries at a million reports, where a query per figure would sort them thrice.
 */
typedef struct gcount {
	int64_t id; /* groups.id; 0: an empty slot */
	int64_t a, b;
	uint32_t rels; /* bit r: a report of the last 24 h from a build of release r */
} gcount;

typedef struct window {
	gcount *slots;
	size_t cap, n;
	char names[STORE_OVERVIEW_RELEASES][128]; /* the newest releases, newest first */
	int64_t reports[STORE_OVERVIEW_RELEASES];
	size_t nrel;
	struct {
		char id[41];
		int rel; /* index into names, -1: in none of them */
	} builds[64]; /* the builds met so far and their release */
	size_t nbuilds;
	int64_t reports_24h;
} window;

static gcount *window_group(window *w, int64_t id)
{
	size_t i;

	if ((w->n + 1) * 2 > w->cap) { /* grow: rehash into twice the slots */
		size_t cap = w->cap ? w->cap * 2 : 4096, k;
		gcount *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return NULL;
		for (k = 0; k < w->cap; k++) {
			if (!w->slots[k].id)
				continue;
			for (i = (size_t)w->slots[k].id * 0x9e3779b97f4a7c15u & (cap - 1); slots[i].id;
			     i = (i + 1) & (cap - 1))
				;
			slots[i] = w->slots[k];
		}
		free(w->slots);
		w->slots = slots;
		w->cap = cap;
	}
	for (i = (size_t)id * 0x9e3779b97f4a7c15u & (w->cap - 1); w->slots[i].id;
	     i = (i + 1) & (w->cap - 1))
		if (w->slots[i].id == id)
			return &w->slots[i];
	w->slots[i].id = id;
	w->n++;
	return &w->slots[i];
}

/* The release (index into w->names) of build `commit`, -1 when none of them; -2 on error. */
static int window_release(store_db *db, int64_t project_id, window *w, const char *commit)
{
	sqlite3_stmt *s;
	const char *name;
	size_t i;
	int rel = -1;

	for (i = 0; i < w->nbuilds; i++)
		if (strcmp(w->builds[i].id, commit) == 0)
			return w->builds[i].rel;
	s = st_stmt(db, "SELECT release FROM commits WHERE project_id = ?1 AND id = ?2");
	if (!s)
		return -2;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, commit, -1, SQLITE_STATIC);
	if (st_step_row(s) == STORE_OK) {
		name = st_col_text(s, 0);
		for (i = 0; name && i < w->nrel; i++)
			if (strcmp(w->names[i], name) == 0)
				rel = (int)i;
		sqlite3_reset(s);
	}
	/* Remembered while there is room; past 64 builds in a day each row asks again. */
	if (w->nbuilds < sizeof(w->builds) / sizeof(w->builds[0]) && strlen(commit) < 41) {
		memcpy(w->builds[w->nbuilds].id, commit, strlen(commit) + 1);
		w->builds[w->nbuilds++].rel = rel;
	}
	return rel;
}

static int window_read(store_db *db, int64_t project_id, int64_t now, window *w)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name FROM releases WHERE project_id = ?1 "
				      "ORDER BY position DESC, created_at DESC LIMIT ?2");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int(s, 2, STORE_OVERVIEW_RELEASES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && w->nrel < STORE_OVERVIEW_RELEASES)
		snprintf(w->names[w->nrel++], sizeof(w->names[0]), "%s", st_col_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return STORE_ERROR;
	s = st_stmt(db, "SELECT received_at, group_id, commit_id FROM reports WHERE project_id = ?1 "
			"AND received_at > ?2 AND received_at <= ?3");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - 2 * DAY);
	sqlite3_bind_int64(s, 3, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		gcount *g = window_group(w, sqlite3_column_int64(s, 1));
		const char *commit = st_col_text(s, 2);
		int rel;

		if (!g)
			break;
		if (sqlite3_column_int64(s, 0) <= now - DAY) {
			g->b++;
			continue;
		}
		g->a++;
		w->reports_24h++;
		if (!commit || w->nrel == 0)
			continue;
		rel = window_release(db, project_id, w, commit);
		if (rel == -2)
			break;
		if (rel >= 0) {
			w->reports[rel]++;
			g->rels |= 1u << rel;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* Rising: growth first, then more reports, then the newer group. */
static int by_growth(const void *x, const void *y)
{
	const gcount *a = x, *b = y;

	if (a->a - a->b != b->a - b->b)
		return a->a - a->b > b->a - b->b ? -1 : 1;
	if (a->a != b->a)
		return a->a > b->a ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

static int overview_rising(store_db *db, window *w, int64_t now, const store_overview_fns *fns,
			   void *ctx)
{
	gcount *up = NULL;
	size_t i, n = 0, shown = 0;
	int rc = STORE_OK;

	for (i = 0; i < w->cap; i++)
		if (w->slots[i].id && w->slots[i].a > w->slots[i].b)
			n++;
	if (n && !(up = malloc(n * sizeof(*up))))
		return STORE_ERROR;
	for (n = 0, i = 0; i < w->cap; i++)
		if (w->slots[i].id && w->slots[i].a > w->slots[i].b)
			up[n++] = w->slots[i];
	if (n) /* qsort must not be given NULL, even for no items */
		qsort(up, n, sizeof(*up), by_growth);
	for (i = 0; i < n && shown < STORE_OVERVIEW_LIST_MAX && rc == STORE_OK; i++) {
		sqlite3_stmt *s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g "
					      "WHERE g.id = ?1 AND g.merged_into IS NULL");
		store_overview_group g;

		if (!s) {
			rc = STORE_ERROR;
			break;
		}
		sqlite3_bind_int64(s, 1, up[i].id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			memset(&g, 0, sizeof(g));
			st_group_row(s, &g.group);
			g.last_24h = up[i].a;
			g.previous_24h = up[i].b;
			if (hourly(db, up[i].id, now, g.hourly) != STORE_OK ||
			    (fns->group && fns->group(ctx, STORE_OVERVIEW_RISING, &g) != 0))
				rc = STORE_ERROR;
			shown++;
		}
		sqlite3_reset(s);
	}
	free(up);
	return rc;
}

static int overview_releases(window *w, const store_overview_fns *fns, void *ctx)
{
	size_t r, i;
	int64_t groups;

	for (r = 0; r < w->nrel; r++) {
		for (groups = 0, i = 0; i < w->cap; i++)
			groups += w->slots[i].id && (w->slots[i].rels >> r & 1);
		if (fns->release && fns->release(ctx, w->names[r], w->reports[r], groups) != 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

static int overview_totals(store_db *db, int64_t project_id, window *w,
			   const store_overview_fns *fns, void *ctx)
{
	/* Group counters (kept at ingest and on merges) rather than a count of the reports, from
	 * groups_project_open alone. */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT coalesce(sum(count), 0), count(*), coalesce(sum(status IN ('new', "
		"'triaged', 'in_progress', 'regressed')), 0) FROM groups WHERE project_id = ?1 "
		"AND merged_into IS NULL");
	store_overview_totals t;
	size_t i;
	int rc;

	memset(&t, 0, sizeof(t));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	t.reports = sqlite3_column_int64(s, 0);
	t.groups = sqlite3_column_int64(s, 1);
	t.open_groups = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	t.reports_24h = w->reports_24h;
	for (i = 0; i < w->cap; i++)
		t.groups_24h += w->slots[i].id && w->slots[i].a > 0;
	return fns->totals && fns->totals(ctx, &t) != 0 ? STORE_ERROR : STORE_OK;
}

int store_overview(store_db *db, int64_t project_id, int64_t now, const store_overview_fns *fns,
		   void *ctx)
{
	sqlite3_stmt *s;
	window *w = calloc(1, sizeof(*w));
	int rc = STORE_ERROR;

	if (!w)
		return STORE_ERROR;
	s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = ?1 "
			"AND g.first_seen >= ?2 AND g.merged_into IS NULL "
			"ORDER BY g.first_seen DESC, g.num DESC LIMIT ?3");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - DAY);
	sqlite3_bind_int(s, 3, STORE_OVERVIEW_LIST_MAX);
	rc = overview_list(db, s, STORE_OVERVIEW_NEW, now, fns, ctx);
	if (rc != STORE_OK)
		goto out;
	rc = STORE_ERROR;
	s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = ?1 "
			"AND g.status = 'regressed' AND g.merged_into IS NULL "
			"ORDER BY g.last_seen DESC, g.num DESC LIMIT ?2");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int(s, 2, STORE_OVERVIEW_LIST_MAX);
	rc = overview_list(db, s, STORE_OVERVIEW_REGRESSED, now, fns, ctx);
	if (rc != STORE_OK)
		goto out;
	rc = window_read(db, project_id, now, w);
	if (rc == STORE_OK)
		rc = overview_rising(db, w, now, fns, ctx);
	if (rc == STORE_OK)
		rc = overview_releases(w, fns, ctx);
	if (rc == STORE_OK)
		rc = overview_totals(db, project_id, w, fns, ctx);
out:
	free(w->slots);
	free(w);
	return rc;
}

/* ---- a group's counts ---- */

/* Each day's reports, counted while the index is read in time order: no sort. */
static int stats_daily(store_db *db, int64_t group_id, int64_t now, int days,
		       const store_group_stats_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT received_at FROM reports WHERE group_id = ?1 AND "
				      "received_at >= ?2 AND received_at < ?3");
	int64_t first = now / DAY - days + 1, *count = calloc((size_t)days, sizeof(*count)), d;
	int rc = SQLITE_ERROR, i;

	if (!s || !count)
		goto out;
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int64(s, 2, first * DAY);
	sqlite3_bind_int64(s, 3, (now / DAY + 1) * DAY);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d = sqlite3_column_int64(s, 0) / DAY - first;
		if (d >= 0 && d < days)
			count[d]++;
	}
	sqlite3_reset(s);
	/* Every day of the window, the days without reports as zeros. */
	for (i = 0; rc == SQLITE_DONE && i < days; i++)
		if (fns->day && fns->day(ctx, (first + i) * DAY, count[i]) != 0)
			rc = SQLITE_ERROR;
out:
	free(count);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* A group's reports per release of their build. */
#define STATS_BUILDS 256 /* distinct builds counted in memory; a group with more is sorted */

typedef struct build_count {
	char id[41]; /* "" for the unresolved */
	int64_t n;
	const char *release; /* set once counted: in `names` */
} build_count;

typedef struct release_count {
	char name[128]; /* "" for none */
	int64_t n;
} release_count;

static int by_count(const void *x, const void *y)
{
	const release_count *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Reports per build, from reports_group_time alone; -1 when more than STATS_BUILDS. */
static int stats_builds(store_db *db, int64_t group_id, build_count *b, size_t *nb)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT commit_id FROM reports INDEXED BY "
				      "reports_group_time WHERE group_id = ?1");
	size_t last = 0, i;
	int rc;

	*nb = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, group_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = st_col_text(s, 0);

		if (!id || strlen(id) > 40)
			id = "";
		/* Reports come in time order: a build's come in runs, so the last one first. */
		if (*nb && strcmp(b[last].id, id) == 0) {
			b[last].n++;
			continue;
		}
		for (i = 0; i < *nb && strcmp(b[i].id, id) != 0; i++)
			;
		if (i == *nb) {
			if (*nb == STATS_BUILDS) {
				sqlite3_reset(s);
				return -1;
			}
			memcpy(b[i].id, id, strlen(id) + 1);
			b[i].n = 0;
			(*nb)++;
		}
		b[i].n++;
		last = i;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int stats_releases(store_db *db, int64_t project_id, int64_t group_id,
			  const store_group_stats_fns *fns, void *ctx)
{
	build_count *b = calloc(STATS_BUILDS, sizeof(*b));
	release_count *r = calloc(STATS_BUILDS, sizeof(*r));
	sqlite3_stmt *s;
	size_t nb = 0, nr = 0, i, k;
	int rc = b && r ? stats_builds(db, group_id, b, &nb) : STORE_ERROR;

	if (rc == -1) {
		/* Many builds: SQLite sorts them (those counted so far are dropped). */
		nb = 0;
		s = st_stmt(db, "SELECT coalesce(c.release, ''), sum(x.n) FROM (SELECT commit_id, "
				"count(*) AS n FROM reports WHERE group_id = ?1 GROUP BY commit_id) x "
				"LEFT JOIN commits c ON c.project_id = ?2 AND c.id = x.commit_id "
				"GROUP BY 1");
		rc = s ? STORE_OK : STORE_ERROR;
		if (s) {
			sqlite3_bind_int64(s, 1, group_id);
			sqlite3_bind_int64(s, 2, project_id);
			while (sqlite3_step(s) == SQLITE_ROW && nr < STATS_BUILDS) {
				snprintf(r[nr].name, sizeof(r[0].name), "%s", st_col_text(s, 0));
				r[nr++].n = sqlite3_column_int64(s, 1);
			}
			sqlite3_reset(s);
		}
	}
	/* Each build's release: one lookup per build; counts added up per release. */
	for (i = 0; rc == STORE_OK && i < nb; i++) {
		const char *name = "";

		s = st_stmt(db, "SELECT release FROM commits WHERE project_id = ?1 AND id = ?2");
		if (!s) {
			rc = STORE_ERROR;
			break;
		}
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, b[i].id, -1, SQLITE_STATIC);
		if (b[i].id[0] && sqlite3_step(s) == SQLITE_ROW && st_col_text(s, 0))
			name = st_col_text(s, 0);
		for (k = 0; k < nr && strcmp(r[k].name, name) != 0; k++)
			;
		if (k == nr)
			snprintf(r[nr++].name, sizeof(r[0].name), "%s", name);
		r[k].n += b[i].n;
		sqlite3_reset(s);
	}
	if (rc == STORE_OK)
		qsort(r, nr, sizeof(*r), by_count);
	for (i = 0; rc == STORE_OK && i < nr; i++)
		if (fns->release && fns->release(ctx, r[i].name[0] ? r[i].name : NULL, r[i].n) != 0)
			rc = STORE_ERROR;
	free(b);
	free(r);
	return rc;
}

int store_group_stats(store_db *db, int64_t project_id, int64_t num, int64_t now, int days,
		      const store_group_stats_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM groups WHERE project_id = ?1 AND num = ?2");
	int64_t group_id;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = st_step_int(s, &group_id);
	if (rc != STORE_OK)
		return rc;
	rc = stats_daily(db, group_id, now, days, fns, ctx);
	if (rc != STORE_OK)
		return rc;
	/* Versions, platforms and tags: kept per group at ingest (group_facets). */
	s = st_stmt(db, "SELECT facet, value, count FROM group_facets WHERE group_id = ?1 "
			"ORDER BY count DESC, facet, value");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, group_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fns->facet && fns->facet(ctx, st_col_text(s, 0), st_col_text(s, 1),
					     sqlite3_column_int64(s, 2)) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	return stats_releases(db, project_id, group_id, fns, ctx);
}
