/* store_projects.c - projects and their settings, ingest keys and API tokens. */
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

static const char sql_key_project[] =
    "SELECT project_id FROM ingest_keys WHERE key = ?1 AND revoked_at IS NULL";
static const char sql_project_find[] = "SELECT id FROM projects WHERE name = ?1";

/* Look a text key up once per transaction: a memo hit, or the query's answer remembered. */
static int memo_lookup(store_db *db, const char *sql, const char *key, int64_t *out,
		       int memo_project)
{
	sqlite3_stmt *s;
	int rc;
	struct memo *m = memo_project ? &db->project_memo : &db->key_memo;
	int in_txn = !sqlite3_get_autocommit(db->db);

	if (in_txn && m->txn == db->txn && strcmp(m->key, key) == 0) {
		*out = m->id;
		return m->rc;
	}
	s = st_stmt(db, sql);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = st_step_int(s, out);
	if (in_txn && rc != STORE_ERROR && strlen(key) < sizeof(m->key)) {
		m->txn = db->txn;
		memcpy(m->key, key, strlen(key) + 1);
		m->id = rc == STORE_OK ? *out : 0;
		m->rc = rc;
	}
	return rc;
}

int store_project_add(store_db *db, const char *name, const char *repo, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO projects(name, repo, created_at) VALUES (?1, ?2, ?3)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 2, repo);
	sqlite3_bind_int64(s, 3, now);
	rc = st_step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	db->project_memo.txn = 0; /* a "no such project" remembered before is wrong now */
	return rc;
}

int store_project_find(store_db *db, const char *name, int64_t *id)
{
	return memo_lookup(db, sql_project_find, name, id, 1);
}

int store_project_name_of(store_db *db, int64_t id, char *name, size_t size)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name FROM projects WHERE id = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	rc = st_step_row(s);
	if (rc == STORE_OK)
		snprintf(name, size, "%s", st_col_text(s, 0));
	sqlite3_reset(s);
	return rc;
}

int store_key_add(store_db *db, int64_t project_id, const char *key, int64_t now)
{
	sqlite3_stmt *s =
	    st_stmt(db, "INSERT INTO ingest_keys(key, project_id, created_at) VALUES (?1, ?2, ?3)");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_int64(s, 3, now);
	return st_step_done(s);
}

int store_key_revoke(store_db *db, const char *key, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE ingest_keys SET revoked_at = :now "
				       "WHERE key = :k AND revoked_at IS NULL");

	if (!s)
		return STORE_ERROR;
	st_bind_named_text(s, ":k", key);
	st_bind_named_int(s, ":now", now);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(db->db) ? STORE_OK : STORE_NOTFOUND;
}

int store_key_list(store_db *db,
		   void (*fn)(void *ctx, const char *key, const char *project, int64_t created,
			      int64_t revoked),
		   void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT k.key, p.name, k.created_at, k.revoked_at FROM "
				       "ingest_keys k JOIN projects p ON p.id = k.project_id "
				       "ORDER BY p.name, k.created_at");
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, st_col_text(s, 0), st_col_text(s, 1), sqlite3_column_int64(s, 2),
		   sqlite3_column_int64(s, 3));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_key_project(store_db *db, const char *key, int64_t *project_id)
{
	return memo_lookup(db, sql_key_project, key, project_id, 0);
}

static const char *const role_names[] = {NULL, "developer", "release", "admin"};

const char *store_role_name(int role)
{
	return role >= STORE_ROLE_DEVELOPER && role <= STORE_ROLE_ADMIN ? role_names[role] : "none";
}

int store_role_parse(const char *name)
{
	int r;

	for (r = STORE_ROLE_DEVELOPER; r <= STORE_ROLE_ADMIN; r++)
		if (name && strcmp(name, role_names[r]) == 0)
			return r;
	return 0;
}

int store_token_add(store_db *db, const uint8_t hash[32], int role, int64_t project_id,
		    const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *s =
	    st_stmt(db, "INSERT INTO tokens(hash, role, project_id, name, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_role_name(role), -1, SQLITE_STATIC);
	if (project_id)
		sqlite3_bind_int64(s, 3, project_id);
	else
		sqlite3_bind_null(s, 3);
	st_bind_text_or_null(s, 4, name);
	sqlite3_bind_int64(s, 5, now);
	rc = st_step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_token_find(store_db *db, const uint8_t hash[32], store_token *out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, role, project_id, hash, name FROM tokens "
				      "WHERE hash = ?1 AND revoked_at IS NULL");
	const unsigned char *h;
	unsigned char diff = 0;
	int rc, i;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
		goto out;
	}
	/* The index found it; compare again in constant time all the same. */
	h = sqlite3_column_blob(s, 3);
	if (!h || sqlite3_column_bytes(s, 3) != 32) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	for (i = 0; i < 32; i++)
		diff |= h[i] ^ hash[i];
	if (diff) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	out->id = sqlite3_column_int64(s, 0);
	out->role = store_role_parse(st_col_text(s, 1));
	snprintf(out->name, sizeof(out->name), "%s", st_col_text(s, 4) ? st_col_text(s, 4) : "");
	out->project_id = sqlite3_column_int64(s, 2);
	rc = out->role ? STORE_OK : STORE_NOTFOUND;
out:
	sqlite3_reset(s);
	return rc;
}

int store_token_list(store_db *db,
		     void (*fn)(void *ctx, int64_t id, const char *role, const char *project,
				const char *name, int64_t created, int64_t revoked),
		     void *ctx)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT t.id, t.role, p.name, t.name, t.created_at, t.revoked_at "
			"FROM tokens t LEFT JOIN projects p ON p.id = t.project_id ORDER BY t.id");
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), st_col_text(s, 1), st_col_text(s, 2), st_col_text(s, 3),
		   sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_token_revoke(store_db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *s =
	    st_stmt(db, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(db->db) ? STORE_OK : STORE_NOTFOUND;
}

int store_project_repo(store_db *db, int64_t project_id, char **path)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT repo FROM projects WHERE id = ?1");
	int rc;

	*path = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (st_col_text(s, 0))
			*path = strdup(st_col_text(s, 0));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* Statements passed to project_text and project_set_text (st_stmt keys on their address). */
static const char sql_commit_url[] = "SELECT commit_url FROM projects WHERE id = :p";
static const char sql_set_commit_url[] = "UPDATE projects SET commit_url = :v WHERE id = :p";
static const char sql_version_tag[] = "SELECT version_tag FROM projects WHERE id = :p";
static const char sql_set_version_tag[] = "UPDATE projects SET version_tag = :v WHERE id = :p";

/* One text column of project :p read by sql into *out (malloc'd, NULL when unset), or the
 * column set to v (NULL: unset) by sql, which names it :v. */
static int project_text(store_db *db, const char *sql, int64_t project_id, char **out)
{
	sqlite3_stmt *s = st_stmt(db, sql);
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && st_col_text(s, 0)) {
		*out = strdup(st_col_text(s, 0));
		if (!*out)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int project_set_text(store_db *db, const char *sql, int64_t project_id, const char *v)
{
	sqlite3_stmt *s = st_stmt(db, sql);

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":v", v);
	return st_step_done(s);
}

int store_project_commit_url(store_db *db, int64_t project_id, char **url)
{
	return project_text(db, sql_commit_url, project_id, url);
}

int store_project_set_commit_url(store_db *db, int64_t project_id, const char *url)
{
	return project_set_text(db, sql_set_commit_url, project_id, url);
}

int store_project_version_tag(store_db *db, int64_t project_id, char **pattern)
{
	return project_text(db, sql_version_tag, project_id, pattern);
}

int store_project_set_version_tag(store_db *db, int64_t project_id, const char *pattern)
{
	return project_set_text(db, sql_set_version_tag, project_id,
				pattern && *pattern ? pattern : NULL);
}


/* ---- the admin API's reads and writes of projects, keys and tokens ---- */

int store_project_each(store_db *db, int64_t project_id, int public_only,
		       int (*fn)(void *ctx, const store_project_row *row), void *ctx)
{
	/* The DSN shows the newest active key: the one a rotation made last. */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT p.id, p.name, p.repo, p.commit_url, p.version_tag, p.public, p.created_at, "
		"(SELECT k.key FROM ingest_keys k WHERE k.project_id = p.id AND k.revoked_at IS "
		"NULL ORDER BY k.created_at DESC, k.key DESC LIMIT 1) "
		"FROM projects p WHERE (:p = 0 OR p.id = :p) AND (:pub = 0 OR p.public = 1) "
		"ORDER BY p.name");
	store_project_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":pub", public_only ? 1 : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		row.name = st_col_text(s, 1);
		row.repo = st_col_text(s, 2);
		row.commit_url = st_col_text(s, 3);
		row.version_tag = st_col_text(s, 4);
		row.is_public = sqlite3_column_int(s, 5) != 0;
		row.created_at = sqlite3_column_int64(s, 6);
		row.key = st_col_text(s, 7);
		if (fn(ctx, &row) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_project_set_public(store_db *db, int64_t project_id, int is_public)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE projects SET public = ?2 WHERE id = ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int(s, 2, is_public ? 1 : 0);
	return st_step_done(s);
}

static const char sql_set_repo[] = "UPDATE projects SET repo = :v WHERE id = :p";

int store_project_set_repo(store_db *db, int64_t project_id, const char *repo)
{
	return project_set_text(db, sql_set_repo, project_id, repo && *repo ? repo : NULL);
}

int store_project_keys_each(store_db *db, int64_t project_id,
			    int (*fn)(void *ctx, const store_key_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT key, created_at, revoked_at FROM ingest_keys "
				      "WHERE project_id = ?1 ORDER BY created_at, key");
	store_key_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.key = st_col_text(s, 0);
		row.created_at = sqlite3_column_int64(s, 1);
		row.revoked_at = sqlite3_column_int64(s, 2);
		if (fn(ctx, &row) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_project_key_revoke(store_db *db, int64_t project_id, const char *key, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT revoked_at FROM ingest_keys "
				      "WHERE key = ?1 AND project_id = ?2");
	int64_t revoked = 0;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	rc = st_step_int(s, &revoked);
	if (rc != STORE_OK)
		return rc;
	if (revoked)
		return STORE_CONFLICT;
	rc = store_key_revoke(db, key, now);
	/* A key looked up earlier in this transaction must not stay valid for the rest of it. */
	db->key_memo.txn = 0;
	return rc;
}

int store_token_each(store_db *db, int64_t project_id, int64_t id,
		     int (*fn)(void *ctx, const store_token_row *row), void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT t.id, t.role, t.project_id, p.name, t.name, t.created_at, t.revoked_at "
		"FROM tokens t LEFT JOIN projects p ON p.id = t.project_id "
		"WHERE (:p = 0 OR t.project_id = :p) AND (:id = 0 OR t.id = :id) ORDER BY t.id");
	store_token_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":id", id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		row.role = st_col_text(s, 1);
		row.project_id = sqlite3_column_int64(s, 2);
		row.project = st_col_text(s, 3);
		row.name = st_col_text(s, 4);
		row.created_at = sqlite3_column_int64(s, 5);
		row.revoked_at = sqlite3_column_int64(s, 6);
		if (fn(ctx, &row) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_token_revoke_in(store_db *db, int64_t id, int64_t project_id, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(revoked_at, 0) FROM tokens "
				      "WHERE id = :id AND (:p = 0 OR project_id = :p)");
	int64_t revoked = 0;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	st_bind_named_int(s, ":p", project_id);
	rc = st_step_int(s, &revoked);
	if (rc != STORE_OK)
		return rc;
	if (revoked)
		return STORE_CONFLICT;
	return store_token_revoke(db, id, now);
}
