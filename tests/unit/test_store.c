/* test_store.c - the store: migrations, projects, keys, tokens, reports, the writer thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <unistd.h>

#include "api/render_reports.h"
#include "api/reply.h"
#include "http/http.h"
#include "perror.h"
#include "net/loop.h"
#include "model/report.h"
#include "store/store.h"
#include "unit_fixture.h"
#include "unit_store.h"

typedef unit_store fixture;

static int setup(void **state)
{
	return unit_store_setup(state);
}

static int teardown(void **state)
{
	return unit_store_teardown(state);
}

/* A validated-looking report built by hand: the store trusts report.c for validation. */
static void make_report(report *r, const char *uuid, const char *fp, const char *install)
{
	memset(r, 0, sizeof(*r));
	r->root = json_pack("{s:s,s:s,s:s}", "uuid", uuid, "kind", "bug", "title", "Save fails");
	r->uuid = uuid;
	r->kind = "bug";
	r->title = "Save fails";
	r->install_id = install;
	r->revision = "abc1234";
	snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", fp);
}

static void test_migrations_are_applied_once(void **state)
{
	fixture *f = *state;
	store_db *again;
	char err[256];

	assert_true(store_schema_version(f->db) >= 1);
	/* Opening again changes nothing and keeps the data. */
	assert_int_equal(store_db_open(&again, f->path, STORE_WRITE, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_schema_version(again), store_schema_version(f->db));
	{
		int64_t id;
		assert_int_equal(store_project_find(again, "demo", &id), STORE_OK);
		assert_int_equal(id, f->project);
	}
	store_db_close(again);
}

static void test_projects_and_keys(void **state)
{
	fixture *f = *state;
	int64_t id, pid;

	assert_int_equal(store_project_add(f->db, "demo", NULL, 1, &id), STORE_EXISTS);
	assert_int_equal(store_project_find(f->db, "nope", &id), STORE_NOTFOUND);
	assert_int_equal(store_key_add(f->db, f->project, "k1", 5), STORE_OK);
	assert_int_equal(store_key_add(f->db, f->project, "k1", 5), STORE_EXISTS);
	assert_int_equal(store_key_project(f->db, "k1", &pid), STORE_OK);
	assert_int_equal(pid, f->project);
	assert_int_equal(store_key_project(f->db, "k2", &pid), STORE_NOTFOUND);
	/* Values that look like SQL are only ever data. */
	assert_int_equal(store_key_project(f->db, "' OR 1=1 --", &pid), STORE_NOTFOUND);
}

static void test_tokens(void **state)
{
	fixture *f = *state;
	uint8_t h1[32], h2[32];
	store_token t;
	int64_t id;

	memset(h1, 1, sizeof(h1));
	memset(h2, 1, sizeof(h2));
	h2[31] = 2;
	assert_int_equal(store_token_add(f->db, h1, STORE_ROLE_RELEASE, f->project, "ci", 9, &id),
			 STORE_OK);
	assert_int_equal(store_token_find(f->db, h1, &t), STORE_OK);
	assert_int_equal(t.role, STORE_ROLE_RELEASE);
	assert_int_equal(t.project_id, f->project);
	assert_int_equal(store_token_find(f->db, h2, &t), STORE_NOTFOUND);
	assert_int_equal(store_role_parse("admin"), STORE_ROLE_ADMIN);
	assert_int_equal(store_role_parse("root"), 0);
	assert_string_equal(store_role_name(STORE_ROLE_DEVELOPER), "developer");
}

static void test_reports_group_and_are_idempotent(void **state)
{
	fixture *f = *state;
	report a, b, c;
	store_ingest out;
	json_t *got, *items;
	int64_t next;
	store_report_filter filter = {.limit = 10};

	make_report(&a, "00000000-0000-4000-8000-000000000001", "fp-one", "tester-1");
	make_report(&b, "00000000-0000-4000-8000-000000000002", "fp-one", "tester-2");
	make_report(&c, "00000000-0000-4000-8000-000000000003", "fp-two", "tester-1");
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_report_insert(f->db, f->project, &a, 100, &out), STORE_OK);
	assert_int_equal(out.created, 1);
	assert_int_equal(out.num, 1);
	assert_int_equal(out.group_num, 1);
	assert_int_equal(store_report_insert(f->db, f->project, &b, 101, &out), STORE_OK);
	assert_int_equal(out.num, 2);
	assert_int_equal(out.group_num, 1);
	assert_int_equal(store_report_insert(f->db, f->project, &c, 102, &out), STORE_OK);
	assert_int_equal(out.group_num, 2);
	/* The same uuid again: the stored numbers, nothing new. */
	assert_int_equal(store_report_insert(f->db, f->project, &a, 103, &out), STORE_OK);
	assert_int_equal(out.created, 0);
	assert_int_equal(out.num, 1);
	assert_int_equal(store_commit(f->db), STORE_OK);

	assert_int_equal(render_report_get(f->db, f->project, 2, &got), STORE_OK);
	assert_string_equal(json_string_value(json_object_get(got, "id")), "R-2");
	assert_string_equal(json_string_value(json_object_get(got, "group")), "G-1");
	assert_string_equal(json_string_value(json_object_get(got, "uuid")),
			    "00000000-0000-4000-8000-000000000002");
	json_decref(got);
	assert_int_equal(render_report_get(f->db, f->project, 99, &got), STORE_NOTFOUND);

	filter.limit = 2;
	assert_int_equal(render_report_list(f->db, f->project, &filter, &items, &next), STORE_OK);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")),
			    "R-3");
	assert_int_equal(next, 2);
	json_decref(items);
	filter.cursor = next;
	assert_int_equal(render_report_list(f->db, f->project, &filter, &items, &next), STORE_OK);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	json_decref(items);
	filter.cursor = 0;
	filter.group = 1;
	assert_int_equal(render_report_list(f->db, f->project, &filter, &items, &next), STORE_OK);
	assert_int_equal(json_array_size(items), 2);
	json_decref(items);

	json_decref(a.root);
	json_decref(b.root);
	json_decref(c.root);
}

/* The writer thread: jobs run in one batch, their tasks come back to the loop after commit. */
typedef struct insert_job {
	store_job job;
	report r;
	int64_t project;
	store_ingest out;
	int *pending;
} insert_job;

static int insert_run(store_job *job, store_db *db)
{
	insert_job *ij = (insert_job *)job;

	return store_report_insert(db, ij->project, &ij->r, 500, &ij->out);
}

static void insert_done(loop_task *t)
{
	insert_job *ij = (insert_job *)t;

	assert_int_equal(ij->job.result, STORE_OK);
	if (--*ij->pending == 0)
		loop_stop(ij->job.owner);
}

static void test_writer_thread_commits_batches(void **state)
{
	fixture *f = *state;
	store *st;
	loop *l;
	insert_job jobs[50];
	char uuids[50][37], err[256];
	int i, pending = 50;
	int64_t pid = f->project;

	store_db_close(f->db);
	f->db = NULL;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(store_start(&st, f->path, 1, 1000, 16, err, sizeof(err)), STORE_OK);
	for (i = 0; i < 50; i++) {
		snprintf(uuids[i], sizeof(uuids[i]), "00000000-0000-4000-8000-%012d", 100 + i);
		memset(&jobs[i], 0, sizeof(jobs[i]));
		make_report(&jobs[i].r, uuids[i], i % 2 ? "odd" : "even", "t");
		jobs[i].project = pid;
		jobs[i].pending = &pending;
		jobs[i].job.run = insert_run;
		jobs[i].job.task.fn = insert_done;
		jobs[i].job.owner = l;
		jobs[i].job.write = 1;
		assert_int_equal(store_submit(st, &jobs[i].job), STORE_OK);
	}
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(pending, 0);
	store_free(st);
	loop_free(l);
	for (i = 0; i < 50; i++)
		json_decref(jobs[i].r.root);

	assert_int_equal(store_db_open(&f->db, f->path, STORE_WRITE, err, sizeof(err)), STORE_OK);
	{
		json_t *items;
		int64_t next;
		store_report_filter all = {.limit = 500};

		assert_int_equal(render_report_list(f->db, pid, &all, &items, &next), STORE_OK);
		assert_int_equal(json_array_size(items), 50);
		json_decref(items);
	}
}

/* A job that holds the writer until released, so the queue can be filled deterministically. */
typedef struct gate_job {
	store_job job;
	sem_t started, release;
	int *pending;
} gate_job;

static int gate_run(store_job *job, store_db *db)
{
	gate_job *g = (gate_job *)job;

	(void)db;
	sem_post(&g->started);
	sem_wait(&g->release);
	return STORE_OK;
}

static void gate_done(loop_task *t)
{
	gate_job *g = (gate_job *)t;

	if (--*g->pending == 0)
		loop_stop(g->job.owner);
}

/* Submit a gate job and wait until the writer runs it: the writer is held, its queue empty. */
static void gate_hold(gate_job *gate, store *st, loop *l, int *pending)
{
	memset(gate, 0, sizeof(*gate));
	sem_init(&gate->started, 0, 0);
	sem_init(&gate->release, 0, 0);
	gate->pending = pending;
	gate->job.run = gate_run;
	gate->job.task.fn = gate_done;
	gate->job.owner = l;
	gate->job.write = 1;
	assert_int_equal(store_submit(st, &gate->job), STORE_OK);
	sem_wait(&gate->started);
}

static void test_queue_is_bounded(void **state)
{
	fixture *f = *state;
	store *st;
	loop *l;
	insert_job jobs[3];
	gate_job gate;
	char err[256];
	int i, pending = 3;

	store_db_close(f->db);
	f->db = NULL;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(store_start(&st, f->path, 1, 2, 8, err, sizeof(err)), STORE_OK);
	gate_hold(&gate, st, l, &pending);
	/* the writer is busy and the queue empty */
	for (i = 0; i < 3; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		make_report(&jobs[i].r, i ? "00000000-0000-4000-8000-00000000bbbb"
					  : "00000000-0000-4000-8000-00000000aaaa",
			    "q", "t");
		jobs[i].project = 1;
		jobs[i].pending = &pending;
		jobs[i].job.run = insert_run;
		jobs[i].job.task.fn = insert_done;
		jobs[i].job.owner = l;
		jobs[i].job.write = 1;
	}
	assert_int_equal(store_submit(st, &jobs[0].job), STORE_OK);
	assert_int_equal(store_submit(st, &jobs[1].job), STORE_OK);
	assert_int_equal(store_submit(st, &jobs[2].job), STORE_BUSY); /* never an unbounded queue */
	sem_post(&gate.release);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(pending, 0);
	store_free(st);
	loop_free(l);
	sem_destroy(&gate.started);
	sem_destroy(&gate.release);
	for (i = 0; i < 3; i++)
		json_decref(jobs[i].r.root);
	assert_int_equal(store_db_open(&f->db, f->path, STORE_WRITE, err, sizeof(err)), STORE_OK);
	{
		json_t *second = NULL;
		assert_int_equal(render_report_get(f->db, 1, 2, &second), STORE_OK);
		json_decref(second);
	}
}

/* Stores its report, then fails as a job can (a full disk, a constraint): it is rolled back alone. */
static int failing_insert_run(store_job *job, store_db *db)
{
	insert_job *ij = (insert_job *)job;

	assert_int_equal(store_report_insert(db, ij->project, &ij->r, 500, &ij->out), STORE_OK);
	return STORE_ERROR;
}

static void counted_done(loop_task *t)
{
	insert_job *ij = (insert_job *)t;

	if (--*ij->pending == 0)
		loop_stop(ij->job.owner);
}

static int64_t sql_count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static int64_t search_count(store_db *db, int64_t project, const char *q)
{
	store_report_filter filter = {.q = q, .limit = 10};
	json_t *items;
	int64_t next, n;

	assert_int_equal(render_report_list(db, project, &filter, &items, &next), STORE_OK);
	n = (int64_t)json_array_size(items);
	json_decref(items);
	return n;
}

/*
 * Run jobs[0..n) (made by the caller, with report, project and run) as one
 * batch of the writer thread: a gate holds the writer while they queue. The
 * fixture's connection is closed meanwhile and opened again after.
 */
static void run_in_one_batch(fixture *f, insert_job *jobs, int n)
{
	store *st;
	loop *l;
	gate_job gate;
	char err[256];
	int i, pending = n + 1;

	store_db_close(f->db);
	f->db = NULL;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(store_start(&st, f->path, 1, 16, n + 2, err, sizeof(err)), STORE_OK);
	gate_hold(&gate, st, l, &pending);
	for (i = 0; i < n; i++) {
		jobs[i].pending = &pending;
		jobs[i].job.task.fn = counted_done;
		jobs[i].job.owner = l;
		jobs[i].job.write = 1;
		assert_int_equal(store_submit(st, &jobs[i].job), STORE_OK);
	}
	sem_post(&gate.release);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(pending, 0);
	store_free(st);
	loop_free(l);
	sem_destroy(&gate.started);
	sem_destroy(&gate.release);
	for (i = 0; i < n; i++)
		json_decref(jobs[i].r.root);
	assert_int_equal(store_db_open(&f->db, f->path, STORE_WRITE, err, sizeof(err)), STORE_OK);
}

/*
 * Full-text rows are written when the batch commits, not job by job: a job
 * rolled back in the middle of a batch must take its row with it, and the
 * others must be searchable.
 */
static void test_batch_full_text_rows_follow_their_jobs(void **state)
{
	static const char *const words[3] = {"zebra crossing", "okapi forest", "quokka island"};
	fixture *f = *state;
	insert_job jobs[3];
	char uuid[3][37];
	int i;
	sqlite3 *raw;

	for (i = 0; i < 3; i++) {
		snprintf(uuid[i], sizeof(uuid[i]), "00000000-0000-4000-8000-%012d", 700 + i);
		memset(&jobs[i], 0, sizeof(jobs[i]));
		make_report(&jobs[i].r, uuid[i], "fts", "t");
		jobs[i].r.description = words[i];
		jobs[i].project = f->project;
		jobs[i].job.run = i == 1 ? failing_insert_run : insert_run;
	}
	run_in_one_batch(f, jobs, 3);
	assert_int_equal(jobs[0].job.result, STORE_OK);
	assert_int_equal(jobs[1].job.result, STORE_ERROR);
	assert_int_equal(jobs[2].job.result, STORE_OK);

	assert_int_equal(sql_count(f->path, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(sql_count(f->path, "SELECT count(*) FROM reports_fts"), 2);
	assert_int_equal(sql_count(f->path, "SELECT count(*) FROM reports r JOIN reports_fts t "
					    "ON t.rowid = r.id"),
			 2);
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "INSERT INTO reports_fts(reports_fts) VALUES ('integrity-check')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(search_count(f->db, f->project, "zebra"), 1);
	assert_int_equal(search_count(f->db, f->project, "quokka"), 1);
	assert_int_equal(search_count(f->db, f->project, "okapi"), 0);
}

static long file_size(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n = -1;

	if (fp && fseek(fp, 0, SEEK_END) == 0)
		n = ftell(fp);
	if (fp)
		fclose(fp);
	return n;
}

/*
 * The writer never checkpoints; the checkpoint thread copies the WAL back
 * into the database file once it has grown, while writes go on.
 */
static void test_the_wal_is_checkpointed_while_writes_go_on(void **state)
{
	fixture *f = *state;
	store *st;
	loop *l;
	insert_job job;
	char err[256], uuid[37], wal[160];
	long before, after = 0;
	int i, pending, waited;

	store_db_close(f->db);
	f->db = NULL;
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	before = file_size(f->path);
	assert_true(before > 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(store_start(&st, f->path, 1, 16, 8, err, sizeof(err)), STORE_OK);
	/* One report per commit: each commit adds a few pages to the WAL. */
	for (i = 0; i < 1000 && after <= before; i++) {
		snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", 9000 + i);
		memset(&job, 0, sizeof(job));
		make_report(&job.r, uuid, i % 7 ? "many" : "few", uuid);
		job.project = f->project;
		pending = 1;
		job.pending = &pending;
		job.job.run = insert_run;
		job.job.task.fn = insert_done;
		job.job.owner = l;
		job.job.write = 1;
		assert_int_equal(store_submit(st, &job.job), STORE_OK);
		assert_int_equal(loop_run(l), 0);
		json_decref(job.r.root);
		after = file_size(f->path);
	}
	/* The WAL holds the pages until the checkpoint thread has run: at once, unless the
	 * machine is loaded; 30 s is ample then. */
	for (waited = 0; after <= before && waited < 600; waited++) {
		usleep(50000);
		after = file_size(f->path);
	}
	assert_true(file_size(wal) > 0);
	store_free(st);
	loop_free(l);
	assert_true(after > before);
	/* Stopping leaves everything in the database file and an empty WAL. */
	assert_int_equal(file_size(wal) > 0 ? 1 : 0, 0);
	assert_int_equal(store_db_open(&f->db, f->path, STORE_WRITE, err, sizeof(err)), STORE_OK);
}

/* A group's count, testers and the count of one facet value, from render_group_get(). */
static void group_stats(store_db *db, int64_t project, int64_t num, json_int_t *count,
			json_int_t *testers, const char *facet, const char *value, json_int_t *n)
{
	json_t *g;

	assert_int_equal(render_group_get(db, project, num, &g), STORE_OK);
	*count = json_integer_value(json_object_get(g, "count"));
	*testers = json_integer_value(json_object_get(g, "testers"));
	*n = json_integer_value(json_object_get(json_object_get(g, facet), value));
	json_decref(g);
}

/*
 * Group statistics are written at commit, one update per group for all the
 * reports of the batch that joined it; a job rolled back is not counted.
 */
static void test_a_batch_counts_each_group_once_and_exactly(void **state)
{
	static const struct {
		const char *fp, *install, *version;
		int fails;
	} in[6] = {
	    {"crash-a", "t1", "1.0", 0}, {"crash-b", "t1", "1.0", 0}, {"crash-a", "t1", "1.0", 0},
	    {"crash-a", "t3", "3.0", 1}, {"crash-a", "t2", "2.0", 0}, {"crash-a", "t2", NULL, 0},
	};
	fixture *f = *state;
	insert_job jobs[6];
	char uuid[6][37];
	int i;
	json_int_t count, testers, n;

	for (i = 0; i < 6; i++) {
		snprintf(uuid[i], sizeof(uuid[i]), "00000000-0000-4000-8000-%012d", 800 + i);
		memset(&jobs[i], 0, sizeof(jobs[i]));
		make_report(&jobs[i].r, uuid[i], in[i].fp, in[i].install);
		jobs[i].r.version = in[i].version;
		jobs[i].r.os = "Linux";
		jobs[i].project = f->project;
		jobs[i].job.run = in[i].fails ? failing_insert_run : insert_run;
	}
	run_in_one_batch(f, jobs, 6);
	/* G-1 (crash-a): four reports of t1, t1, t2, t2; the failed one of t3 is not there. */
	group_stats(f->db, f->project, 1, &count, &testers, "versions", "1.0", &n);
	assert_int_equal(count, 4);
	assert_int_equal(testers, 2);
	assert_int_equal(n, 2);
	group_stats(f->db, f->project, 1, &count, &testers, "versions", "2.0", &n);
	assert_int_equal(n, 1);
	group_stats(f->db, f->project, 1, &count, &testers, "versions", "3.0", &n);
	assert_int_equal(n, 0);
	group_stats(f->db, f->project, 1, &count, &testers, "platforms", "Linux", &n);
	assert_int_equal(n, 4);
	/* G-2 (crash-b): one. */
	group_stats(f->db, f->project, 2, &count, &testers, "versions", "1.0", &n);
	assert_int_equal(count, 1);
	assert_int_equal(testers, 1);
	assert_int_equal(n, 1);
}

/* Every failure a store call can return is answered with the status the API documents, from one
 * table; the module names of the codes are the same codes, so a code keeps its answer whichever
 * layer it comes from. */
/*
 * A chain of background jobs (blame after a sync, fix checks at start) queues its next job
 * from the completion task of the last, which may run on an I/O loop after the store has
 * stopped: it must be told STORE_STOPPED, not touch freed memory (ASan watches).
 */
static void test_a_stopped_store_refuses_the_next_job_of_a_chain(void **state)
{
	fixture *f = *state;
	store *st;
	loop *l;
	insert_job job;
	char err[256];
	int pending = 1;

	store_db_close(f->db);
	f->db = NULL;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(store_start(&st, f->path, 1, 8, 8, err, sizeof(err)), STORE_OK);
	memset(&job, 0, sizeof(job));
	make_report(&job.r, "00000000-0000-4000-8000-00000000cccc", "chain", "t");
	job.project = 1;
	job.pending = &pending;
	job.job.run = insert_run;
	job.job.task.fn = insert_done;
	job.job.owner = l;
	job.job.write = 1;
	assert_int_equal(store_submit(st, &job.job), STORE_OK);
	store_stop(st); /* runs the queued job and posts its completion */
	loop_drain(l);  /* as prosumd does after stopping the store */
	assert_int_equal(pending, 0);
	assert_int_equal(store_submit(st, &job.job), STORE_STOPPED);
	store_stop(st); /* twice is fine */
	store_free(st);
	loop_free(l);
	json_decref(job.r.root);
}

static void test_errors_map_to_answers(void **state)
{
	static const struct {
		int code, status, retry;
		const char *api;
	} want[] = {
	    {STORE_NOTFOUND, 404, 0, "not_found"}, {STORE_EXISTS, 409, 0, "conflict"},
	    {STORE_CONFLICT, 409, 0, "conflict"},  {STORE_INVALID, 422, 0, "invalid_request"},
	    {STORE_FORBIDDEN, 403, 0, "forbidden"}, {STORE_FULL, 507, 60, "insufficient_storage"},
	    {STORE_BUSY, 503, 1, "unavailable"},   {STORE_STOPPED, 503, 1, "unavailable"},
	    {STORE_ERROR, 503, 1, "unavailable"},  {PE_NOMEM, 503, 1, "unavailable"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		http_error_answer st = http_error_of(want[i].code);

		assert_int_equal(st.status, want[i].status);
		assert_int_equal(st.retry_after, want[i].retry);
		assert_string_equal(st.code, want[i].api);
		assert_non_null(st.message);
	}
	assert_string_equal(http_error_of(STORE_BUSY).message,
			    "too many reports waiting to be stored; retry shortly");
	assert_string_equal(http_error_of(STORE_STOPPED).message, "the server is shutting down");
	/* The last message is the calling thread's, and perr_set() hands its code back. */
	perr_clear();
	assert_string_equal(perr_last(), "");
	assert_int_equal(perr_set(PE_IO, "open %s: %s", "x.db", "no space"), PE_IO);
	assert_string_equal(perr_last(), "open x.db: no space");
	assert_int_equal(perr_last_code(), PE_IO);
	assert_string_equal(perr_name(PE_NOTFOUND), "not found");
}

/* One row of a tag-filtered page: its number, to check against the tag it was given. */
typedef struct tag_page {
	int64_t seen;
	int wrong;
} tag_page;

static int tag_row(void *ctx, const store_report_row *row)
{
	tag_page *tp = ctx;

	tp->seen++;
	tp->wrong += (row->num % 8 == 0) != (strcmp(row->title, "amd") == 0);
	return 0;
}

static int tag_facet(void *ctx, const char *facet, const char *value, int64_t count)
{
	int64_t *counts = ctx;

	if (strcmp(facet, "tag:gpu") == 0)
		counts[strcmp(value, "intel") == 0 ? 0 : 1] += count;
	return 0;
}

/* A tag carried by thousands of reports (walked newest first) and a rare one (listed): the same
 * answers, every page; and each group counts its tags at ingest. */
static void test_tag_filter_common_and_rare(void **state)
{
	enum { N = 2400 };
	fixture *f = *state;
	report *r = calloc(N, sizeof(*r));
	char (*uuid)[37] = calloc(N, 37);
	store_ingest out;
	store_report_filter filter = {.limit = 500, .tag_key = "gpu"};
	store_group_stats_fns fns = {.facet = tag_facet};
	tag_page tp;
	int64_t next, counts[2] = {0, 0};
	int i;

	assert_non_null(r);
	assert_non_null(uuid);
	assert_int_equal(store_begin(f->db), STORE_OK);
	for (i = 0; i < N; i++) {
		/* Report i + 1: amd every 8th, intel otherwise; its title says which. */
		const char *gpu = (i + 1) % 8 == 0 ? "amd" : "intel";

		snprintf(uuid[i], 37, "00000000-0000-4000-8000-%012d", i + 1);
		make_report(&r[i], uuid[i], "fp-tags", "tester-1");
		r[i].title = gpu;
		json_object_set_new(r[i].root, "tags", json_pack("{s:s}", "gpu", gpu));
		assert_int_equal(store_report_insert(f->db, f->project, &r[i], 100 + i, &out),
				 STORE_OK);
	}
	assert_int_equal(store_commit(f->db), STORE_OK);
	for (i = 0; i < 2; i++) {
		filter.tag_value = i ? "amd" : "intel";
		filter.cursor = 0;
		memset(&tp, 0, sizeof(tp));
		do {
			assert_int_equal(store_report_each(f->db, f->project, &filter, tag_row, &tp,
							   &next),
					 STORE_OK);
			filter.cursor = next;
		} while (next);
		assert_int_equal(tp.seen, i ? N / 8 : N - N / 8);
		assert_int_equal(tp.wrong, 0);
	}
	assert_int_equal(store_group_stats(f->db, f->project, 1, 200, 1, &fns, counts), STORE_OK);
	assert_int_equal(counts[0], N - N / 8);
	assert_int_equal(counts[1], N / 8);
	for (i = 0; i < N; i++)
		json_decref(r[i].root);
	free(r);
	free(uuid);
}

static int release_sum(void *ctx, const char *name, int64_t count)
{
	int64_t *sums = ctx;

	sums[name ? 0 : 1] += count;
	sums[2]++;
	return 0;
}

/* A group's reports per release, whether its builds are few (counted in memory) or many (more
 * than 256: sorted by SQLite): every report counted once, in no release here. */
static void test_group_stats_builds_few_and_many(void **state)
{
	enum { N = 600 };
	fixture *f = *state;
	report *r = calloc(N, sizeof(*r));
	char (*uuid)[37] = calloc(N, 37);
	store_ingest out;
	store_group_stats_fns fns = {.release = release_sum};
	int64_t sums[3];
	int i, g;

	assert_non_null(r);
	assert_non_null(uuid);
	assert_int_equal(store_begin(f->db), STORE_OK);
	for (i = 0; i < N; i++) {
		/* Group 1: 300 reports from 3 builds and the unresolved; group 2: 300 builds. */
		snprintf(uuid[i], 37, "00000000-0000-4000-8000-%012d", i + 1);
		make_report(&r[i], uuid[i], i < N / 2 ? "fp-few" : "fp-many", "tester-1");
		if (i < N / 2 && i % 4)
			snprintf(r[i].commit, sizeof(r[i].commit), "%040d", i % 4);
		else if (i >= N / 2)
			snprintf(r[i].commit, sizeof(r[i].commit), "%040d", i);
		assert_int_equal(store_report_insert(f->db, f->project, &r[i], 100 + i, &out),
				 STORE_OK);
	}
	assert_int_equal(store_commit(f->db), STORE_OK);
	for (g = 1; g <= 2; g++) {
		memset(sums, 0, sizeof(sums));
		assert_int_equal(store_group_stats(f->db, f->project, g, 1000, 1, &fns, sums),
				 STORE_OK);
		assert_int_equal(sums[0], 0);     /* no build is in a release */
		assert_int_equal(sums[1], N / 2); /* all of them under "none", once */
		assert_int_equal(sums[2], 1);
	}
	for (i = 0; i < N; i++)
		json_decref(r[i].root);
	free(r);
	free(uuid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_map_to_answers),
		cmocka_unit_test_setup_teardown(test_migrations_are_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_projects_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_group_and_are_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_writer_thread_commits_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_stopped_store_refuses_the_next_job_of_a_chain,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_full_text_rows_follow_their_jobs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_the_wal_is_checkpointed_while_writes_go_on, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tag_filter_common_and_rare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_stats_builds_few_and_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_batch_counts_each_group_once_and_exactly, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
