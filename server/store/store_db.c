/* store_db.c - a store connection: open, migrate, pragmas, transactions, the statement cache and
 * shared helpers. */
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
#include "store/store_events.h"
#include "store/store_int.h"
#include "model/workflow.h"

/*
 * The statement of the literal `sql`, prepared on first use and kept: open addressing on
 * the literal's address, so a call costs a hash probe (store_int.h).
 */
sqlite3_stmt *st_stmt(store_db *db, const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 40) & (STORE_STMT_SLOTS - 1), n;
	struct st_cached *c;

	for (n = 0; n < STORE_STMT_SLOTS; n++, i = (i + 1) & (STORE_STMT_SLOTS - 1)) {
		c = &db->stmts[i];
		if (c->sql == sql) {
			sqlite3_reset(c->s);
			sqlite3_clear_bindings(c->s);
			return c->s;
		}
		if (!c->sql)
			break;
	}
	if (n == STORE_STMT_SLOTS) {
		fprintf(stderr, "prosumd: more than %d statements: raise STORE_STMT_SLOTS\n",
			STORE_STMT_SLOTS);
		return NULL;
	}
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->s, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "prosumd: cannot prepare a statement: %s\n", sqlite3_errmsg(db->db));
		sqlite3_finalize(c->s);
		c->s = NULL;
		return NULL;
	}
	c->sql = sql;
	return c->s;
}

void st_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

const char *st_col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int st_exec(store_db *db, const char *sql)
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
	if (st_exec(db, "BEGIN IMMEDIATE") < 0)
		goto fail;
	have = store_schema_version(db);
	if (have > n) {
		snprintf(err, errlen, "database schema %d is newer than this prosumd (%d)", have, n);
		store_rollback(db);
		return STORE_ERROR;
	}
	for (i = have; i < n; i++) {
		if (st_exec(db, schema_migrations[i].sql) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", schema_migrations[i].name,
				 sqlite3_errmsg(db->db));
			store_rollback(db);
			return STORE_ERROR;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", n);
	if (st_exec(db, pragma) < 0 || st_exec(db, "COMMIT") < 0)
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
	if (st_exec(db, "PRAGMA foreign_keys = ON") < 0 || st_exec(db, "PRAGMA synchronous = FULL") < 0)
		goto sqlfail;
	if (db->write) {
		/* The writer opens a savepoint per job; their undo pages (the
		 * sub-journal) stay in memory rather than in a temporary file. */
		if (st_exec(db, "PRAGMA journal_mode = WAL") < 0 ||
		    st_exec(db, "PRAGMA temp_store = MEMORY") < 0)
			goto sqlfail;
		if (migrate(db, err, errlen) < 0)
			goto fail;
	} else if (st_exec(db, "PRAGMA query_only = ON") < 0) {
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
	if (db->aux_free)
		db->aux_free(db->aux);
	for (i = 0; i < STORE_STMT_SLOTS; i++)
		sqlite3_finalize(db->stmts[i].s);
	for (i = 0; i < STORE_SHAPE_CACHE; i++) {
		sqlite3_finalize(db->shape[i]);
		free(db->shape_sql[i]);
	}
	free(db->fresh);
	sqlite3_close(db->db);
	free(db);
}

int store_begin(store_db *db)
{
	int rc;

	db->txn++; /* what was remembered belongs to the previous transaction */
	db->fresh_n = 0;
	rc = st_exec(db, db->write ? "BEGIN IMMEDIATE" : "BEGIN");
	db->in_write_txn = rc == STORE_OK && db->write;
	if (db->in_write_txn && st_events_mark(db) < 0) {
		store_rollback(db);
		return STORE_ERROR;
	}
	return rc;
}

int store_commit(store_db *db)
{
	int rc;

	if (st_fresh_flush(db) < 0)
		return STORE_ERROR;
	if (db->in_write_txn && st_events_flush(db) < 0)
		return STORE_ERROR;
	rc = st_exec(db, "COMMIT");
	if (rc == STORE_OK)
		db->in_write_txn = 0;
	return rc;
}

void store_rollback(store_db *db)
{
	db->fresh_n = 0;
	db->in_write_txn = 0;
	if (!sqlite3_get_autocommit(db->db))
		st_exec(db, "ROLLBACK");
}

int store_meta_get(store_db *db, const char *key, char **out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT value FROM meta WHERE key = ?1");
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = strdup(st_col_text(s, 0));
		rc = *out ? STORE_OK : STORE_ERROR;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_meta_set(store_db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
				      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
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
int st_step_done(sqlite3_stmt *s)
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
int st_step_row(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return STORE_OK;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
}

int st_page_end(sqlite3_stmt *s, int rc)
{
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

int st_step_int(sqlite3_stmt *s, int64_t *out)
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

/* ---- statements built from fixed fragments (filters), prepared once per shape ---- */

/*
 * List queries vary with the filters given. Their SQL is assembled from
 * fixed fragments only (every value is bound), and each shape is prepared
 * once and kept: a handful of shapes cover what clients ask.
 */
sqlite3_stmt *st_shape(store_db *db, const char *sql)
{
	int i, slot;
	sqlite3_stmt *s;

	for (i = 0; i < STORE_SHAPE_CACHE; i++) {
		if (db->shape_sql[i] && strcmp(db->shape_sql[i], sql) == 0) {
			sqlite3_reset(db->shape[i]);
			sqlite3_clear_bindings(db->shape[i]);
			return db->shape[i];
		}
	}
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "prosumd: cannot prepare a list query: %s\n", sqlite3_errmsg(db->db));
		return NULL;
	}
	slot = db->shape_next++ % STORE_SHAPE_CACHE;
	sqlite3_finalize(db->shape[slot]);
	free(db->shape_sql[slot]);
	db->shape[slot] = s;
	db->shape_sql[slot] = strdup(sql);
	if (!db->shape_sql[slot]) {
		sqlite3_finalize(s);
		db->shape[slot] = NULL;
		return NULL;
	}
	return s;
}

void st_bind_named_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void st_bind_named_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_int64(s, i, v);
}

/*
 * What a person typed, as an FTS5 query that cannot be a syntax error: split
 * by the index's own tokenizer, every token a quoted term, all of them required
 * (search.h). 1, or 0 when nothing searchable is left, or STORE_ERROR.
 */
int st_fts_query(store_db *db, const char *q, buf *out)
{
	return st_fts_query_prefix(db, q, 0, out);
}

/* As st_fts_query; with `prefix`, the word being typed at the end of q matches word starts. */
int st_fts_query_prefix(store_db *db, const char *q, int prefix, buf *out)
{
	int n = search_match_prefix(out, db->db, q, strlen(q), prefix);

	if (n < 0)
		return STORE_ERROR;
	return n > 0;
}

void store_db_set_aux(store_db *db, void *aux, void (*free_fn)(void *aux))
{
	db->aux = aux;
	db->aux_free = free_fn;
}

void *store_db_aux(store_db *db)
{
	return db->aux;
}

uint64_t store_db_txn(store_db *db)
{
	return db->txn;
}

