/* store_reports.c - reading reports: one report, lists with filters and search, attachments. */
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

#define STORE_SEARCH_WINDOW "1000" /* newest full-text matches (per kind of hit) searched */

#define REPORT_COLUMNS                                                                     \
	"r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, r.revision, "    \
	"r.version, r.severity, r.install_id, r.assignee, r.os, r.commit_id, "             \
	"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "              \
	"AND c.id = r.commit_id) "


int store_attachments_add(store_db *db, int64_t project_id, int64_t num,
			  const store_attachment *a, size_t n)
{
	sqlite3_stmt *s;
	size_t i;

	assert(ST_IN_WRITE_TXN(db));
	for (i = 0; i < n; i++) {
		s = st_stmt(
		    db,
		    "INSERT INTO attachments(report_id, name, size, content_type, sha256) "
		    "SELECT id, ?3, ?4, ?5, ?6 FROM reports WHERE project_id = ?1 AND num = ?2");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, num);
		sqlite3_bind_text(s, 3, a[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, a[i].size);
		sqlite3_bind_text(s, 5, a[i].content_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, a[i].sha256, -1, SQLITE_STATIC);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_attachment_find(store_db *db, int64_t project_id, int64_t num, const char *name,
			  char sha256[65], char type[128], int64_t *size)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT a.sha256, a.content_type, a.size FROM attachments a "
				      "JOIN reports r ON r.id = a.report_id "
				      "WHERE r.project_id = ?1 AND r.num = ?2 AND a.name = ?3");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(sha256, 65, "%s", st_col_text(s, 0));
		snprintf(type, 128, "%s", st_col_text(s, 1));
		*size = sqlite3_column_int64(s, 2);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

static json_t *attachments_json(store_db *db, int64_t project_id, int64_t num)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT a.name, a.size, a.content_type, a.sha256 FROM attachments a "
			"JOIN reports r ON r.id = a.report_id "
			"WHERE r.project_id = ?1 AND r.num = ?2 ORDER BY a.name");
	json_t *arr = json_array();
	char url[256];

	if (!s || !arr)
		return arr;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	while (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(url, sizeof(url), "attachments/%s", st_col_text(s, 0));
		json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:s,s:s}", "name", st_col_text(s, 0),
						     "size", (json_int_t)sqlite3_column_int64(s, 1),
						     "content_type", st_col_text(s, 2), "sha256",
						     st_col_text(s, 3), "path", url));
	}
	sqlite3_reset(s);
	return arr;
}

/* The revision link of a report: what it was built from and, later, its commit and release. */
json_t *st_revision_json(const char *input, const char *commit, const char *release)
{
	return json_pack("{s:o,s:o,s:o}", "input", input ? json_string(input) : json_null(),
			 "commit", commit ? json_string(commit) : json_null(), "release",
			 release && *release ? json_string(release) : json_null());
}

json_t *st_text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *st_col_json(sqlite3_stmt *s, int i)
{
	return st_text_or_null(st_col_text(s, i));
}

int store_report_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, "
		"coalesce(r.revision, r.version), r.body, r.assignee, r.fixed_by, r.commit_id, "
		"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
		" AND c.id = r.commit_id), "
		"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
		" AND c.id = r.fixed_by) "
		"FROM reports r JOIN groups g ON g.id = r.group_id "
		"WHERE r.project_id = ?1 AND r.num = ?2");
	json_t *r = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
		sqlite3_reset(s);
		goto out;
	}
	r = json_loads(st_col_text(s, 7), 0, &jerr);
	if (!json_is_object(r)) {
		rc = STORE_ERROR;
		sqlite3_reset(s);
		goto out;
	}
	/* The document as sent, with what the server knows of it on top. */
	json_object_set_new(r, "id", reply_id('R', sqlite3_column_int64(s, 0)));
	json_object_set_new(r, "group", reply_id('G', sqlite3_column_int64(s, 1)));
	json_object_set_new(r, "kind", json_string(st_col_text(s, 2)));
	json_object_set_new(r, "title", json_string(st_col_text(s, 3)));
	json_object_set_new(r, "status", json_string(st_col_text(s, 4)));
	json_object_set_new(r, "received_at", reply_time(sqlite3_column_int64(s, 5)));
	json_object_set_new(r, "revision",
			    st_revision_json(st_col_text(s, 6), st_col_text(s, 10), st_col_text(s, 11)));
	json_object_set_new(r, "assignee", st_col_json(s, 8));
	json_object_set_new(r, "fixed_by", st_col_json(s, 9));
	json_object_set_new(r, "fixed_in", st_col_json(s, 12));
	if (!json_object_get(r, "frames"))
		json_object_set_new(r, "frames", json_array());
	sqlite3_reset(s);
	json_object_set_new(r, "attachments", attachments_json(db, project_id, num));
	json_object_set_new(r, "suspects", st_suspects_json(db, 1, project_id, num));
	rc = st_history(db, project_id, "R", num, r);
	if (rc != STORE_OK)
		goto out;
	*out = r;
	r = NULL;
out:
	json_decref(r);
	return rc;
}

static json_t *report_item(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 reply_id('R', sqlite3_column_int64(s, 0)), "group",
			 reply_id('G', sqlite3_column_int64(s, 1)), "kind", st_col_json(s, 2), "title",
			 st_col_json(s, 3), "status", st_col_json(s, 4), "received_at",
			 reply_time(sqlite3_column_int64(s, 5)), "revision",
			 st_revision_json(st_col_text(s, 6), st_col_text(s, 12), st_col_text(s, 13)), "version",
			 st_col_json(s, 7), "severity",
			 st_col_json(s, 8), "install_id", st_col_json(s, 9), "assignee", st_col_json(s, 10),
			 "platform", st_col_json(s, 11));
}

int store_release_known(store_db *db, int64_t project_id, const char *name)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM releases WHERE "
				       "project_id = :p AND name = :r)");
	int64_t n = 0;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", name);
	if (st_step_int(s, &n) < 0)
		return STORE_ERROR;
	return n > 0;
}

int store_report_list(store_db *db, int64_t project_id, const store_report_filter *f,
		      json_t **items, int64_t *next)
{
	buf sql, q;
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int rc = STORE_ERROR, n = 0, ranked = f->q != NULL;
	int64_t last = 0;

	*items = NULL;
	*next = 0;
	buf_init(&sql, 8192);
	buf_init(&q, 8192);
	if (!arr)
		goto out;
	if (ranked) {
		rc = st_fts_query(db, f->q, &q);
		if (rc == STORE_ERROR)
			goto out;
		if (rc == 0) /* nothing searchable: nothing found */
			goto done;
	}
	buf_puts(&sql, "SELECT " REPORT_COLUMNS "FROM reports r JOIN groups g ON g.id = r.group_id ");
	if (ranked)
		/*
		 * Relevance: a hit in the title first, then hits anywhere, newest first in
		 * each. bm25() would need every match's statistics, seconds for a common
		 * word at a million reports; walking the newest matches by rowid is cheap.
		 */
		buf_puts(&sql, "JOIN (SELECT rowid, min(rk) AS rank FROM (SELECT rowid, 0 AS rk FROM "
			       "(SELECT rowid FROM reports_fts WHERE reports_fts MATCH :qt ORDER BY "
			       "rowid DESC LIMIT " STORE_SEARCH_WINDOW ") UNION ALL SELECT rowid, 1 "
			       "FROM (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :q ORDER "
			       "BY rowid DESC LIMIT " STORE_SEARCH_WINDOW ")) GROUP BY rowid) f "
			       "ON f.rowid = r.id ");
	buf_puts(&sql, "WHERE r.project_id = :p ");
	if (f->kind)
		buf_puts(&sql, "AND r.kind = :kind ");
	if (f->status)
		buf_puts(&sql, "AND " REPORT_STATUS " = :status ");
	if (f->revision)
		buf_puts(&sql, "AND r.revision = :revision ");
	if (f->version)
		buf_puts(&sql, "AND r.version = :version ");
	if (f->platform)
		buf_puts(&sql, "AND r.os = :os ");
	if (f->release) /* the same release as the report's revision.release */
		buf_puts(&sql, "AND r.commit_id IN (SELECT c.id FROM commits c WHERE "
			       "c.project_id = :p AND c.release = :release) ");
	if (f->group)
		buf_puts(&sql, "AND r.group_id = (SELECT id FROM groups WHERE project_id = :p "
			       "AND num = :group) ");
	if (f->tag_key)
		buf_puts(&sql, "AND r.id IN (SELECT report_id FROM report_tags "
			       "WHERE project_id = :p AND key = :tk AND value = :tv) ");
	if (f->since)
		buf_puts(&sql, "AND r.received_at >= :since ");
	if (f->until)
		buf_puts(&sql, "AND r.received_at < :until ");
	if (ranked) {
		/* Ranked by relevance, a title hit weighing most; the cursor is an offset. */
		buf_puts(&sql, "ORDER BY f.rank, r.num DESC "
			       "LIMIT :limit OFFSET :offset");
	} else if (f->oldest) {
		buf_puts(&sql, "AND r.num > :cursor ORDER BY r.num ASC LIMIT :limit");
	} else {
		buf_puts(&sql, "AND r.num < :cursor ORDER BY r.num DESC LIMIT :limit");
	}
	s = st_shape(db, sql.p);
	if (!s)
		goto out;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":q", q.p);
	if (ranked) {
		buf qt;

		buf_init(&qt, 8192);
		buf_printf(&qt, "{title} : (%s)", q.p);
		st_bind_named_text(s, ":qt", qt.p);
		buf_free(&qt);
	}
	st_bind_named_text(s, ":kind", f->kind);
	st_bind_named_text(s, ":status", f->status);
	st_bind_named_text(s, ":revision", f->revision);
	st_bind_named_text(s, ":version", f->version);
	st_bind_named_text(s, ":os", f->platform);
	st_bind_named_text(s, ":release", f->release);
	st_bind_named_int(s, ":group", f->group);
	st_bind_named_text(s, ":tk", f->tag_key);
	st_bind_named_text(s, ":tv", f->tag_value);
	st_bind_named_int(s, ":since", f->since);
	st_bind_named_int(s, ":until", f->until);
	st_bind_named_int(s, ":offset", f->cursor);
	st_bind_named_int(s, ":cursor", f->cursor > 0 ? f->cursor : f->oldest ? 0 : INT64_MAX);
	st_bind_named_int(s, ":limit", f->limit + 1); /* one more tells whether a next page exists */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			*next = ranked ? f->cursor + n : last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(arr, report_item(s));
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = STORE_ERROR;
		goto out;
	}
done:
	*items = arr;
	arr = NULL;
	rc = STORE_OK;
out:
	json_decref(arr);
	buf_free(&sql);
	buf_free(&q);
	return rc;
}

