/* store_sentry.c - what Sentry envelopes keep beside reports: typed and waiting attachments, and
 * feedback links. */
#include "store/store_sentry.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/attach.h"
#include "store/store_int.h"

int store_sentry_report_num(store_db *db, int64_t project_id, const char *uuid, int64_t *num)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT num FROM reports WHERE project_id = ?1 AND uuid = ?2");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	return st_step_int(s, num);
}

/* The bytes already recorded under `name` (report num, else waiting for uuid) into sha: 1, 0
 * when the name is free, or STORE_ERROR. */
static int sha_of_name(store_db *db, int64_t project_id, int64_t num, const char *uuid,
		       const char *name, char sha[ATTACH_HEX_LEN + 1])
{
	sqlite3_stmt *s;
	int rc;

	if (num > 0) {
		s = st_stmt(db, "SELECT a.sha256 FROM attachments a JOIN reports r ON r.id = "
				"a.report_id WHERE r.project_id = ?1 AND r.num = ?2 AND a.name = ?3");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 2, num);
	} else {
		s = st_stmt(db, "SELECT sha256 FROM sentry_pending_attachments WHERE project_id = ?1 "
				"AND event_uuid = ?2 AND name = ?3");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	rc = st_step_row(s);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return STORE_ERROR;
	snprintf(sha, ATTACH_HEX_LEN + 1, "%s", st_col_text(s, 0));
	sqlite3_reset(s);
	return 1;
}

static int insert_one(store_db *db, int64_t project_id, int64_t num, const char *uuid,
		      const store_sentry_attachment *a, const char *name, int64_t now)
{
	sqlite3_stmt *s;

	if (num > 0) {
		s = st_stmt(db, "INSERT INTO attachments(report_id, name, size, content_type, sha256, "
				"attachment_type) SELECT id, ?3, ?4, ?5, ?6, ?7 FROM reports "
				"WHERE project_id = ?1 AND num = ?2");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 2, num);
	} else {
		s = st_stmt(db, "INSERT INTO sentry_pending_attachments(project_id, event_uuid, name, "
				"size, content_type, sha256, attachment_type, received_at) "
				"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, now);
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, a->size);
	sqlite3_bind_text(s, 5, a->content_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, a->attachment_type, -1, SQLITE_STATIC);
	return st_step_done(s);
}

int store_sentry_attachment_put(store_db *db, int64_t project_id, int64_t num,
				const char *event_uuid, const store_sentry_attachment *a,
				int64_t now, int *added)
{
	char name[ATTACH_NAME_MAX + 1], sha[ATTACH_HEX_LEN + 1];
	const char *dot = strrchr(a->name, '.');
	int k, rc;
	size_t stem = dot && dot != a->name ? (size_t)(dot - a->name) : strlen(a->name);

	assert(ST_IN_WRITE_TXN(db));
	*added = 0;
	/* At most PROSUM_MAX_ATTACHMENTS per report: far fewer names than this are ever tried. */
	for (k = 1; k <= 64; k++) {
		if (k == 1)
			snprintf(name, sizeof(name), "%s", a->name);
		else
			snprintf(name, sizeof(name), "%.*s-%d%s", (int)stem, a->name, k,
				 a->name + stem);
		rc = sha_of_name(db, project_id, num, event_uuid, name, sha);
		if (rc < 0)
			return STORE_ERROR;
		if (rc == 1 && strcmp(sha, a->sha256) == 0)
			return STORE_OK; /* sent before */
		if (rc == 1)
			continue;
		rc = insert_one(db, project_id, num, event_uuid, a, name, now);
		if (rc == STORE_OK)
			*added = 1;
		return rc;
	}
	return STORE_ERROR;
}

int store_sentry_attachments_total(store_db *db, int64_t project_id, int64_t num,
				   const char *event_uuid, int64_t *count, int64_t *bytes)
{
	sqlite3_stmt *s;
	int rc;

	if (num > 0) {
		s = st_stmt(db, "SELECT count(*), coalesce(sum(a.size), 0) FROM attachments a JOIN "
				"reports r ON r.id = a.report_id WHERE r.project_id = ?1 AND r.num = ?2");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 2, num);
	} else {
		s = st_stmt(db, "SELECT count(*), coalesce(sum(size), 0) FROM sentry_pending_attachments "
				"WHERE project_id = ?1 AND event_uuid = ?2");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_text(s, 2, event_uuid, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 1, project_id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return STORE_ERROR;
	*count = sqlite3_column_int64(s, 0);
	*bytes = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return STORE_OK;
}

int store_sentry_pending_claim(store_db *db, int64_t project_id, int64_t num,
			       const char *event_uuid, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name, size, content_type, sha256, attachment_type "
				      "FROM sentry_pending_attachments WHERE project_id = ?1 AND "
				      "event_uuid = ?2 ORDER BY received_at, name");
	store_sentry_attachment a;
	int rc = STORE_OK, step = SQLITE_DONE, added;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, event_uuid, -1, SQLITE_STATIC);
	while (rc == STORE_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		a.name = st_col_text(s, 0);
		a.size = sqlite3_column_int64(s, 1);
		a.content_type = st_col_text(s, 2);
		a.sha256 = st_col_text(s, 3);
		a.attachment_type = st_col_text(s, 4);
		rc = store_sentry_attachment_put(db, project_id, num, NULL, &a, now, &added);
	}
	if (rc == STORE_OK && step != SQLITE_DONE)
		rc = STORE_ERROR;
	sqlite3_reset(s);
	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, "DELETE FROM sentry_pending_attachments WHERE project_id = ?1 AND "
			"event_uuid = ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, event_uuid, -1, SQLITE_STATIC);
	return st_step_done(s);
}

int store_sentry_feedback_link(store_db *db, int64_t project_id, int64_t feedback_num,
			       const char *event_uuid)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT OR IGNORE INTO sentry_feedback(feedback_id, "
				      "project_id, event_uuid) SELECT id, ?1, ?3 FROM reports "
				      "WHERE project_id = ?1 AND num = ?2");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, feedback_num);
	sqlite3_bind_text(s, 3, event_uuid, -1, SQLITE_STATIC);
	return st_step_done(s);
}

int store_sentry_feedback_for(store_db *db, int64_t project_id, int64_t num, int64_t *event_num)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT e.num FROM reports f JOIN sentry_feedback l ON "
				      "l.feedback_id = f.id JOIN reports e ON e.project_id = "
				      "l.project_id AND e.uuid = l.event_uuid "
				      "WHERE f.project_id = ?1 AND f.num = ?2");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	return st_step_int(s, event_num);
}

int store_sentry_feedback_each(store_db *db, int64_t project_id, int64_t num,
			       int (*fn)(void *ctx, int64_t feedback_num), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT f.num FROM reports e JOIN sentry_feedback l ON "
				      "l.project_id = e.project_id AND l.event_uuid = e.uuid "
				      "JOIN reports f ON f.id = l.feedback_id "
				      "WHERE e.project_id = ?1 AND e.num = ?2 ORDER BY f.num");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0)) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_sentry_attachment_types(store_db *db, int64_t project_id, int64_t num,
				  int (*fn)(void *ctx, const char *name, const char *type),
				  void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT a.name, a.attachment_type FROM attachments a JOIN "
				      "reports r ON r.id = a.report_id WHERE r.project_id = ?1 AND "
				      "r.num = ?2 AND a.attachment_type IS NOT NULL");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, st_col_text(s, 0), st_col_text(s, 1)) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
