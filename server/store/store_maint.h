/* store_maint.h - the database as a whole: a consistent snapshot, row counts, integrity checks, removing a project. */
#ifndef PROSUM_STORE_MAINT_H
#define PROSUM_STORE_MAINT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The schema level this prosumd brings a database to (the number of migrations). */
int store_schema_current(void);

/*
 * Copy the database file `src` into the new file `dest` as one consistent snapshot, while
 * other processes keep writing: VACUUM INTO, which reads inside a single read transaction
 * (in WAL mode writers are not blocked) and writes a compacted copy, then fsyncs it. Nothing
 * is migrated. *level gets the copy's schema level. A database newer than this prosumd is
 * refused ("database schema N is newer than this prosumd (M)"). STORE_OK, or STORE_ERROR
 * with err (dest is then removed).
 */
int store_snapshot(const char *src, const char *dest, int *level, char *err, size_t errlen);

/* Every table's rows, by table name: fn(ctx, table, rows). Full-text tables and their
 * internals are left out. A non-zero fn return stops with STORE_ERROR. */
int store_table_counts(store_db *db, int (*fn)(void *ctx, const char *table, int64_t rows),
		       void *ctx);

/*
 * PRAGMA integrity_check and PRAGMA foreign_key_check: fn(ctx, problem) for each problem
 * found, as a sentence. The number of problems, or STORE_ERROR.
 */
int store_check_db(store_db *db, void (*fn)(void *ctx, const char *problem), void *ctx);

/* Each attachment file the database refers to, once: fn(ctx, sha256 hex, size, rows that
 * refer to it), by hash. A non-zero fn return stops with STORE_ERROR. */
int store_attachment_files(store_db *db,
			   int (*fn)(void *ctx, const char *sha256, int64_t size, int64_t refs),
			   void *ctx);

/* Does an attachment row refer to this hash? 1, 0 or STORE_ERROR. */
int store_attachment_used(store_db *db, const char *sha256);

/* What a project holds, for `project show`. */
typedef struct store_project_counts {
	int64_t reports, groups, suggestions, attachments, keys; /* keys: active ones */
} store_project_counts;
int store_project_count(store_db *db, int64_t project_id, store_project_counts *out);

/*
 * Remove project `project_id` and every row that depends on it: the tables referring to
 * projects (found from the schema's foreign keys, so a table added later is covered), the
 * rows referring to those (reports, their attachments, tags and so on), and the full-text
 * rows of removed reports and suggestions (a table T's index is T_fts). table(ctx, name,
 * rows) is called first for each table with rows to remove (the project's own row in
 * "projects" included); then file(ctx, sha256, size) for each attachment file no remaining
 * row refers to (the caller deletes it, after the commit). With `apply` 0 nothing changes
 * (the removal runs in a savepoint rolled back): what would go is told all the same.
 * Needs a write connection. STORE_OK, STORE_ERROR (store_db_error() says why).
 */
typedef struct store_removal_fns {
	void (*table)(void *ctx, const char *table, int64_t rows);
	int (*file)(void *ctx, const char *sha256, int64_t size);
	void *ctx;
} store_removal_fns;
int store_project_remove(store_db *db, int64_t project_id, int apply,
			 const store_removal_fns *fns);

#endif
