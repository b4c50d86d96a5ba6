/* store_maint.c - the database as a whole: a consistent snapshot, row counts, integrity checks, removing a project. */
#include "store/store_maint.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "store/schema.h"
#include "store/store_int.h"

int store_schema_current(void)
{
	int n;

	for (n = 0; schema_migrations[n].sql; n++)
		;
	return n;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int store_snapshot(const char *src, const char *dest, int *level, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = STORE_ERROR, made = 0, current = store_schema_current();

	*level = -1;
	/* Read-write without CREATE: a read-only connection may not run VACUUM INTO, and a
	 * missing file must not be made. Nothing is written to src. */
	if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", src,
			 db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", src, sqlite3_errmsg(db));
		goto out;
	}
	*level = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (*level > current) {
		snprintf(err, errlen, "database schema %d is newer than this prosumd (%d)", *level,
			 current);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", src, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(s, 1, dest, -1, SQLITE_STATIC);
	made = 1;
	if (sqlite3_step(s) != SQLITE_DONE) {
		snprintf(err, errlen, "cannot copy %s to %s: %s", src, dest, sqlite3_errmsg(db));
		goto out;
	}
	/* VACUUM INTO does not sync what it wrote. */
	if (fsync_path(dest) < 0) {
		snprintf(err, errlen, "%s: %s", dest, strerror(errno));
		goto out;
	}
	rc = STORE_OK;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (rc != STORE_OK && made)
		unlink(dest);
	return rc;
}

/* A name from the schema, safe to put in SQL between double quotes. */
static int ident_ok(const char *s)
{
	size_t n = s ? strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
		     : 0;

	return s && n > 0 && n < 64 && s[n] == '\0';
}

/* Tables a count or a removal looks at: ordinary ones, not SQLite's, not full-text ones
 * (a virtual table and its shadow tables all contain "_fts"). */
static const char tables_sql[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
    "ESCAPE '\\' AND name NOT LIKE '%\\_fts%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' "
    "ORDER BY name";

int store_table_counts(store_db *db, int (*fn)(void *ctx, const char *table, int64_t rows),
		       void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, tables_sql), *c = NULL;
	char sql[128];
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = st_col_text(s, 0);

		if (!ident_ok(t))
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", t);
		if (sqlite3_prepare_v2(db->db, sql, -1, &c, NULL) != SQLITE_OK ||
		    sqlite3_step(c) != SQLITE_ROW || fn(ctx, t, sqlite3_column_int64(c, 0)) != 0) {
			sqlite3_finalize(c);
			sqlite3_reset(s);
			return STORE_ERROR;
		}
		sqlite3_finalize(c);
		c = NULL;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/*
 * SQLite 3.40's integrity_check reports "NULL value in T.C" for NOT NULL columns of some
 * WITHOUT ROWID tables whose rows hold a value (suspects.commit_id): such a claim is checked
 * with a query, and dropped when no row has C NULL. 1 when the claim is false.
 */
static int null_claim_false(store_db *db, const char *msg)
{
	static const char prefix[] = "NULL value in ";
	char table[64], col[64], sql[200];
	const char *dot;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	msg += sizeof(prefix) - 1;
	dot = strchr(msg, '.');
	if (!dot || (size_t)(dot - msg) >= sizeof(table))
		return 0;
	snprintf(table, sizeof(table), "%.*s", (int)(dot - msg), msg);
	snprintf(col, sizeof(col), "%s", dot + 1);
	if (!ident_ok(table) || !ident_ok(col))
		return 0;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\" WHERE \"%s\" IS NULL", table, col);
	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int64(s, 0) == 0;
	sqlite3_finalize(s);
	return rc;
}

int store_check_db(store_db *db, void (*fn)(void *ctx, const char *problem), void *ctx)
{
	sqlite3_stmt *s = NULL;
	char line[600];
	int rc, n = 0;

	if (sqlite3_prepare_v2(db->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *msg = st_col_text(s, 0);

		if (msg && (strcmp(msg, "ok") == 0 || null_claim_false(db, msg)))
			continue;
		snprintf(line, sizeof(line), "integrity: %s", msg ? msg : "(no detail)");
		fn(ctx, line);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	/* table, rowid, parent table, foreign key index */
	if (sqlite3_prepare_v2(db->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(line, sizeof(line),
			 "foreign key: a row of %s (rowid %lld) refers to a missing row of %s",
			 st_col_text(s, 0), (long long)sqlite3_column_int64(s, 1),
			 st_col_text(s, 2));
		fn(ctx, line);
		n++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : STORE_ERROR;
}

int store_attachment_files(store_db *db,
			   int (*fn)(void *ctx, const char *sha256, int64_t size, int64_t refs),
			   void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE "
				      "type = 'table' AND name = 'attachments')");
	int64_t have = 0;
	int rc;

	/* A database from before attachments (schema 1 and 2, not upgraded yet) refers to none. */
	if (!s || st_step_int(s, &have) != STORE_OK)
		return STORE_ERROR;
	if (!have)
		return STORE_OK;
	s = st_stmt(db, "SELECT sha256, max(size), count(*) FROM attachments "
			"GROUP BY sha256 ORDER BY sha256");
	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, st_col_text(s, 0), sqlite3_column_int64(s, 1),
		       sqlite3_column_int64(s, 2)) != 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_attachment_used(store_db *db, const char *sha256)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)");
	int64_t v = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	if (st_step_int(s, &v) != STORE_OK)
		return STORE_ERROR;
	return v != 0;
}

int store_project_count(store_db *db, int64_t project_id, store_project_counts *out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT (SELECT count(*) FROM reports WHERE project_id = ?1), "
		"(SELECT count(*) FROM groups WHERE project_id = ?1), "
		"(SELECT count(*) FROM suggestions WHERE project_id = ?1), "
		"(SELECT count(*) FROM attachments a JOIN reports r ON r.id = a.report_id WHERE "
		"r.project_id = ?1), "
		"(SELECT count(*) FROM ingest_keys WHERE project_id = ?1 AND revoked_at IS NULL)");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->reports = sqlite3_column_int64(s, 0);
		out->groups = sqlite3_column_int64(s, 1);
		out->suggestions = sqlite3_column_int64(s, 2);
		out->attachments = sqlite3_column_int64(s, 3);
		out->keys = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

/* ---- removing a project ---- */

/*
 * The removal is a walk of the schema's foreign keys from projects: each table referring to
 * a removed row's table has its referring rows removed first (post-order), each described
 * by a condition on the table, nested through its parents down to "id = ?1" on projects.
 * A table reached by several paths (reports: from projects and from groups) gets one
 * condition per path. Self-references (groups.merged_into) need nothing: the statement
 * removing a table's rows removes both ends, and SQLite checks immediate foreign keys at
 * the end of each statement.
 */
#define RM_EDGES 256
#define RM_STEPS 256
#define RM_DEPTH 8

typedef struct rm_edge {
	char child[64], from[64], parent[64], to[64];
} rm_edge;

typedef struct rm_step {
	char table[64];
	char *cond; /* owned */
} rm_step;

typedef struct rm_plan {
	rm_edge edges[RM_EDGES];
	size_t nedges;
	rm_step steps[RM_STEPS];
	size_t nsteps;
	char err[200];
} rm_plan;

static void plan_free(rm_plan *p)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		free(p->steps[i].cond);
}

/* The foreign keys of every table. A composite key or one naming no column refuses the
 * removal: a later schema would need this walk taught about it. */
static int plan_edges(store_db *db, rm_plan *p)
{
	sqlite3_stmt *t = st_stmt(db, tables_sql), *f = NULL;
	int rc = STORE_ERROR, step;

	if (!t)
		return STORE_ERROR;
	while ((step = sqlite3_step(t)) == SQLITE_ROW) {
		const char *child = st_col_text(t, 0);

		if (!ident_ok(child))
			continue;
		if (sqlite3_prepare_v2(db->db,
				       "SELECT \"table\", \"from\", \"to\", seq FROM "
				       "pragma_foreign_key_list(?1)",
				       -1, &f, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(f, 1, child, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(f) == SQLITE_ROW) {
			rm_edge *e = &p->edges[p->nedges];
			const char *parent = st_col_text(f, 0), *from = st_col_text(f, 1),
				   *to = st_col_text(f, 2);

			if (sqlite3_column_int(f, 3) != 0 || !ident_ok(parent) ||
			    !ident_ok(from) || (to && !ident_ok(to)) || p->nedges == RM_EDGES) {
				snprintf(p->err, sizeof(p->err),
					 "the foreign keys of table %s are not ones a removal can "
					 "follow",
					 child);
				goto out;
			}
			snprintf(e->child, sizeof(e->child), "%s", child);
			snprintf(e->parent, sizeof(e->parent), "%s", parent);
			snprintf(e->from, sizeof(e->from), "%s", from);
			snprintf(e->to, sizeof(e->to), "%s", to ? to : "rowid");
			p->nedges++;
		}
		sqlite3_finalize(f);
		f = NULL;
	}
	rc = step == SQLITE_DONE ? STORE_OK : STORE_ERROR;
out:
	sqlite3_finalize(f);
	sqlite3_reset(t);
	return rc;
}

/* Plan the removal of table's rows matching cond (taken: freed here on failure). */
static int plan_walk(rm_plan *p, const char *table, char *cond, const char **path, int depth)
{
	size_t i;
	int d;

	if (!cond)
		return STORE_ERROR;
	if (depth >= RM_DEPTH || p->nsteps == RM_STEPS) {
		snprintf(p->err, sizeof(p->err), "the tables referring to projects nest too deep");
		free(cond);
		return STORE_ERROR;
	}
	path[depth] = table;
	for (i = 0; i < p->nedges; i++) {
		const rm_edge *e = &p->edges[i];
		buf b = BUF_INIT(1 << 20);

		if (strcmp(e->parent, table) != 0)
			continue;
		for (d = 0; d <= depth && strcmp(path[d], e->child) != 0; d++)
			;
		if (d <= depth)
			continue; /* a reference back along the path: removed with its table */
		if (buf_printf(&b, "\"%s\" IN (SELECT \"%s\" FROM \"%s\" WHERE %s)", e->from, e->to,
			       table, cond) < 0 ||
		    plan_walk(p, e->child, buf_detach_str(&b), path, depth + 1) < 0) {
			buf_free(&b);
			free(cond);
			return STORE_ERROR;
		}
	}
	snprintf(p->steps[p->nsteps].table, sizeof(p->steps[0].table), "%s", table);
	p->steps[p->nsteps++].cond = cond;
	return STORE_OK;
}

/* Run sql with ?1 = project_id; fn(ctx, row) per row when given. */
static int run(store_db *db, const char *sql, int64_t project_id,
	       int (*fn)(void *ctx, sqlite3_stmt *row), void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
		return STORE_ERROR;
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn && fn(ctx, s) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int has_fts(store_db *db, const char *table)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE "
				      "type = 'table' AND name = ?1 || '_fts')");
	int64_t v = 0;

	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	return st_step_int(s, &v) == STORE_OK && v;
}

/* Candidate files: the hashes of the attachments about to go, kept until the rows are gone. */
typedef struct rm_files {
	char (*sha)[65];
	int64_t *size;
	size_t n, cap;
} rm_files;

static int take_file(void *ctx, sqlite3_stmt *row)
{
	rm_files *f = ctx;
	const char *sha = st_col_text(row, 0);

	if (!sha || strlen(sha) != 64)
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		char(*s)[65] = realloc(f->sha, cap * sizeof(*s));
		int64_t *z;

		if (!s)
			return -1;
		f->sha = s;
		z = realloc(f->size, cap * sizeof(*z));
		if (!z)
			return -1;
		f->size = z;
		f->cap = cap;
	}
	memcpy(f->sha[f->n], sha, 65);
	f->size[f->n++] = sqlite3_column_int64(row, 1);
	return 0;
}

static int count_row(void *ctx, sqlite3_stmt *row)
{
	*(int64_t *)ctx = sqlite3_column_int64(row, 0);
	return 0;
}

/* Tell each table's rows to go (every path's condition ORed), in the order first planned
 * from the top: projects first. */
static int tell_counts(store_db *db, rm_plan *p, int64_t project_id, const store_removal_fns *fns)
{
	size_t i, j;

	for (i = p->nsteps; i-- > 0;) {
		buf b = BUF_INIT(1 << 20);
		int64_t rows = 0;
		int rc, seen = 0;

		for (j = p->nsteps; j-- > i + 1;)
			seen |= strcmp(p->steps[j].table, p->steps[i].table) == 0;
		if (seen)
			continue;
		rc = buf_printf(&b, "SELECT count(*) FROM \"%s\" WHERE 0", p->steps[i].table);
		for (j = 0; rc >= 0 && j < p->nsteps; j++)
			if (strcmp(p->steps[j].table, p->steps[i].table) == 0)
				rc = buf_printf(&b, " OR (%s)", p->steps[j].cond);
		if (rc < 0 || run(db, b.p, project_id, count_row, &rows) < 0) {
			buf_free(&b);
			return STORE_ERROR;
		}
		buf_free(&b);
		if (rows > 0 && fns->table)
			fns->table(fns->ctx, p->steps[i].table, rows);
	}
	return STORE_OK;
}

int store_project_remove(store_db *db, int64_t project_id, int apply,
			 const store_removal_fns *fns)
{
	rm_plan *p = calloc(1, sizeof(*p));
	rm_files files = {0};
	const char *path[RM_DEPTH];
	char *root = strdup("\"id\" = ?1");
	int rc = STORE_ERROR, in_savepoint = 0;
	size_t i;

	if (!p || !root) {
		free(root);
		goto out;
	}
	if (plan_edges(db, p) < 0 || plan_walk(p, "projects", root, path, 0) < 0)
		goto out;
	if (st_exec(db, "SAVEPOINT project_remove") < 0)
		goto out;
	in_savepoint = 1;
	if (tell_counts(db, p, project_id, fns) < 0)
		goto out;
	for (i = 0; i < p->nsteps; i++) {
		const char *t = p->steps[i].table, *c = p->steps[i].cond;
		buf b = BUF_INIT(1 << 20);
		int brc = 0;

		if (strcmp(t, "attachments") == 0)
			brc = buf_printf(&b, "SELECT DISTINCT sha256, size FROM attachments WHERE %s",
					 c) < 0 ||
			      run(db, b.p, project_id, take_file, &files) < 0;
		buf_reset(&b);
		if (!brc && has_fts(db, t))
			brc = buf_printf(&b,
					 "DELETE FROM \"%s_fts\" WHERE rowid IN (SELECT rowid "
					 "FROM \"%s\" WHERE %s)",
					 t, t, c) < 0 ||
			      run(db, b.p, project_id, NULL, NULL) < 0;
		buf_reset(&b);
		if (!brc)
			brc = buf_printf(&b, "DELETE FROM \"%s\" WHERE %s", t, c) < 0 ||
			      run(db, b.p, project_id, NULL, NULL) < 0;
		buf_free(&b);
		if (brc)
			goto out;
	}
	for (i = 0; i < files.n; i++) {
		int used = store_attachment_used(db, files.sha[i]), j;

		if (used < 0)
			goto out;
		for (j = 0; (size_t)j < i && strcmp(files.sha[j], files.sha[i]) != 0; j++)
			;
		if (!used && (size_t)j == i && fns->file &&
		    fns->file(fns->ctx, files.sha[i], files.size[i]) != 0)
			goto out;
	}
	rc = STORE_OK;
out:
	if (in_savepoint) {
		if (rc != STORE_OK || !apply)
			st_exec(db, "ROLLBACK TO project_remove");
		st_exec(db, "RELEASE project_remove");
	}
	if (p) {
		if (p->err[0])
			fprintf(stderr, "prosumd: %s\n", p->err);
		plan_free(p);
	}
	free(p);
	free(files.sha);
	free(files.size);
	return rc;
}
