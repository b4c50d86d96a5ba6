/* store.h - SQLite storage: migrations, queries, and the writer and reader threads with group commit. */
#ifndef PROSUM_STORE_H
#define PROSUM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "perror.h"
#include "net/loop.h"

/* A validated report (model/report.h); store_report_insert() reads its fields. */
typedef struct report report;

/*
 * The store (server/store/store_*.c, private parts in store_int.h) is the only
 * code that speaks SQL. A store_db is one connection with
 * its prepared statements and is used by one thread at a time. The `store`
 * runs one writer thread (the only write connection) and a few reader
 * threads; I/O threads hand them jobs and get the outcome back as a task
 * posted to their loop, so they never wait on the disk.
 */
typedef struct store_db store_db;
typedef struct store store;

/* The store's names of the server's PE_* codes (perror.h), kept because every store file uses them. */
#define STORE_OK PE_OK
#define STORE_ERROR PE_ERROR         /* SQLite failed: the detail is in store_db_error() */
#define STORE_NOTFOUND PE_NOTFOUND
#define STORE_EXISTS PE_EXISTS
#define STORE_BUSY PE_BUSY           /* the queue is full: try again later */
#define STORE_STOPPED PE_STOPPED     /* the store is shutting down */
#define STORE_CONFLICT PE_CONFLICT   /* not allowed from the item's current state */
#define STORE_INVALID PE_INVAL       /* refers to something that cannot be (merge into itself, ...) */
#define STORE_FULL PE_FULL           /* the disk is full (or a write failed): nothing was stored */
#define STORE_FORBIDDEN PE_FORBIDDEN /* the item is someone else's */

#define STORE_READ 0
#define STORE_WRITE 1       /* create the file when missing and apply migrations */

/* Open a connection. 0 and *out (free with store_db_close()), or STORE_ERROR with err. */
int store_db_open(store_db **out, const char *path, int mode, char *err, size_t errlen);
void store_db_close(store_db *db);
const char *store_db_error(store_db *db);
/* The schema level, PRAGMA user_version. */
int store_schema_version(store_db *db);

int store_begin(store_db *db);  /* BEGIN IMMEDIATE on a write connection, BEGIN otherwise */
int store_commit(store_db *db);
void store_rollback(store_db *db);

/*
 * Write transactions. These calls change several rows that must change together, or
 * leave work for store_commit() (a new report's group counts and full-text row), so
 * they must run between store_begin() and store_commit() on a write connection: in
 * prosumd, inside a job on the writer thread (store_submit(), which opens a savepoint
 * per job); in the admin commands, around their own store_begin(). Each asserts it.
 *
 *   store_report_insert, store_attachments_add, store_report_patch, store_group_patch,
 *   store_report_reply_add, store_suggestion_add, store_suggestion_patch, store_vote,
 *   store_commit_put, store_commit_set_release, store_revision_resolved, store_link_add,
 *   store_links_apply, store_tips_set, store_release_add, store_release_set_position,
 *   store_suspect_add, store_report_fix_check, store_fix_checked, store_group_regressed
 *
 * The other writes (projects, keys, tokens, meta, settings) are single statements
 * and may also run on their own (autocommit).
 */

/* Small settings kept in the database. *out is malloc'd (caller frees). */
int store_meta_get(store_db *db, const char *key, char **out);
int store_meta_set(store_db *db, const char *key, const char *value);

/*
 * A unit of work for the store threads. The submitter owns the job (usually
 * embedded in a larger struct) and sets: run, owner, task.fn, write. On a
 * store thread run(job, db) is called; for writes it runs inside a savepoint
 * of the batch's transaction and a non-zero return rolls back its changes
 * alone. Then task.fn runs on the owner's loop thread, with `result` = what
 * run returned, or STORE_ERROR when the batch's commit failed (its work is lost
 * and must be reported as a failure).
 */
typedef struct store_job store_job;
struct store_job {
	loop_task task;
	int (*run)(store_job *job, store_db *db);
	loop *owner;
	int write;
	int result;
	store_job *next;
};

/* Start the writer (opening the file, migrating) and `readers` reader threads. */
int store_start(store **out, const char *path, int readers, int queue_max, int batch_max,
		char *err, size_t errlen);
/* Queue a job. STORE_OK; STORE_BUSY when the write queue holds queue_max jobs;
 * STORE_STOPPED after store_stop() began. On failure the job is not run. */
int store_submit(store *st, store_job *job);
/*
 * Finish every queued job, then stop the threads and close the connections. The store
 * itself stays, so that tasks still to run on the I/O loops (a job's completion that
 * queues the next job of a chain) get STORE_STOPPED from store_submit() rather than freed
 * memory: free it with store_free() once the loops are drained. NULL is fine; a second
 * call does nothing.
 */
void store_stop(store *st);
/* Stop (if not yet) and free the store. NULL is fine. */
void store_free(store *st);

/* How busy the store is, for the metrics: jobs waiting for the writer (and the most it
 * takes), read jobs waiting, reader threads and how many run a job now. */
typedef struct store_stats {
	int write_queue, write_queue_max, read_queue, readers, readers_busy;
} store_stats;
void store_get_stats(store *st, store_stats *out);

/* The concepts of the store, one header each (declared after the core above, which they use). */
#include "store/store_projects.h"
#include "store/store_users.h"
#include "store/store_triage.h"
#include "store/store_git.h"
#include "store/store_suggestions.h"
#include "store/store_pages.h"

#endif
