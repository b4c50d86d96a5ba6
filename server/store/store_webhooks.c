/* store_webhooks.c - webhooks and their deliveries (schema/0019_webhooks.sql). */
#include "store/store_webhooks.h"

#include <assert.h>
#include <sqlite3.h>

#include "store/store_int.h"

int store_webhook_add(store_db *db, int64_t project_id, const char *url, const char *events,
		      const char *secret, const char *format, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO webhooks(project_id, url, events, secret, "
				      "format, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, events, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	rc = st_step_done(s);
	if (rc == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_webhook_each(store_db *db, int64_t project_id, int64_t id,
		       int (*fn)(void *ctx, const store_webhook_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, project_id, created_at, url, events, secret, "
				      "format, disabled_reason, enabled FROM webhooks WHERE "
				      "project_id = ?1 AND (?2 = 0 OR id = ?2) ORDER BY id");
	store_webhook_row r;
	int rc, stop = 0, seen = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.project_id = sqlite3_column_int64(s, 1);
		r.created_at = sqlite3_column_int64(s, 2);
		r.url = st_col_text(s, 3);
		r.events = st_col_text(s, 4);
		r.secret = st_col_text(s, 5);
		r.format = st_col_text(s, 6);
		r.disabled_reason = (const char *)sqlite3_column_text(s, 7);
		r.enabled = sqlite3_column_int(s, 8);
		seen = 1;
		stop = fn(ctx, &r);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	return id && !seen ? STORE_NOTFOUND : STORE_OK;
}

int store_webhook_update(store_db *db, int64_t project_id, int64_t id, const char *url,
			 const char *events, const char *secret, const char *format, int enabled)
{
	sqlite3_stmt *s = st_stmt(
	    db, "UPDATE webhooks SET url = coalesce(?3, url), events = coalesce(?4, events), "
		"secret = coalesce(?5, secret), format = coalesce(?6, format), "
		"enabled = CASE WHEN ?7 < 0 THEN enabled ELSE ?7 END, "
		"disabled_reason = CASE WHEN ?7 = 1 THEN NULL ELSE disabled_reason END "
		"WHERE project_id = ?1 AND id = ?2");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, id);
	st_bind_text_or_null(s, 3, url);
	st_bind_text_or_null(s, 4, events);
	st_bind_text_or_null(s, 5, secret);
	st_bind_text_or_null(s, 6, format);
	sqlite3_bind_int(s, 7, enabled);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_webhook_remove(store_db *db, int64_t project_id, int64_t id)
{
	sqlite3_stmt *s;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	s = st_stmt(db, "DELETE FROM webhook_deliveries WHERE webhook_id = (SELECT id FROM "
			"webhooks WHERE project_id = ?1 AND id = ?2)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, id);
	rc = st_step_done(s);
	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, "DELETE FROM webhooks WHERE project_id = ?1 AND id = ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, id);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_webhook_deliveries_each(store_db *db, int64_t webhook_id, int limit,
				  int (*fn)(void *ctx, const store_delivery_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT d.id, d.webhook_id, d.event_id, d.attempts, d.next_at, d.created_at, "
		"coalesce(d.last_at, 0), coalesce(d.last_status, -1), "
		"coalesce(d.last_duration_ms, -1), d.state, o.type, d.last_error "
		"FROM webhook_deliveries d JOIN outbox o ON o.id = d.event_id "
		"WHERE d.webhook_id = ?1 ORDER BY d.id DESC LIMIT ?2");
	store_delivery_row r;
	int rc, stop = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, webhook_id);
	sqlite3_bind_int(s, 2, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.webhook_id = sqlite3_column_int64(s, 1);
		r.event_id = sqlite3_column_int64(s, 2);
		r.attempts = sqlite3_column_int64(s, 3);
		r.next_at = sqlite3_column_int64(s, 4);
		r.created_at = sqlite3_column_int64(s, 5);
		r.last_at = sqlite3_column_int64(s, 6);
		r.last_status = sqlite3_column_int64(s, 7);
		r.last_duration_ms = sqlite3_column_int64(s, 8);
		r.state = st_col_text(s, 9);
		r.type = st_col_text(s, 10);
		r.last_error = (const char *)sqlite3_column_text(s, 11);
		stop = fn(ctx, &r);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_webhook_redeliver(store_db *db, int64_t project_id, int64_t webhook_id,
			    int64_t delivery_id, int64_t now_ms, int64_t *new_id)
{
	sqlite3_stmt *s = st_stmt(
	    db, "UPDATE webhook_deliveries SET next_at = min(next_at, ?4) WHERE id = ?3 AND "
		"webhook_id = ?2 AND state = 'pending' AND EXISTS (SELECT 1 FROM webhooks w "
		"WHERE w.id = ?2 AND w.project_id = ?1)");
	int rc;

	if (!s)
		return STORE_ERROR;
	/* Still pending: its next try now, not a second copy of it. */
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, webhook_id);
	sqlite3_bind_int64(s, 3, delivery_id);
	sqlite3_bind_int64(s, 4, now_ms);
	rc = st_step_done(s);
	if (rc != STORE_OK)
		return rc;
	if (sqlite3_changes(db->db) > 0) {
		if (new_id)
			*new_id = delivery_id;
		return STORE_OK;
	}
	s = st_stmt(db, "INSERT INTO webhook_deliveries(webhook_id, event_id, next_at, created_at) "
			"SELECT d.webhook_id, d.event_id, ?4, ?4 FROM webhook_deliveries d JOIN "
			"webhooks w ON w.id = d.webhook_id WHERE w.project_id = ?1 AND w.id = ?2 AND "
			"d.id = ?3");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, webhook_id);
	sqlite3_bind_int64(s, 3, delivery_id);
	sqlite3_bind_int64(s, 4, now_ms);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK && new_id)
		*new_id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_webhook_fanout(store_db *db, const store_outbox_row *ev, int64_t now_ms, int *n)
{
	sqlite3_stmt *s = st_stmt(
	    db, "INSERT INTO webhook_deliveries(webhook_id, event_id, next_at, created_at) "
		" SELECT w.id, ?2, ?3, ?3 FROM webhooks w WHERE w.project_id = ?1 AND w.enabled AND "
		"w.created_at <= ?6 AND "
		"CASE WHEN ?4 = 'test' THEN coalesce(CASE WHEN json_valid(?5) THEN json_extract(?5, '$.webhook_id') END, w.id) = w.id "
		"ELSE EXISTS (SELECT 1 FROM json_each(w.events) WHERE value IN ('*', ?4)) END "
		"ORDER BY w.id");
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, ev->project_id);
	sqlite3_bind_int64(s, 2, ev->id);
	sqlite3_bind_int64(s, 3, now_ms);
	sqlite3_bind_text(s, 4, ev->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ev->data, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, ev->created_at);
	rc = st_step_done(s);
	if (n)
		*n = rc == STORE_OK ? sqlite3_changes(db->db) : 0;
	return rc;
}

int store_webhook_due(store_db *db, int64_t now_ms, int limit,
		      int (*fn)(void *ctx, const store_due_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT d.id, d.webhook_id, d.event_id, d.attempts, d.created_at, o.created_at, "
		"w.url, w.secret, w.format, o.type, o.data, p.name FROM webhook_deliveries d "
		"JOIN webhooks w ON w.id = d.webhook_id JOIN outbox o ON o.id = d.event_id "
		"JOIN projects p ON p.id = o.project_id WHERE d.state = 'pending' AND "
		"d.next_at <= ?1 AND w.enabled ORDER BY d.next_at, d.id LIMIT ?2");
	store_due_row r;
	int rc, stop = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now_ms);
	sqlite3_bind_int(s, 2, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.webhook_id = sqlite3_column_int64(s, 1);
		r.event_id = sqlite3_column_int64(s, 2);
		r.attempts = sqlite3_column_int64(s, 3);
		r.created_at = sqlite3_column_int64(s, 4);
		r.event_time = sqlite3_column_int64(s, 5);
		r.url = st_col_text(s, 6);
		r.secret = st_col_text(s, 7);
		r.format = st_col_text(s, 8);
		r.type = st_col_text(s, 9);
		r.data = st_col_text(s, 10);
		r.project = st_col_text(s, 11);
		stop = fn(ctx, &r);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_webhook_next_due(store_db *db, int64_t *at_ms)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(min(d.next_at), 0) FROM webhook_deliveries d "
				      "JOIN webhooks w ON w.id = d.webhook_id WHERE "
				      "d.state = 'pending' AND w.enabled");

	if (!s)
		return STORE_ERROR;
	return st_step_int(s, at_ms);
}

int store_webhook_attempted(store_db *db, int64_t delivery_id, const char *state,
			    int64_t next_at, int64_t at_ms, int status, int64_t duration_ms,
			    const char *error)
{
	sqlite3_stmt *s = st_stmt(
	    db, "UPDATE webhook_deliveries SET state = ?2, next_at = ?3, attempts = attempts + 1, "
		"last_at = ?4, last_status = ?5, last_duration_ms = ?6, last_error = ?7 "
		"WHERE id = ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, delivery_id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, next_at);
	sqlite3_bind_int64(s, 4, at_ms);
	if (status >= 0)
		sqlite3_bind_int(s, 5, status);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, duration_ms);
	st_bind_text_or_null(s, 7, error);
	return st_step_done(s);
}

int store_webhook_disable(store_db *db, int64_t webhook_id, const char *reason)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE webhooks SET enabled = 0, disabled_reason = ?2 "
				      "WHERE id = ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, webhook_id);
	st_bind_text_or_null(s, 2, reason);
	return st_step_done(s);
}
