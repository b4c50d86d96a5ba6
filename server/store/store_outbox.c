/* store_outbox.c - the outbox: events recorded with the change that causes them, read by channels. */
#include "store/store_outbox.h"

#include <assert.h>
#include <sqlite3.h>

#include "store/store_int.h"

int store_outbox_add(store_db *db, int64_t project_id, const char *type, const char *data,
		     int64_t now, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO outbox(project_id, type, created_at, data) "
				      "VALUES (?1, ?2, ?3, ?4)");
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, data, -1, SQLITE_STATIC);
	rc = st_step_done(s);
	if (rc == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_outbox_each(store_db *db, int64_t after_id, int limit,
		      int (*fn)(void *ctx, const store_outbox_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT o.id, o.project_id, p.name, o.type, o.created_at, "
				      "o.data FROM outbox o JOIN projects p ON p.id = o.project_id "
				      "WHERE o.id > ?1 ORDER BY o.id LIMIT ?2");
	store_outbox_row r;
	int rc, stop = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(s, 0);
		r.project_id = sqlite3_column_int64(s, 1);
		r.project = st_col_text(s, 2);
		r.type = st_col_text(s, 3);
		r.created_at = sqlite3_column_int64(s, 4);
		r.data = st_col_text(s, 5);
		stop = fn(ctx, &r);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_outbox_cursor(store_db *db, const char *channel, int64_t *last_id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT last_id FROM outbox_cursors WHERE channel = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	rc = st_step_int(s, last_id);
	if (rc == STORE_NOTFOUND) {
		*last_id = 0;
		rc = STORE_OK;
	}
	return rc;
}

int store_outbox_cursor_set(store_db *db, const char *channel, int64_t last_id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO outbox_cursors(channel, last_id) VALUES (?1, ?2) "
				      "ON CONFLICT(channel) DO UPDATE SET last_id = excluded.last_id");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, last_id);
	return st_step_done(s);
}
