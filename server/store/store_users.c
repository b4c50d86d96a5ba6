/* store_users.c - people, their one-time links and sessions. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* The columns of a person, in the order user_row() reads them from `first` on. */
#define USER_COLS                                                                        \
	"u.id, u.name, u.role, coalesce(u.project_id, 0), coalesce(p.name, ''), "      \
	"u.disabled_at IS NOT NULL, u.pw_salt, u.pw_hash, coalesce(u.pw_iterations, 0), " \
	"u.created_at"
#define USER_FROM " FROM users u LEFT JOIN projects p ON p.id = u.project_id "

static void copy_blob(sqlite3_stmt *s, int i, uint8_t *out, size_t len, int *ok)
{
	const void *b = sqlite3_column_blob(s, i);

	if (b && (size_t)sqlite3_column_bytes(s, i) == len) {
		memcpy(out, b, len);
	} else {
		memset(out, 0, len);
		*ok = 0;
	}
}

static void user_row(sqlite3_stmt *s, int first, store_user *u)
{
	int ok = 1;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(s, first);
	snprintf(u->name, sizeof(u->name), "%s", st_col_text(s, first + 1));
	u->role = store_role_parse(st_col_text(s, first + 2));
	u->project_id = sqlite3_column_int64(s, first + 3);
	snprintf(u->project, sizeof(u->project), "%s", st_col_text(s, first + 4));
	u->disabled = sqlite3_column_int(s, first + 5);
	copy_blob(s, first + 6, u->salt, sizeof(u->salt), &ok);
	copy_blob(s, first + 7, u->hash, sizeof(u->hash), &ok);
	u->iterations = sqlite3_column_int(s, first + 8);
	u->has_password = ok && u->iterations > 0;
	u->created_at = sqlite3_column_int64(s, first + 9);
}

/* One person from a statement whose parameters are bound. */
static int user_one(sqlite3_stmt *s, store_user *out)
{
	int rc = st_step_row(s);

	if (rc != STORE_OK)
		return rc;
	user_row(s, 0, out);
	sqlite3_reset(s);
	return STORE_OK;
}

int store_user_add(store_db *db, const char *name, int role, int64_t project_id,
		   const uint8_t link_hash[32], int64_t link_expires, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO users(name, role, project_id, link_hash, "
				      "link_expires, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_role_name(role), -1, SQLITE_STATIC);
	if (project_id)
		sqlite3_bind_int64(s, 3, project_id);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_blob(s, 4, link_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, link_expires);
	sqlite3_bind_int64(s, 6, now);
	rc = st_step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_user_find(store_db *db, const char *name, store_user *out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT " USER_COLS USER_FROM "WHERE u.name = ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return user_one(s, out);
}

int store_user_list(store_db *db, void (*fn)(void *ctx, const store_user *u), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT " USER_COLS USER_FROM "ORDER BY u.name");
	store_user u;
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		user_row(s, 0, &u);
		fn(ctx, &u);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_user_set_link(store_db *db, const char *name, const uint8_t link_hash[32],
			int64_t link_expires)
{
	sqlite3_stmt *s =
	    st_stmt(db, "UPDATE users SET link_hash = ?2, link_expires = ?3 WHERE name = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, link_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, link_expires);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_user_by_link(store_db *db, const uint8_t link_hash[32], int64_t now, store_user *out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT " USER_COLS USER_FROM
				      "WHERE u.link_hash = ?1 AND u.link_expires > ?2 AND "
				      "u.disabled_at IS NULL");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, link_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	return user_one(s, out);
}

int store_user_set_password(store_db *db, const uint8_t link_hash[32], const uint8_t *salt,
			    const uint8_t hash[32], int iterations, int64_t now, int64_t *user_id)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE users SET pw_salt = ?2, pw_hash = ?3, "
				      "pw_iterations = ?4, link_hash = NULL, link_expires = NULL "
				      "WHERE link_hash = ?1 AND link_expires > ?5 AND "
				      "disabled_at IS NULL RETURNING id");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, link_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, salt, STORE_SALT_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, iterations);
	sqlite3_bind_int64(s, 5, now);
	rc = st_step_int(s, user_id);
	sqlite3_reset(s);
	return rc;
}

int store_user_patch(store_db *db, const char *name, int role, int64_t project_id,
		     int disabled, int64_t now)
{
	sqlite3_stmt *s = st_stmt(
	    db, "UPDATE users SET role = coalesce(?2, role), "
		"project_id = CASE WHEN ?3 < 0 THEN project_id WHEN ?3 = 0 THEN NULL ELSE ?3 END, "
		"disabled_at = CASE WHEN ?4 < 0 THEN disabled_at WHEN ?4 = 0 THEN NULL "
		"ELSE coalesce(disabled_at, ?5) END WHERE name = ?1 RETURNING id");
	int64_t id;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (role)
		sqlite3_bind_text(s, 2, store_role_name(role), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, project_id);
	sqlite3_bind_int(s, 4, disabled);
	sqlite3_bind_int64(s, 5, now);
	rc = st_step_int(s, &id);
	sqlite3_reset(s);
	if (rc == STORE_OK && disabled > 0)
		rc = store_sessions_end_user(db, id, now, NULL);
	return rc;
}

int store_user_may_see(store_db *db, const char *name, int64_t project_id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM users WHERE name = ?1 AND disabled_at IS "
				      "NULL AND (project_id IS NULL OR project_id = ?2)");
	int64_t id;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	return st_step_int(s, &id);
}

int store_people(store_db *db, int64_t project_id,
		 void (*fn)(void *ctx, const char *name, const char *role), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name, role FROM users WHERE disabled_at IS NULL "
				      "AND (project_id IS NULL OR project_id = ?1) ORDER BY name");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, st_col_text(s, 0), st_col_text(s, 1));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_session_add(store_db *db, const uint8_t hash[32], int64_t user_id, int64_t now,
		      int64_t expires, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO sessions(hash, user_id, created_at, "
				      "last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?3, ?4)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, expires);
	rc = st_step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_session_find(store_db *db, const uint8_t hash[32], int64_t now, int64_t idle,
		       store_session *out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT s.id, coalesce(s.user_id, 0), s.last_seen_at, s.hash, " USER_COLS
		" FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN projects p ON "
		"p.id = u.project_id WHERE s.hash = ?1 AND s.ended_at IS NULL AND s.expires_at > "
		"?2 AND s.last_seen_at > ?2 - ?3 AND (s.user_id IS NULL OR u.disabled_at IS NULL)");
	const unsigned char *h;
	unsigned char diff = 0;
	int64_t seen;
	int rc, i;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, idle);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	/* The index found it; compare again in constant time all the same. */
	h = sqlite3_column_blob(s, 3);
	if (!h || sqlite3_column_bytes(s, 3) != 32) {
		sqlite3_reset(s);
		return STORE_NOTFOUND;
	}
	for (i = 0; i < 32; i++)
		diff |= h[i] ^ hash[i];
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->user_id = sqlite3_column_int64(s, 1);
	seen = sqlite3_column_int64(s, 2);
	if (out->user_id)
		user_row(s, 4, &out->user);
	sqlite3_reset(s);
	if (diff)
		return STORE_NOTFOUND;
	/* Idle time counts from the last use the writer saw; once a minute is enough. */
	if (ST_IN_WRITE_TXN(db) && now - seen >= 60) {
		s = st_stmt(db, "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, out->id);
		sqlite3_bind_int64(s, 2, now);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_session_end(store_db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE sessions SET ended_at = ?2 WHERE id = ?1 AND "
				      "ended_at IS NULL");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return st_step_done(s);
}

int store_sessions_end_user(store_db *db, int64_t user_id, int64_t now, int64_t *n)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE sessions SET ended_at = ?2 WHERE user_id = ?1 AND "
				      "ended_at IS NULL");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, now);
	rc = st_step_done(s);
	if (rc == STORE_OK && n)
		*n = sqlite3_changes(db->db);
	return rc;
}
