/* store_board_links.c - testers' one-time sign-in links to the board and the sessions they make. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* Used or expired links are kept this long (seconds) after they expire, then deleted. */
#define LINK_KEEP 86400

int store_board_link_add(store_db *db, const uint8_t hash[32], int64_t project_id,
			 const char *install_id, const char *name, int64_t now, int64_t expires)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM board_links WHERE expires_at < ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now - LINK_KEEP);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	s = st_stmt(db, "INSERT INTO board_links(hash, project_id, install_id, name, created_at, "
			"expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_text(s, 3, install_id, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 4, name);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, expires);
	return st_step_done(s);
}

int store_board_link_use(store_db *db, const uint8_t hash[32], const uint8_t session_hash[32],
			 int64_t now, int64_t expires, store_session *out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT l.id, l.project_id, l.install_id, coalesce(l.name, ''), p.name FROM "
		"board_links l JOIN projects p ON p.id = l.project_id WHERE l.hash = ?1 AND "
		"l.used_at IS NULL AND l.expires_at > ?2");
	int64_t link_id;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	link_id = sqlite3_column_int64(s, 0);
	out->project_id = sqlite3_column_int64(s, 1);
	snprintf(out->install_id, sizeof(out->install_id), "%s", st_col_text(s, 2));
	snprintf(out->tester_name, sizeof(out->tester_name), "%s", st_col_text(s, 3));
	snprintf(out->project, sizeof(out->project), "%s", st_col_text(s, 4));
	sqlite3_reset(s);
	/* Void first, checked again: only one use of a link ever makes a session. */
	s = st_stmt(db, "UPDATE board_links SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, link_id);
	sqlite3_bind_int64(s, 2, now);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	if (sqlite3_changes(db->db) != 1)
		return STORE_NOTFOUND;
	s = st_stmt(db,
		    "INSERT INTO sessions(hash, project_id, install_id, tester_name, "
		    "created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, session_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, out->project_id);
	sqlite3_bind_text(s, 3, out->install_id, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 4, out->tester_name[0] ? out->tester_name : NULL);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, expires);
	rc = st_step_done(s);
	if (rc == STORE_OK)
		out->id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_sessions_end_install(store_db *db, int64_t project_id, const char *install_id,
			       int64_t now, int64_t *n)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE sessions SET ended_at = ?3 WHERE user_id IS NULL AND "
				      "project_id = ?1 AND install_id = ?2 AND ended_at IS NULL");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	rc = st_step_done(s);
	if (rc == STORE_OK && n)
		*n = sqlite3_changes(db->db);
	return rc;
}
