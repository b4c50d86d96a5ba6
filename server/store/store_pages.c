/* store_pages.c - what the web app's pages read: the home page's lists and counts, a group's counts over time and breakdowns. */
#include "store/store.h"

#include <sqlite3.h>
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
 * One list of the home page: s selects GROUP_COLUMNS, g.id, then (rising only) the counts of
 * the last and the previous 24 h. Each group's hourly counts are read while s is stepped:
 * another statement, which SQLite allows.
 */
static int overview_list(store_db *db, sqlite3_stmt *s, int list, int64_t now,
			 const store_overview_fns *fns, void *ctx)
{
	store_overview_group g;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&g, 0, sizeof(g));
		st_group_row(s, &g.group);
		if (list == STORE_OVERVIEW_RISING) {
			g.last_24h = sqlite3_column_int64(s, 15);
			g.previous_24h = sqlite3_column_int64(s, 16);
		}
		if (hourly(db, sqlite3_column_int64(s, 14), now, g.hourly) != STORE_OK ||
		    (fns->group && fns->group(ctx, list, &g) != 0)) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int overview_releases(store_db *db, int64_t project_id, int64_t now,
			     const store_overview_fns *fns, void *ctx)
{
	/* The last 24 h's reports per build and group, from the index alone, then their release:
	 * one lookup per build and group, not per report. (A week of them costs a sort of 100,000
	 * rows at a million reports: too slow for a home page.) */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT rl.name, coalesce(a.reports, 0), coalesce(a.groups, 0) FROM releases rl "
		"LEFT JOIN (SELECT c.release AS name, sum(x.n) AS reports, "
		"count(DISTINCT x.group_id) AS groups FROM (SELECT commit_id, group_id, "
		"count(*) AS n FROM reports WHERE project_id = ?1 AND received_at >= ?2 AND "
		"commit_id IS NOT NULL GROUP BY commit_id, group_id) x JOIN commits c ON "
		"c.project_id = ?1 AND c.id = x.commit_id WHERE c.release IS NOT NULL "
		"GROUP BY c.release) a ON a.name = rl.name WHERE rl.project_id = ?1 "
		"ORDER BY rl.position DESC, rl.created_at DESC LIMIT ?3");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - DAY);
	sqlite3_bind_int(s, 3, STORE_OVERVIEW_RELEASES);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fns->release && fns->release(ctx, st_col_text(s, 0), sqlite3_column_int64(s, 1),
						 sqlite3_column_int64(s, 2)) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int overview_totals(store_db *db, int64_t project_id, int64_t now,
			   const store_overview_fns *fns, void *ctx)
{
	/* Group counters (kept at ingest and on merges) rather than a count of the reports, from
	 * groups_project_open alone. */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT coalesce(sum(count), 0), count(*), coalesce(sum(status IN ('new', "
		"'triaged', 'in_progress', 'regressed')), 0) FROM groups WHERE project_id = ?1 "
		"AND merged_into IS NULL");
	store_overview_totals t;
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
	s = st_stmt(db, "SELECT count(*), count(DISTINCT group_id) FROM reports WHERE "
			"project_id = ?1 AND received_at >= ?2 AND received_at <= ?3");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - DAY);
	sqlite3_bind_int64(s, 3, now);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	t.reports_24h = sqlite3_column_int64(s, 0);
	t.groups_24h = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return fns->totals && fns->totals(ctx, &t) != 0 ? STORE_ERROR : STORE_OK;
}

int store_overview(store_db *db, int64_t project_id, int64_t now, const store_overview_fns *fns,
		   void *ctx)
{
	sqlite3_stmt *s;
	int rc;

	s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = ?1 "
			"AND g.first_seen >= ?2 AND g.merged_into IS NULL "
			"ORDER BY g.first_seen DESC, g.num DESC LIMIT ?3");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - DAY);
	sqlite3_bind_int(s, 3, STORE_OVERVIEW_LIST_MAX);
	rc = overview_list(db, s, STORE_OVERVIEW_NEW, now, fns, ctx);
	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = ?1 "
			"AND g.status = 'regressed' AND g.merged_into IS NULL "
			"ORDER BY g.last_seen DESC, g.num DESC LIMIT ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int(s, 2, STORE_OVERVIEW_LIST_MAX);
	rc = overview_list(db, s, STORE_OVERVIEW_REGRESSED, now, fns, ctx);
	if (rc != STORE_OK)
		return rc;
	/* Rising: the last 48 h of the project read once from reports_project_time_group, counted
	 * per group; the groups that grew most from one day to the next. */
	s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id, w.a, w.b FROM (SELECT group_id, "
			"sum(received_at > ?3) AS a, sum(received_at <= ?3) AS b FROM reports "
			"WHERE project_id = ?1 AND received_at > ?2 AND received_at <= ?4 "
			"GROUP BY group_id) w JOIN groups g ON g.id = w.group_id "
			"WHERE g.merged_into IS NULL AND w.a > w.b "
			"ORDER BY w.a - w.b DESC, w.a DESC, g.num DESC LIMIT ?5");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, now - 2 * DAY);
	sqlite3_bind_int64(s, 3, now - DAY);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int(s, 5, STORE_OVERVIEW_LIST_MAX);
	rc = overview_list(db, s, STORE_OVERVIEW_RISING, now, fns, ctx);
	if (rc != STORE_OK)
		return rc;
	rc = overview_releases(db, project_id, now, fns, ctx);
	if (rc != STORE_OK)
		return rc;
	return overview_totals(db, project_id, now, fns, ctx);
}

/* ---- a group's counts ---- */

static int stats_daily(store_db *db, int64_t group_id, int64_t now, int days,
		       const store_group_stats_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT received_at / 86400, count(*) FROM reports "
				      "WHERE group_id = ?1 AND received_at >= ?2 AND received_at < ?3 "
				      "GROUP BY 1 ORDER BY 1");
	int64_t first = (now / DAY - days + 1), day = first, d, n;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int64(s, 2, first * DAY);
	sqlite3_bind_int64(s, 3, (now / DAY + 1) * DAY);
	/* Every day of the window, the days without reports as zeros. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d = sqlite3_column_int64(s, 0);
		n = sqlite3_column_int64(s, 1);
		for (; day < d; day++)
			if (fns->day && fns->day(ctx, day * DAY, 0) != 0)
				goto stop;
		if (fns->day && fns->day(ctx, d * DAY, n) != 0)
			goto stop;
		day = d + 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	for (; day < first + days; day++)
		if (fns->day && fns->day(ctx, day * DAY, 0) != 0)
			return STORE_ERROR;
	return STORE_OK;
stop:
	sqlite3_reset(s);
	return STORE_ERROR;
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
	/* Releases: the group's reports per build from reports_group_time alone, then the
	 * release of each build (one lookup per build). */
	s = st_stmt(db, "SELECT c.release, sum(x.n) FROM (SELECT commit_id, count(*) AS n FROM "
			"reports WHERE group_id = ?1 GROUP BY commit_id) x "
			"LEFT JOIN commits c ON c.project_id = ?2 AND c.id = x.commit_id "
			"GROUP BY c.release ORDER BY 2 DESC, 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int64(s, 2, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fns->release &&
		    fns->release(ctx, st_col_text(s, 0), sqlite3_column_int64(s, 1)) != 0) {
			rc = SQLITE_ERROR;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
