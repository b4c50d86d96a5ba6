/* store_releases.c - releases: their order, what each fixed and shipped, and contributors. */
#include "store/store.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "config.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/store_int.h"
#include "model/workflow.h"

int store_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
		      const char *commit_id, int64_t now)
{
	sqlite3_stmt *s = st_stmt(
	    db,
	    "INSERT INTO releases(project_id, name, ref, commit_id, position, created_at) "
	    "VALUES (?1, ?2, ?3, ?4, (SELECT count(*) FROM releases WHERE project_id = ?1), ?5)");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	return st_step_done(s);
}

int store_releases(store_db *db, int64_t project_id, char ***names, char ***tips, size_t *n)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name, commit_id FROM releases WHERE project_id = ?1 "
				      "ORDER BY position, created_at, name");
	char **nm = NULL, **tp = NULL;
	size_t cap = 0, tcap = 0, i;
	int rc;

	*names = *tips = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (st_grow(&nm, *n, &cap, sizeof(*nm), 8) < 0 ||
		    st_grow(&tp, *n, &tcap, sizeof(*tp), 8) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		nm[*n] = strdup(st_col_text(s, 0));
		tp[*n] = strdup(st_col_text(s, 1));
		(*n)++;
		if (!nm[*n - 1] || !tp[*n - 1]) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		for (i = 0; i < *n; i++) {
			free(nm[i]);
			free(tp[i]);
		}
		free(nm);
		free(tp);
		*n = 0;
		return STORE_ERROR;
	}
	*names = nm;
	*tips = tp;
	return STORE_OK;
}

int store_release_set_position(store_db *db, int64_t project_id, const char *name, int pos)
{
	sqlite3_stmt *s =
	    st_stmt(db, "UPDATE releases SET position = ?3 WHERE project_id = ?1 AND name = ?2");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, pos);
	return st_step_done(s);
}

/* s bound to project :p and release :r; NULL when s could not be prepared (NULL). */
static sqlite3_stmt *release_bind(sqlite3_stmt *s, int64_t project_id, const char *release)
{
	if (s) {
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":r", release);
	}
	return s;
}

/* Suggestions a release shipped, with votes and the credit their testers opted into:
 * fns->shipped with each, then fns->credited with each voter who opted in. */
static int shipped_each(store_db *db, int64_t project_id, const char *release,
			const store_release_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT s.num, s.title, s.votes, s.tester_name, s.id FROM "
				"suggestions s WHERE s.project_id = :p AND s.duplicate_of IS NULL "
				"AND " SHIPPED_IN " = :r ORDER BY s.votes DESC, s.num");
	store_shipped_row row;
	int rc = 0;

	if (!release_bind(s, project_id, release))
		return 0; /* shown as none, as before */
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_stmt *v;

		row.num = sqlite3_column_int64(s, 0);
		row.title = st_col_text(s, 1);
		row.votes = sqlite3_column_int64(s, 2);
		row.suggested_by = st_col_text(s, 3);
		if (fns->shipped && fns->shipped(ctx, &row) != 0) {
			rc = -1;
			break;
		}
		if (!fns->credited)
			continue;
		/* Voters who opted in, per suggestion; the rest are counted, not named. */
		v = st_stmt(db, "SELECT DISTINCT v.tester_name FROM votes v JOIN suggestions s ON "
			  "s.id = v.suggestion_id WHERE s.project_id = :p AND s.num = :n AND "
			  "v.tester_name IS NOT NULL ORDER BY v.created_at");
		if (!v)
			continue;
		st_bind_named_int(v, ":p", project_id);
		st_bind_named_int(v, ":n", row.num);
		while (rc == 0 && sqlite3_step(v) == SQLITE_ROW)
			rc = fns->credited(ctx, st_col_text(v, 0));
		sqlite3_reset(v);
	}
	sqlite3_reset(s);
	return rc;
}

/* Testers to thank, opted-in names only: shipped suggestions and fixed reports (of
 * `release`, or of every release when NULL). */
static int contributors_each(store_db *db, int64_t project_id, const char *release,
			     store_row_fn_contributor fn, void *ctx)
{
	sqlite3_stmt *s = st_stmt(
		db, "WITH shipped AS (SELECT s.id, s.tester_name FROM suggestions s WHERE "
		    "s.project_id = :p AND s.duplicate_of IS NULL AND " SHIPPED_IN " IS NOT NULL "
		    "AND (:r IS NULL OR " SHIPPED_IN " = :r)), "
		    "fixed AS (SELECT r.tester_name FROM commits c CROSS JOIN reports r ON "
		    "r.project_id = c.project_id AND r.fixed_by = c.id JOIN groups g ON g.id = "
		    "r.group_id WHERE c.project_id = :p AND "
		    "c.release IS NOT NULL AND (:r IS NULL OR c.release = :r) AND r.tester_name IS NOT "
		    "NULL AND " REPORT_STATUS " = 'fixed' UNION ALL SELECT r.tester_name FROM commits "
		    "c CROSS JOIN groups g ON "
		    "g.project_id = c.project_id AND g.fixed_by = c.id CROSS JOIN reports r ON "
		    "r.group_id = g.id WHERE c.project_id = :p AND c.release IS NOT NULL AND (:r IS "
		    "NULL OR c.release = :r) AND r.fixed_by IS NULL AND r.tester_name IS NOT NULL "
		    "AND " REPORT_STATUS " = 'fixed'), "
		    "credit AS (SELECT tester_name AS name, 1 AS sug, 0 AS rep FROM shipped WHERE "
		    "tester_name IS NOT NULL UNION ALL SELECT v.tester_name, 1, 0 FROM votes v JOIN "
		    "shipped ON shipped.id = v.suggestion_id WHERE v.tester_name IS NOT NULL AND "
		    "v.tester_name IS NOT shipped.tester_name UNION ALL SELECT tester_name, 0, 1 FROM "
		    "fixed) "
		    "SELECT name, sum(sug), sum(rep) FROM credit GROUP BY name "
		    "ORDER BY sum(sug) + sum(rep) DESC, name LIMIT 200");
	store_contributor_row row;
	int rc = 0;

	if (!release_bind(s, project_id, release))
		return 0; /* shown as none, as before */
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		row.name = st_col_text(s, 0);
		row.suggestions = sqlite3_column_int64(s, 1);
		row.fixed_reports = sqlite3_column_int64(s, 2);
		rc = fn(ctx, &row);
	}
	sqlite3_reset(s);
	return rc;
}

/* Call fns->fixed on each row (num, title, fixed_by, and for groups count, testers) of s, the
 * reports ('R') or groups ('G') one release fixed; s may be NULL (not prepared). */
static int fixed_each(sqlite3_stmt *s, int64_t project_id, const char *name, char type,
		      const store_release_fns *fns, void *ctx)
{
	store_fixed_item it;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	memset(&it, 0, sizeof(it));
	it.type = type;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		it.num = sqlite3_column_int64(s, 0);
		it.title = st_col_text(s, 1);
		it.fixed_by = st_col_text(s, 2);
		if (type == 'G') {
			it.count = sqlite3_column_int64(s, 3);
			it.testers = sqlite3_column_int64(s, 4);
		}
		if (fns->fixed && fns->fixed(ctx, &it) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_release_get(store_db *db, int64_t project_id, const char *name,
		      const store_release_fns *fns, void *ctx)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT name, ref, commit_id, position, created_at FROM releases "
			"WHERE project_id = ?1 AND name = ?2");
	store_release_row rel;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	memset(&rel, 0, sizeof(rel));
	rel.name = st_col_text(s, 0);
	rel.ref = st_col_text(s, 1);
	rel.commit = st_col_text(s, 2);
	rel.position = sqlite3_column_int64(s, 3);
	rel.created_at = sqlite3_column_int64(s, 4);
	rc = fns->release ? fns->release(ctx, &rel) : 0;
	sqlite3_reset(s);
	if (rc != 0)
		return STORE_ERROR;
	s = st_stmt(db, "SELECT r.num, r.title, r.fixed_by FROM commits c CROSS JOIN reports r "
			"ON r.project_id = c.project_id AND r.fixed_by = c.id "
			"JOIN groups g ON g.id = r.group_id "
			"WHERE c.project_id = ?1 AND c.release = ?2 AND " REPORT_STATUS
			" = 'fixed' ORDER BY r.num");
	if (fixed_each(s, project_id, name, 'R', fns, ctx) != 0)
		return STORE_ERROR;
	s = st_stmt(db, "SELECT g.num, g.title, g.fixed_by, g.count, g.testers FROM commits c "
			"CROSS JOIN groups g ON g.project_id = c.project_id AND g.fixed_by = c.id "
			"WHERE c.project_id = ?1 AND c.release = ?2 AND g.merged_into IS NULL "
			"AND g.status = 'fixed' ORDER BY g.num");
	if (fixed_each(s, project_id, name, 'G', fns, ctx) != 0)
		return STORE_ERROR;
	if (shipped_each(db, project_id, name, fns, ctx) != 0 ||
	    (fns->contributor && contributors_each(db, project_id, name, fns->contributor, ctx) != 0))
		return STORE_ERROR;
	return STORE_OK;
}

int store_release_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, const store_release_row *r), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db,
	    "SELECT r.name, r.ref, r.commit_id, r.position, r.created_at, "
	    "(SELECT count(*) FROM commits c CROSS JOIN reports x ON x.project_id = "
	    " c.project_id AND x.fixed_by = c.id JOIN groups y ON y.id = x.group_id "
	    " WHERE c.project_id = r.project_id AND c.release = r.name AND (CASE WHEN "
	    " x.status_own THEN x.status WHEN y.status = 'fixed' AND NOT (x.fix_checked "
	    " IS y.fixed_by AND x.has_fix IS 0) THEN x.status ELSE y.status END) = "
	    " 'fixed'), "
	    "(SELECT count(*) FROM commits c CROSS JOIN groups x ON x.project_id = "
	    " c.project_id AND x.fixed_by = c.id WHERE c.project_id = r.project_id AND "
	    " c.release = r.name AND x.merged_into IS NULL AND x.status = 'fixed'), "
	    "(SELECT count(*) FROM suggestions s WHERE s.project_id = r.project_id AND "
	    " s.duplicate_of IS NULL AND " SHIPPED_IN " = r.name) "
	    "FROM releases r WHERE r.project_id = ?1 ORDER BY r.position DESC, r.created_at DESC");
	store_release_row rel;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rel.name = st_col_text(s, 0);
		rel.ref = st_col_text(s, 1);
		rel.commit = st_col_text(s, 2);
		rel.position = sqlite3_column_int64(s, 3);
		rel.created_at = sqlite3_column_int64(s, 4);
		rel.fixed_reports = sqlite3_column_int64(s, 5);
		rel.fixed_groups = sqlite3_column_int64(s, 6);
		rel.shipped_suggestions = sqlite3_column_int64(s, 7);
		if (fn(ctx, &rel) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_contributors(store_db *db, int64_t project_id, store_row_fn_contributor fn, void *ctx)
{
	return contributors_each(db, project_id, NULL, fn, ctx) == 0 ? STORE_OK : STORE_ERROR;
}
