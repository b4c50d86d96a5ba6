/* store_writer.c - the store's threads: the writer with group commit, the readers and the
 * checkpointer. */
#include "store/store.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "config.h"
#include "metrics/metrics.h"
#include "oplog.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/store_int.h"
#include "store/store_vfs.h"
#include "model/workflow.h"

struct store {
	pthread_mutex_t lock;
	pthread_cond_t wcond; /* jobs for the writer */
	pthread_cond_t rcond; /* jobs for the readers */
	store_job *wq_head, *wq_tail;
	store_job *rq_head, *rq_tail;
	int wq_len, wq_max, batch_max;
	int rq_len;           /* read jobs waiting */
	atomic_int rbusy;     /* readers running a job */
	int stopping;
	int stopped; /* store_stop() finished: threads joined, connections closed */
	pthread_t writer;
	/*
	 * Checkpoints copy the WAL back into the database file and fsync it: a
	 * thread of their own does them, with its own connection, so the writer
	 * never stops for one (SQLite's automatic checkpoint would run inside the
	 * commit of whichever batch crossed the threshold).
	 */
	pthread_t checkpointer;
	pthread_cond_t ccond;
	int checkpoint_due;
	store_db *cdb;
	pthread_t *readers;
	int nreaders;
	int page_size; /* of the database, for the WAL's size in bytes */
	store_db *wdb;
	store_db **rdbs;
};

static void post_done(store_job *job)
{
	loop_post(job->owner, &job->task);
}

/* Did the last statement fail for want of space (or a file size limit)? */
static int full(store_db *db)
{
	int e = sqlite3_extended_errcode(db->db);

	return (e & 0xff) == SQLITE_FULL || e == SQLITE_IOERR_WRITE || e == SQLITE_IOERR_FSYNC ||
	       e == SQLITE_IOERR_TRUNCATE;
}

void st_writer_job(store_db *db, store_job *job)
{
	static atomic_int full_said;
	size_t fresh_mark;

	assert(ST_IN_WRITE_TXN(db));
	if (st_exec(db, "SAVEPOINT job") < 0) {
		job->result = full(db) ? STORE_FULL : STORE_ERROR;
		return;
	}
	fresh_mark = db->fresh_n;
	job->result = job->run(job, db);
	if (job->result == STORE_ERROR && full(db))
		job->result = STORE_FULL;
	if (job->result == STORE_FULL)
		oplog_limited(&full_said, OPLOG_ERROR, "disk_full",
			      "a write was refused for want of space: %s; answering 507",
			      store_db_error(db));
	if (job->result != STORE_OK) {
		st_exec(db, "ROLLBACK TO job");
		db->txn++;                /* memos may name rows the rollback undid */
		db->fresh_n = fresh_mark; /* and so may the reports to count */
	}
	st_exec(db, "RELEASE job");
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
	int n, ok, fail;
	uint64_t t0, t1, t2;
	static atomic_int begin_failed_said;

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

		t0 = metrics_now_us();
		ok = store_begin(st->wdb) == STORE_OK;
		fail = full(st->wdb) ? STORE_FULL : STORE_ERROR;
		for (job = batch; job; job = job->next) {
			if (!ok) {
				job->result = fail;
				continue;
			}
			st_writer_job(st->wdb, job);
		}
		t1 = metrics_now_us();
		if (ok && store_commit(st->wdb) < 0) {
			/* Nothing of the batch is acknowledged; a full disk is said as such. */
			fail = full(st->wdb) ? STORE_FULL : STORE_ERROR;
			oplog(OPLOG_ERROR, fail == STORE_FULL ? "disk_full" : "commit_failed",
			      "a batch of %d writes could not be committed: %s", n,
			      store_db_error(st->wdb));
			store_rollback(st->wdb);
			ok = 0;
		} else if (!ok) {
			oplog_limited(&begin_failed_said, OPLOG_ERROR,
				      fail == STORE_FULL ? "disk_full" : "commit_failed",
				      "a write transaction could not begin: %s", store_db_error(st->wdb));
		}
		t2 = metrics_now_us();
		metrics_batch(n, t2 - t1, t2 - t0, ok);
		if (t2 - t0 > (uint64_t)PROSUM_SLOW_BATCH_MS * 1000)
			oplog(OPLOG_WARN, "slow_batch",
			      "a batch of %d writes took %llu ms (commit and fsync %llu ms; slow above "
			      "%d ms)",
			      n, (unsigned long long)((t2 - t0) / 1000),
			      (unsigned long long)((t2 - t1) / 1000), PROSUM_SLOW_BATCH_MS);
		for (job = batch; job; job = next) {
			next = job->next;
			if (!ok)
				job->result = fail;
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
		st->rq_len--;
		atomic_fetch_add(&st->rbusy, 1);
		pthread_mutex_unlock(&st->lock);

		/* One read transaction: the job sees one snapshot even across statements. */
		if (store_begin(db) < 0) {
			job->result = STORE_ERROR;
		} else {
			job->result = job->run(job, db);
			store_rollback(db);
		}
		atomic_fetch_sub(&st->rbusy, 1);
		post_done(job);
	}
	return NULL;
}

/* After each commit of the writer, with the WAL's size in pages. */
static int wal_grown(void *arg, sqlite3 *db, const char *name, int pages)
{
	store *st = arg;

	(void)name;
	metrics_wal(pages, st->page_size);
	if (pages < PROSUM_CHECKPOINT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&st->lock);
	st->checkpoint_due = 1;
	pthread_cond_signal(&st->ccond);
	pthread_mutex_unlock(&st->lock);
	/* Readers that hold old snapshots for long can keep the checkpointer from
	 * finishing; past this the writer lends a hand rather than let the WAL grow. */
	if (pages >= 16 * PROSUM_CHECKPOINT_PAGES)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	store *st = arg;
	int rc, copied;

	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->checkpoint_due && !st->stopping)
			pthread_cond_wait(&st->ccond, &st->lock);
		if (st->stopping) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		st->checkpoint_due = 0;
		pthread_mutex_unlock(&st->lock);
		/* PASSIVE: copies what no reader still needs, never waits for anyone. */
		rc = sqlite3_wal_checkpoint_v2(st->cdb->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
					       &copied);
		metrics_checkpoint(copied, rc == SQLITE_OK ? 0 : -1);
	}
	return NULL;
}

static int page_size_of(store_db *db)
{
	sqlite3_stmt *s = NULL;
	int size = 4096;

	if (sqlite3_prepare_v2(db->db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		size = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return size;
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
	pthread_cond_init(&st->ccond, NULL);
	st->wq_max = queue_max > 0 ? queue_max : 1;
	st->batch_max = batch_max > 0 ? batch_max : 1;
	st->nreaders = readers > 0 ? readers : 1;
	(void)store_vfs_timed_register(); /* without it, no fsync times: nothing else changes */
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
	if (store_db_open(&st->cdb, path, STORE_WRITE, err, errlen) < 0)
		goto fail;
	if (pthread_create(&st->checkpointer, NULL, checkpointer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the checkpoint thread");
		goto fail;
	}
	sqlite3_wal_autocheckpoint(st->wdb->db, 0);
	st->page_size = page_size_of(st->wdb);
	sqlite3_wal_hook(st->wdb->db, wal_grown, st);
	if (pthread_create(&st->writer, NULL, writer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		pthread_mutex_lock(&st->lock);
		st->stopping = 1;
		pthread_cond_signal(&st->ccond);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->checkpointer, NULL);
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
			store_free(st);
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
	store_db_close(st->cdb);
	store_db_close(st->wdb);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	pthread_cond_destroy(&st->ccond);
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
			metrics_store_busy();
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
		st->rq_len++;
		pthread_cond_signal(&st->rcond);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

void store_stop(store *st)
{
	int i;

	if (!st || st->stopped)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_broadcast(&st->wcond);
	pthread_cond_broadcast(&st->rcond);
	pthread_cond_broadcast(&st->ccond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->writer, NULL);
	pthread_join(st->checkpointer, NULL);
	for (i = 0; i < st->nreaders; i++)
		pthread_join(st->readers[i], NULL);
	for (i = 0; i < st->nreaders; i++)
		store_db_close(st->rdbs[i]);
	store_db_close(st->cdb);
	/* A checkpoint leaves the main file whole for backups and the next start. */
	sqlite3_wal_checkpoint_v2(st->wdb->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	store_db_close(st->wdb);
	st->wdb = NULL;
	st->cdb = NULL;
	free(st->rdbs);
	st->rdbs = NULL;
	free(st->readers);
	st->readers = NULL;
	st->nreaders = 0;
	st->stopped = 1;
}

void store_free(store *st)
{
	if (!st)
		return;
	store_stop(st);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	pthread_cond_destroy(&st->ccond);
	free(st);
}


void store_get_stats(store *st, store_stats *out)
{
	pthread_mutex_lock(&st->lock);
	out->write_queue = st->wq_len;
	out->write_queue_max = st->wq_max;
	out->read_queue = st->rq_len;
	out->readers = st->nreaders;
	pthread_mutex_unlock(&st->lock);
	out->readers_busy = atomic_load(&st->rbusy);
}
