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
#include "api/reply.h"
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
	char **nm = NULL, **tp = NULL, **x;
	size_t cap = 0, i;
	int rc;

	*names = *tips = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			x = realloc(nm, cap * sizeof(*nm));
			if (x)
				nm = x;
			x = x ? realloc(tp, cap * sizeof(*tp)) : NULL;
			if (!x) {
				rc = SQLITE_NOMEM;
				break;
			}
			tp = x;
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

int store_release_get(store_db *db, int64_t project_id, const char *name, json_t **out)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT name, ref, commit_id, position, created_at FROM releases "
			"WHERE project_id = ?1 AND name = ?2");
	json_t *rel = NULL, *reports = json_array(), *groups = json_array();
	int rc;

	*out = NULL;
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		json_decref(reports);
		json_decref(groups);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	rel = json_pack("{s:o,s:o,s:o,s:I,s:o}", "name", st_col_json(s, 0), "ref", st_col_json(s, 1),
			"commit", st_col_json(s, 2), "position", (json_int_t)sqlite3_column_int64(s, 3),
			"created_at", reply_time(sqlite3_column_int64(s, 4)));
	sqlite3_reset(s);
	s = st_stmt(db, "SELECT r.num, r.title, r.fixed_by FROM commits c CROSS JOIN reports r "
			"ON r.project_id = c.project_id AND r.fixed_by = c.id "
			"JOIN groups g ON g.id = r.group_id "
			"WHERE c.project_id = ?1 AND c.release = ?2 AND " REPORT_STATUS
			" = 'fixed' ORDER BY r.num");
	if (!s || !rel)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(reports, json_pack("{s:o,s:o,s:o}", "id",
							 reply_id('R', sqlite3_column_int64(s, 0)),
							 "title", st_col_json(s, 1), "fixed_by",
							 st_col_json(s, 2)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	s = st_stmt(db, "SELECT g.num, g.title, g.fixed_by, g.count, g.testers FROM commits c "
			"CROSS JOIN groups g ON g.project_id = c.project_id AND g.fixed_by = c.id "
			"WHERE c.project_id = ?1 AND c.release = ?2 AND g.merged_into IS NULL "
			"AND g.status = 'fixed' ORDER BY g.num");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			groups, json_pack("{s:o,s:o,s:o,s:I,s:I}", "id",
					  reply_id('G', sqlite3_column_int64(s, 0)), "title",
					  st_col_json(s, 1), "fixed_by", st_col_json(s, 2), "count",
					  (json_int_t)sqlite3_column_int64(s, 3), "testers",
					  (json_int_t)sqlite3_column_int64(s, 4)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	json_object_set_new(rel, "fixed_reports", reports);
	json_object_set_new(rel, "fixed_groups", groups);
	json_object_set_new(rel, "shipped_suggestions", st_shipped_json(db, project_id, name, 1));
	json_object_set_new(rel, "contributors", st_contributors_json(db, project_id, name));
	*out = rel;
	return STORE_OK;
fail:
	json_decref(rel);
	json_decref(reports);
	json_decref(groups);
	return STORE_ERROR;
}

int store_release_list(store_db *db, int64_t project_id, json_t **out)
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
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (!s || !arr) {
		json_decref(arr);
		return STORE_ERROR;
	}
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			arr, json_pack("{s:o,s:o,s:o,s:I,s:o,s:I,s:I,s:I}", "name", st_col_json(s, 0),
				       "ref", st_col_json(s, 1), "commit", st_col_json(s, 2), "position",
				       (json_int_t)sqlite3_column_int64(s, 3), "created_at",
				       reply_time(sqlite3_column_int64(s, 4)), "fixed_reports",
				       (json_int_t)sqlite3_column_int64(s, 5), "fixed_groups",
				       (json_int_t)sqlite3_column_int64(s, 6), "shipped_suggestions",
				       (json_int_t)sqlite3_column_int64(s, 7)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return STORE_ERROR;
	}
	*out = json_pack("{s:o,s:n}", "items", arr, "next");
	return STORE_OK;
}

/* Suggestions a release shipped, with votes and the credit their testers opted into. */
json_t *st_shipped_json(store_db *db, int64_t project_id, const char *release, int names)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT s.num, s.title, s.votes, s.tester_name, s.id FROM "
				"suggestions s WHERE s.project_id = :p AND s.duplicate_of IS NULL "
				"AND " SHIPPED_IN " = :r ORDER BY s.votes DESC, s.num");
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *it = json_pack("{s:o,s:o,s:I,s:o}", "id",
				       reply_id('S', sqlite3_column_int64(s, 0)), "title",
				       st_col_json(s, 1), "votes", (json_int_t)sqlite3_column_int64(s, 2),
				       "suggested_by", st_col_json(s, 3));
		json_array_append_new(arr, it);
		(void)names;
	}
	sqlite3_reset(s);
	/* Voters who opted in, per suggestion; the rest are counted, not named. */
	{
		size_t i;
		json_t *it;
		json_array_foreach(arr, i, it)
		{
			int64_t n, named = 0, votes = json_integer_value(json_object_get(it, "votes"));
			json_t *voters = json_array();
			sqlite3_stmt *v;

			reply_parse_id(json_string_value(json_object_get(it, "id")), 'S', &n);
			v = st_stmt(db, "SELECT DISTINCT v.tester_name FROM votes v JOIN suggestions s ON "
				  "s.id = v.suggestion_id WHERE s.project_id = :p AND s.num = :n AND "
				  "v.tester_name IS NOT NULL ORDER BY v.created_at");
			if (v) {
				st_bind_named_int(v, ":p", project_id);
				st_bind_named_int(v, ":n", n);
				while (sqlite3_step(v) == SQLITE_ROW) {
					json_array_append_new(voters, st_col_json(v, 0));
					named++;
				}
				sqlite3_reset(v);
			}
			json_object_set_new(it, "credited", voters);
			json_object_set_new(it, "others", json_integer(votes > named ? votes - named : 0));
		}
	}
	return arr;
}

/* Testers to thank, opted-in names only: shipped suggestions and fixed reports. */
json_t *st_contributors_json(store_db *db, int64_t project_id, const char *release)
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
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:I,s:I}", "name", st_col_json(s, 0),
						     "suggestions",
						     (json_int_t)sqlite3_column_int64(s, 1),
						     "fixed_reports",
						     (json_int_t)sqlite3_column_int64(s, 2)));
	sqlite3_reset(s);
	return arr;
}

int store_contributors(store_db *db, int64_t project_id, json_t **out)
{
	*out = json_pack("{s:o}", "items", st_contributors_json(db, project_id, NULL));
	return *out ? STORE_OK : STORE_ERROR;
}

