/* store.c - SQLite storage: migrations, queries, and the writer and reader threads with group commit. */
#include "store.h"

#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "schema.h"

/* Every statement, prepared once per connection on first use. */
enum {
	Q_META_GET,
	Q_META_SET,
	Q_PROJECT_ADD,
	Q_PROJECT_FIND,
	Q_KEY_ADD,
	Q_KEY_PROJECT,
	Q_TOKEN_ADD,
	Q_TOKEN_FIND,
	Q_REPORT_BY_UUID,
	Q_GROUP_BY_FP,
	Q_NEXT_GROUP,
	Q_GROUP_ADD,
	Q_NEXT_REPORT,
	Q_REPORT_ADD,
	Q_GROUP_TESTER,
	Q_GROUP_SEEN,
	Q_REPORT_GET,
	Q_REPORT_LIST,
	Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[Q_PROJECT_ADD] = "INSERT INTO projects(name, repo, created_at) VALUES (?1, ?2, ?3)",
	[Q_PROJECT_FIND] = "SELECT id FROM projects WHERE name = ?1",
	[Q_KEY_ADD] = "INSERT INTO ingest_keys(key, project_id, created_at) VALUES (?1, ?2, ?3)",
	[Q_KEY_PROJECT] = "SELECT project_id FROM ingest_keys WHERE key = ?1 AND revoked_at IS NULL",
	[Q_TOKEN_ADD] = "INSERT INTO tokens(hash, role, project_id, name, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_TOKEN_FIND] = "SELECT id, role, project_id, hash FROM tokens "
			 "WHERE hash = ?1 AND revoked_at IS NULL",
	[Q_REPORT_BY_UUID] = "SELECT r.num, g.num FROM reports r JOIN groups g ON g.id = r.group_id "
			     "WHERE r.project_id = ?1 AND r.uuid = ?2",
	[Q_GROUP_BY_FP] = "SELECT id, num FROM groups WHERE project_id = ?1 AND fingerprint = ?2",
	[Q_NEXT_GROUP] = "UPDATE projects SET next_group = next_group + 1 WHERE id = ?1 "
			 "RETURNING next_group - 1",
	[Q_GROUP_ADD] = "INSERT INTO groups(project_id, num, fingerprint, kind, title, first_seen, "
			"last_seen, first_revision, last_revision) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7)",
	[Q_NEXT_REPORT] = "UPDATE projects SET next_report = next_report + 1 WHERE id = ?1 "
			  "RETURNING next_report - 1",
	[Q_REPORT_ADD] = "INSERT INTO reports(project_id, num, uuid, group_id, kind, title, severity, "
			 "install_id, version, revision, received_at, body) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_GROUP_TESTER] = "INSERT OR IGNORE INTO group_testers(group_id, install_id) VALUES (?1, ?2)",
	[Q_GROUP_SEEN] = "UPDATE groups SET count = count + 1, testers = testers + ?2, "
			 "last_seen = max(last_seen, ?3), "
			 "last_revision = coalesce(?4, last_revision) WHERE id = ?1",
	[Q_REPORT_GET] = "SELECT r.num, g.num, r.kind, r.title, r.status, r.received_at, "
			 "r.revision, r.body FROM reports r JOIN groups g ON g.id = r.group_id "
			 "WHERE r.project_id = ?1 AND r.num = ?2",
	[Q_REPORT_LIST] = "SELECT r.num, g.num, r.kind, r.title, r.status, r.received_at, "
			  "r.revision, r.version, r.severity, r.install_id "
			  "FROM reports r JOIN groups g ON g.id = r.group_id "
			  "WHERE r.project_id = ?1 AND r.num < ?2 "
			  "AND (?3 IS NULL OR r.kind = ?3) AND (?4 IS NULL OR r.status = ?4) "
			  "AND (?5 IS NULL OR r.revision = ?5) AND (?6 = 0 OR g.num = ?6) "
			  "ORDER BY r.num DESC LIMIT ?7",
};

struct store_db {
	sqlite3 *db;
	int write;
	sqlite3_stmt *stmt[Q_COUNT];
};

struct store {
	pthread_mutex_t lock;
	pthread_cond_t wcond; /* jobs for the writer */
	pthread_cond_t rcond; /* jobs for the readers */
	store_job *wq_head, *wq_tail;
	store_job *rq_head, *rq_tail;
	int wq_len, wq_max, batch_max;
	int stopping;
	pthread_t writer;
	pthread_t *readers;
	int nreaders;
	store_db *wdb;
	store_db **rdbs;
};

/* A statement ready for binding, or NULL when it cannot be prepared. */
static sqlite3_stmt *stmt(store_db *db, int q)
{
	sqlite3_stmt *s = db->stmt[q];

	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(db->db, sql_text[q], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "prosumd: cannot prepare statement %d: %s\n", q,
			sqlite3_errmsg(db->db));
		return NULL;
	}
	db->stmt[q] = s;
	return s;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int exec(store_db *db, const char *sql)
{
	return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? STORE_OK : STORE_ERROR;
}

const char *store_db_error(store_db *db)
{
	return db ? sqlite3_errmsg(db->db) : "no database";
}

int store_schema_version(store_db *db)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Bring the schema up to date in one transaction: all migrations or none. */
static int migrate(store_db *db, char *err, size_t errlen)
{
	int have, i, n;
	char pragma[64];

	for (n = 0; schema_migrations[n].sql; n++)
		;
	if (exec(db, "BEGIN IMMEDIATE") < 0)
		goto fail;
	have = store_schema_version(db);
	if (have > n) {
		snprintf(err, errlen, "database schema %d is newer than this prosumd (%d)", have, n);
		store_rollback(db);
		return STORE_ERROR;
	}
	for (i = have; i < n; i++) {
		if (exec(db, schema_migrations[i].sql) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", schema_migrations[i].name,
				 sqlite3_errmsg(db->db));
			store_rollback(db);
			return STORE_ERROR;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", n);
	if (exec(db, pragma) < 0 || exec(db, "COMMIT") < 0)
		goto fail;
	return STORE_OK;
fail:
	snprintf(err, errlen, "migration failed: %s", sqlite3_errmsg(db->db));
	store_rollback(db);
	return STORE_ERROR;
}

int store_db_open(store_db **out, const char *path, int mode, char *err, size_t errlen)
{
	store_db *db = calloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	db->write = mode == STORE_WRITE;
	flags |= db->write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 db->db ? sqlite3_errmsg(db->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, 5000);
	/* synchronous=FULL: an acknowledged report survives power loss; the
	 * writer's group commit pays the fsync once per batch, not per report. */
	if (exec(db, "PRAGMA foreign_keys = ON") < 0 || exec(db, "PRAGMA synchronous = FULL") < 0)
		goto sqlfail;
	if (db->write) {
		if (exec(db, "PRAGMA journal_mode = WAL") < 0)
			goto sqlfail;
		if (migrate(db, err, errlen) < 0)
			goto fail;
	} else if (exec(db, "PRAGMA query_only = ON") < 0) {
		goto sqlfail;
	}
	*out = db;
	return STORE_OK;
sqlfail:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->db));
fail:
	store_db_close(db);
	return STORE_ERROR;
}

void store_db_close(store_db *db)
{
	int i;

	if (!db)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->db);
	free(db);
}

int store_begin(store_db *db)
{
	return exec(db, db->write ? "BEGIN IMMEDIATE" : "BEGIN");
}

int store_commit(store_db *db)
{
	return exec(db, "COMMIT");
}

void store_rollback(store_db *db)
{
	if (!sqlite3_get_autocommit(db->db))
		exec(db, "ROLLBACK");
}

int store_meta_get(store_db *db, const char *key, char **out)
{
	sqlite3_stmt *s = stmt(db, Q_META_GET);
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = strdup(col_text(s, 0));
		rc = *out ? STORE_OK : STORE_ERROR;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_meta_set(store_db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(db, Q_META_SET);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
	sqlite3_reset(s);
	return rc;
}

/* Run a statement that returns nothing; STORE_EXISTS on a uniqueness conflict. */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_EXISTS;
	return STORE_ERROR;
}

/* Run a statement that returns one integer. */
static int step_int(sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_project_add(store_db *db, const char *name, const char *repo, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = stmt(db, Q_PROJECT_ADD);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	bind_text_or_null(s, 2, repo);
	sqlite3_bind_int64(s, 3, now);
	rc = step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_project_find(store_db *db, const char *name, int64_t *id)
{
	sqlite3_stmt *s = stmt(db, Q_PROJECT_FIND);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return step_int(s, id);
}

int store_key_add(store_db *db, int64_t project_id, const char *key, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_KEY_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_int64(s, 3, now);
	return step_done(s);
}

int store_key_project(store_db *db, const char *key, int64_t *project_id)
{
	sqlite3_stmt *s = stmt(db, Q_KEY_PROJECT);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return step_int(s, project_id);
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
	sqlite3_stmt *s = stmt(db, Q_TOKEN_ADD);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_role_name(role), -1, SQLITE_STATIC);
	if (project_id)
		sqlite3_bind_int64(s, 3, project_id);
	else
		sqlite3_bind_null(s, 3);
	bind_text_or_null(s, 4, name);
	sqlite3_bind_int64(s, 5, now);
	rc = step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_token_find(store_db *db, const uint8_t hash[32], store_token *out)
{
	sqlite3_stmt *s = stmt(db, Q_TOKEN_FIND);
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
	out->role = store_role_parse(col_text(s, 1));
	out->project_id = sqlite3_column_int64(s, 2);
	rc = out->role ? STORE_OK : STORE_NOTFOUND;
out:
	sqlite3_reset(s);
	return rc;
}

/* The existing report with this uuid, if any. */
static int report_by_uuid(store_db *db, int64_t project_id, const char *uuid, store_ingest *out)
{
	sqlite3_stmt *s = stmt(db, Q_REPORT_BY_UUID);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->num = sqlite3_column_int64(s, 0);
		out->group_num = sqlite3_column_int64(s, 1);
		out->created = 0;
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* Find the group of a fingerprint, making it when it is new. */
static int group_for(store_db *db, int64_t project_id, const report *r, int64_t now,
		     int64_t *group_id, int64_t *group_num)
{
	sqlite3_stmt *s = stmt(db, Q_GROUP_BY_FP);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, r->fingerprint, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*group_id = sqlite3_column_int64(s, 0);
		*group_num = sqlite3_column_int64(s, 1);
		sqlite3_reset(s);
		return STORE_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;

	s = stmt(db, Q_NEXT_GROUP);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (step_int(s, group_num) != STORE_OK)
		return STORE_ERROR;
	s = stmt(db, Q_GROUP_ADD);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, *group_num);
	sqlite3_bind_text(s, 3, r->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	bind_text_or_null(s, 7, r->revision ? r->revision : r->version);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	*group_id = sqlite3_last_insert_rowid(db->db);
	return STORE_OK;
}

int store_report_insert(store_db *db, int64_t project_id, const report *r, int64_t now,
			store_ingest *out)
{
	sqlite3_stmt *s;
	int64_t group_id;
	char *body = NULL;
	int rc, new_tester;

	rc = report_by_uuid(db, project_id, r->uuid, out);
	if (rc != STORE_NOTFOUND)
		return rc; /* already stored (OK), or an error */
	if (group_for(db, project_id, r, now, &group_id, &out->group_num) < 0)
		return STORE_ERROR;
	s = stmt(db, Q_NEXT_REPORT);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (step_int(s, &out->num) != STORE_OK)
		return STORE_ERROR;

	body = json_dumps(r->root, JSON_COMPACT);
	s = stmt(db, Q_REPORT_ADD);
	if (!body || !s) {
		rc = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, out->num);
	sqlite3_bind_text(s, 3, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, group_id);
	sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->title, -1, SQLITE_STATIC);
	bind_text_or_null(s, 7, r->severity);
	sqlite3_bind_text(s, 8, r->install_id, -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, r->version);
	bind_text_or_null(s, 10, r->revision);
	sqlite3_bind_int64(s, 11, now);
	sqlite3_bind_text(s, 12, body, -1, SQLITE_STATIC);
	rc = step_done(s);
	if (rc != STORE_OK)
		goto out;

	s = stmt(db, Q_GROUP_TESTER);
	if (!s) {
		rc = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_text(s, 2, r->install_id, -1, SQLITE_STATIC);
	rc = step_done(s);
	if (rc != STORE_OK)
		goto out;
	new_tester = sqlite3_changes(db->db) > 0;
	s = stmt(db, Q_GROUP_SEEN);
	if (!s) {
		rc = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, group_id);
	sqlite3_bind_int(s, 2, new_tester);
	sqlite3_bind_int64(s, 3, now);
	bind_text_or_null(s, 4, r->revision ? r->revision : r->version);
	rc = step_done(s);
	out->created = 1;
out:
	free(body);
	return rc;
}

/* The revision link of a report: what it was built from and, later, its commit and release. */
static json_t *revision_json(const char *input)
{
	return json_pack("{s:o,s:n,s:n}", "input", input ? json_string(input) : json_null(),
			 "commit", "release");
}

int store_report_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	sqlite3_stmt *s = stmt(db, Q_REPORT_GET);
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
		goto out;
	}
	r = json_loads(col_text(s, 7), 0, &jerr);
	if (!json_is_object(r)) {
		rc = STORE_ERROR;
		goto out;
	}
	/* The document as sent, with what the server knows of it on top. */
	json_object_set_new(r, "id", json_id('R', sqlite3_column_int64(s, 0)));
	json_object_set_new(r, "group", json_id('G', sqlite3_column_int64(s, 1)));
	json_object_set_new(r, "kind", json_string(col_text(s, 2)));
	json_object_set_new(r, "title", json_string(col_text(s, 3)));
	json_object_set_new(r, "status", json_string(col_text(s, 4)));
	json_object_set_new(r, "received_at", json_time(sqlite3_column_int64(s, 5)));
	json_object_set_new(r, "revision", revision_json(col_text(s, 6)));
	if (!json_object_get(r, "frames"))
		json_object_set_new(r, "frames", json_array());
	json_object_set_new(r, "attachments", json_array());
	*out = r;
	r = NULL;
	rc = STORE_OK;
out:
	json_decref(r);
	sqlite3_reset(s);
	return rc;
}

int store_report_list(store_db *db, int64_t project_id, const store_report_filter *f,
		      json_t **items, int64_t *next)
{
	sqlite3_stmt *s = stmt(db, Q_REPORT_LIST);
	json_t *arr = json_array();
	int rc, n = 0;
	int64_t last = 0;

	*items = NULL;
	*next = 0;
	if (!s || !arr) {
		json_decref(arr);
		return STORE_ERROR;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, f->before > 0 ? f->before : INT64_MAX);
	bind_text_or_null(s, 3, f->kind);
	bind_text_or_null(s, 4, f->status);
	bind_text_or_null(s, 5, f->revision);
	sqlite3_bind_int64(s, 6, f->group);
	sqlite3_bind_int(s, 7, f->limit + 1); /* one more tells whether a next page exists */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			*next = last;
			continue;
		}
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(
			arr, json_pack("{s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s}", "id",
				       json_id('R', last), "group",
				       json_id('G', sqlite3_column_int64(s, 1)), "kind",
				       col_text(s, 2), "title", col_text(s, 3), "status",
				       col_text(s, 4), "received_at",
				       json_time(sqlite3_column_int64(s, 5)), "revision",
				       revision_json(col_text(s, 6)), "version",
				       col_text(s, 7) ? json_string(col_text(s, 7)) : json_null(),
				       "severity",
				       col_text(s, 8) ? json_string(col_text(s, 8)) : json_null(),
				       "install_id", col_text(s, 9)));
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return STORE_ERROR;
	}
	*items = arr;
	return STORE_OK;
}

/* ---- threads ---- */

static void post_done(store_job *job)
{
	loop_post(job->owner, &job->task);
}

/*
 * The writer: take everything queued (up to batch_max) and run it in one
 * transaction, each job in a savepoint of its own so that one refused job
 * does not undo the others. One commit, one fsync, for the whole batch; the
 * answers go out only after it.
 */
static void *writer_main(void *arg)
{
	store *st = arg;
	store_job *batch, *job, *next;
	int n, ok;

	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->wq_head && !st->stopping)
			pthread_cond_wait(&st->wcond, &st->lock);
		if (!st->wq_head && st->stopping) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		batch = st->wq_head;
		for (n = 1, job = batch; job->next && n < st->batch_max; n++)
			job = job->next;
		st->wq_head = job->next;
		if (!st->wq_head)
			st->wq_tail = NULL;
		job->next = NULL;
		st->wq_len -= n;
		pthread_mutex_unlock(&st->lock);

		ok = store_begin(st->wdb) == STORE_OK;
		for (job = batch; job; job = job->next) {
			if (!ok) {
				job->result = STORE_ERROR;
				continue;
			}
			if (exec(st->wdb, "SAVEPOINT job") < 0) {
				job->result = STORE_ERROR;
				continue;
			}
			job->result = job->run(job, st->wdb);
			if (job->result != STORE_OK)
				exec(st->wdb, "ROLLBACK TO job");
			exec(st->wdb, "RELEASE job");
		}
		if (ok && store_commit(st->wdb) < 0) {
			fprintf(stderr, "prosumd: commit failed: %s\n", store_db_error(st->wdb));
			store_rollback(st->wdb);
			ok = 0;
		}
		for (job = batch; job; job = next) {
			next = job->next;
			if (!ok)
				job->result = STORE_ERROR;
			post_done(job);
		}
	}
	return NULL;
}

struct reader_arg {
	store *st;
	store_db *db;
};

static void *reader_main(void *arg)
{
	struct reader_arg *ra = arg;
	store *st = ra->st;
	store_db *db = ra->db;
	store_job *job;

	free(ra);
	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->rq_head && !st->stopping)
			pthread_cond_wait(&st->rcond, &st->lock);
		job = st->rq_head;
		if (!job) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		st->rq_head = job->next;
		if (!st->rq_head)
			st->rq_tail = NULL;
		pthread_mutex_unlock(&st->lock);

		/* One read transaction: the job sees one snapshot even across statements. */
		if (store_begin(db) < 0) {
			job->result = STORE_ERROR;
		} else {
			job->result = job->run(job, db);
			store_rollback(db);
		}
		post_done(job);
	}
	return NULL;
}

int store_start(store **out, const char *path, int readers, int queue_max, int batch_max,
		char *err, size_t errlen)
{
	store *st = calloc(1, sizeof(*st));
	int i;

	*out = NULL;
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->wcond, NULL);
	pthread_cond_init(&st->rcond, NULL);
	st->wq_max = queue_max > 0 ? queue_max : 1;
	st->batch_max = batch_max > 0 ? batch_max : 1;
	st->nreaders = readers > 0 ? readers : 1;
	if (store_db_open(&st->wdb, path, STORE_WRITE, err, errlen) < 0)
		goto fail;
	st->rdbs = calloc((size_t)st->nreaders, sizeof(*st->rdbs));
	st->readers = calloc((size_t)st->nreaders, sizeof(*st->readers));
	if (!st->rdbs || !st->readers) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < st->nreaders; i++)
		if (store_db_open(&st->rdbs[i], path, STORE_READ, err, errlen) < 0)
			goto fail;
	if (pthread_create(&st->writer, NULL, writer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		goto fail;
	}
	for (i = 0; i < st->nreaders; i++) {
		struct reader_arg *ra = malloc(sizeof(*ra));

		if (ra) {
			ra->st = st;
			ra->db = st->rdbs[i];
		}
		if (!ra || pthread_create(&st->readers[i], NULL, reader_main, ra) != 0) {
			int j;

			/* Stop the threads already started; close the connections they did not get. */
			free(ra);
			snprintf(err, errlen, "cannot start a reader thread");
			for (j = i; j < st->nreaders; j++)
				store_db_close(st->rdbs[j]);
			st->nreaders = i;
			store_stop(st);
			return STORE_ERROR;
		}
	}
	*out = st;
	return STORE_OK;
fail:
	if (st->rdbs)
		for (i = 0; i < st->nreaders; i++)
			store_db_close(st->rdbs[i]);
	free(st->rdbs);
	free(st->readers);
	store_db_close(st->wdb);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	free(st);
	return STORE_ERROR;
}

int store_submit(store *st, store_job *job)
{
	int rc = STORE_OK;

	assert(job->run && job->owner && job->task.fn);
	job->next = NULL;
	pthread_mutex_lock(&st->lock);
	if (st->stopping) {
		rc = STORE_STOPPED;
	} else if (job->write) {
		if (st->wq_len >= st->wq_max) {
			rc = STORE_BUSY;
		} else {
			if (st->wq_tail)
				st->wq_tail->next = job;
			else
				st->wq_head = job;
			st->wq_tail = job;
			st->wq_len++;
			pthread_cond_signal(&st->wcond);
		}
	} else {
		if (st->rq_tail)
			st->rq_tail->next = job;
		else
			st->rq_head = job;
		st->rq_tail = job;
		pthread_cond_signal(&st->rcond);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

void store_stop(store *st)
{
	int i;

	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_broadcast(&st->wcond);
	pthread_cond_broadcast(&st->rcond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->writer, NULL);
	for (i = 0; i < st->nreaders; i++)
		pthread_join(st->readers[i], NULL);
	for (i = 0; i < st->nreaders; i++)
		store_db_close(st->rdbs[i]);
	/* A checkpoint leaves the main file whole for backups and the next start. */
	sqlite3_wal_checkpoint_v2(st->wdb->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	store_db_close(st->wdb);
	free(st->rdbs);
	free(st->readers);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	free(st);
}
