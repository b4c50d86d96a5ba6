/* releases.c - the handlers release managers call: releases, what they shipped and fixed, repository sync. */
#include "api/releases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "net/conn.h"
#include "git/gitwork.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "api/params.h"
#include "api/notes.h"
#include "api/render_releases.h"
#include "metrics/metrics.h"

#define RELEASE_NAME_MAX 100
#define RELEASE_REF_MAX 255

typedef struct release_job {
	apijob api; /* first */
	char name[RELEASE_NAME_MAX + 1];
	char ref[RELEASE_REF_MAX + 1];
	store *store;   /* sync: where the blame of resolved reports is queued */
	int64_t *blame; /* sync: the reports it resolved (owned) */
	size_t nblame;
} release_job;

static void release_free(apijob *j)
{
	free(((release_job *)j)->blame);
	apijob_dispose(j);
	free(j);
}

/* A job for this request, or NULL after answering (no credentials, out of memory). */
static release_job *job_new(request *rq, int need, apijob_query query)
{
	release_job *rj = calloc(1, sizeof(*rj));

	if (!rj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&rj->api, rq, need, query, "no such release", release_free) < 0) {
		free(rj);
		return NULL;
	}
	return rj;
}

static int add_query(apijob *j, store_db *db, int64_t project_id)
{
	release_job *rj = (release_job *)j;
	int rc = gitwork_release_add(db, project_id, rj->name, rj->ref, (int64_t)time(NULL),
				     rj->api.reason, sizeof(rj->api.reason));

	if (rc == STORE_INVALID || rc == STORE_EXISTS)
		rj->api.field = rc == STORE_INVALID ? "ref" : "name";
	if (rc != STORE_OK)
		return rc;
	rj->api.created = 1;
	return render_release_get(db, project_id, rj->name, &rj->api.answer);
}

/* Release names show in URLs and notes: letters, digits and . _ - + only. */
static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > RELEASE_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-' ||
		      s[i] == '+'))
			return 0;
	return 1;
}

void releases_add(request *rq)
{
	release_job *rj = job_new(rq, AUTH_RELEASE, add_query);
	json_t *doc = NULL, *name, *ref;

	if (!rj)
		return;
	if (params_json_object(rq, &doc) < 0)
		goto refused;
	name = json_object_get(doc, "name");
	ref = json_object_get(doc, "ref");
	if (!json_is_string(name) || !name_ok(json_string_value(name), json_string_length(name))) {
		conn_reply_error(rq->conn, 422, "invalid_request",
				 "a release name of 1-100 letters, digits, '.', '_', '-', '+'",
				 "name");
		goto refused;
	}
	if (!json_is_string(ref) || json_string_length(ref) == 0 ||
	    json_string_length(ref) > RELEASE_REF_MAX) {
		conn_reply_error(rq->conn, 422, "invalid_request",
				 "the git ref of the release: a tag, branch or commit", "ref");
		goto refused;
	}
	snprintf(rj->name, sizeof(rj->name), "%s", json_string_value(name));
	snprintf(rj->ref, sizeof(rj->ref), "%s", json_string_value(ref));
	json_decref(doc);
	apijob_submit(&rj->api, 1);
	return;
refused:
	json_decref(doc);
	release_free(&rj->api);
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	return render_release_list(db, project_id, &j->answer);
}

void releases_list(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, list_query);

	if (rj)
		apijob_submit(&rj->api, 0);
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	release_job *rj = (release_job *)j;

	return render_release_get(db, project_id, rj->name, &j->answer);
}

void releases_get(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, get_query);

	if (!rj)
		return;
	if (strlen(rq->params[1]) > RELEASE_NAME_MAX)
		rj->name[0] = '\0'; /* no release has such a name: 404 once authorised */
	else
		memcpy(rj->name, rq->params[1], strlen(rq->params[1]) + 1);
	apijob_submit(&rj->api, 0);
}

static int notes_query(apijob *j, store_db *db, int64_t project_id)
{
	release_job *rj = (release_job *)j;

	j->text_type = "text/markdown; charset=utf-8";
	return notes_render(db, project_id, rj->name, &j->text);
}

void releases_notes(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, notes_query);

	if (!rj)
		return;
	if (strlen(rq->params[1]) <= RELEASE_NAME_MAX)
		memcpy(rj->name, rq->params[1], strlen(rq->params[1]) + 1);
	apijob_submit(&rj->api, 0);
}

/* The blame of the reports a sync resolved, a few per writer job so the writer is
 * never held long: the suspects appear as they would have at ingest. */
#define SYNC_BLAME_BATCH 8

typedef struct sync_blame {
	store_job job; /* first */
	store *store;
	char project[ROUTER_PARAM_MAX + 1];
	int64_t *nums; /* owned */
	size_t n, next;
} sync_blame;

static int sync_blame_run(store_job *job, store_db *db)
{
	sync_blame *sb = (sync_blame *)job;
	int64_t project_id;
	size_t end = sb->next + SYNC_BLAME_BATCH;
	json_t *frames;
	int rc = STORE_OK;

	if (store_project_find(db, sb->project, &project_id) != STORE_OK) {
		sb->next = sb->n;
		return STORE_OK;
	}
	for (; sb->next < sb->n && sb->next < end && rc == STORE_OK; sb->next++) {
		if (render_report_frames(db, project_id, sb->nums[sb->next], &frames) != STORE_OK)
			continue;
		if (gitwork_blameable(frames))
			rc = gitwork_blame_report(db, project_id, sb->nums[sb->next], frames);
		json_decref(frames);
	}
	return rc;
}

static void sync_blame_done(loop_task *t)
{
	sync_blame *sb = (sync_blame *)t;

	/* Best effort, as at ingest: a full queue or a stopping store ends the chain. */
	if (sb->next < sb->n && store_submit(sb->store, &sb->job) == STORE_OK)
		return;
	free(sb->nums);
	free(sb);
}

static void sync_done(loop_task *t)
{
	release_job *rj = (release_job *)t;
	sync_blame *sb;

	apijob_reply(&rj->api);
	if (rj->nblame && rj->api.job.result == STORE_OK && !rj->api.status &&
	    (sb = calloc(1, sizeof(*sb))) != NULL) {
		sb->store = rj->store;
		memcpy(sb->project, rj->api.project, sizeof(sb->project));
		sb->nums = rj->blame;
		sb->n = rj->nblame;
		rj->blame = NULL;
		sb->job.run = sync_blame_run;
		sb->job.task.fn = sync_blame_done;
		sb->job.owner = rj->api.job.owner;
		sb->job.write = 1;
		if (store_submit(sb->store, &sb->job) != STORE_OK) {
			free(sb->nums);
			free(sb);
		}
	}
	rj->api.release(&rj->api);
}

static int sync_query(apijob *j, store_db *db, int64_t project_id)
{
	release_job *rj = (release_job *)j;
	gitwork_sync_stats st;
	uint64_t t0 = metrics_now_us();
	int rc = gitwork_sync(db, project_id, (int64_t)time(NULL), &st, rj->api.reason,
			      sizeof(rj->api.reason));

	metrics_git_sync(metrics_now_us() - t0, rc == STORE_OK);

	free(rj->blame); /* a retried job: only this run's list counts */
	rj->blame = st.blame;
	rj->nblame = st.nblame;
	if (rc != STORE_OK)
		return rc;
	rj->api.answer = json_pack("{s:I,s:I,s:I,s:I,s:b}", "new_commits", (json_int_t)st.commits,
			       "links", (json_int_t)st.links, "resolved", (json_int_t)st.resolved,
			       "regressed", (json_int_t)st.regressed, "fetched", st.fetched);
	return STORE_OK;
}

/*
 * The walk runs on the writer, inside its transaction: links, resolved
 * revisions and fixes land together. A first sync of a large history holds
 * the writer for a few seconds; later ones walk only what is new.
 */
void releases_sync(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, sync_query);

	if (!rj)
		return;
	rj->store = rq->store;
	rj->api.job.task.fn = sync_done;
	apijob_submit(&rj->api, 1);
}

/* The start-up fix checks: a reader lists the projects that need them, then one writer
 * job per project, queued one after the other so that requests are not held behind all. */
typedef struct fix_start {
	store_job job; /* first */
	store *store;
	int64_t *ids; /* owned */
	size_t n, next;
	int listed;
} fix_start;

static int fix_start_run(store_job *job, store_db *db)
{
	fix_start *fs = (fix_start *)job;

	if (!fs->listed)
		return store_fix_unchecked_projects(db, &fs->ids, &fs->n);
	return gitwork_fix_checks(db, fs->ids[fs->next], 0, (int64_t)time(NULL), NULL);
}

static void fix_start_done(loop_task *t)
{
	fix_start *fs = (fix_start *)t;

	if (fs->job.result != STORE_OK)
		fprintf(stderr, "prosumd: start-up fix checks%s failed\n",
			fs->listed ? " of a project" : "");
	if (!fs->listed)
		fs->listed = 1;
	else
		fs->next++;
	if (fs->next < fs->n) {
		fs->job.write = 1;
		if (store_submit(fs->store, &fs->job) == STORE_OK)
			return;
	}
	free(fs->ids);
	free(fs);
}

void releases_fix_checks_start(store *st, loop *owner)
{
	fix_start *fs = calloc(1, sizeof(*fs));

	if (!fs) {
		fprintf(stderr, "prosumd: start-up fix checks: out of memory\n");
		return;
	}
	fs->store = st;
	fs->job.run = fix_start_run;
	fs->job.task.fn = fix_start_done;
	fs->job.owner = owner;
	fs->job.write = 0; /* the list: a reader */
	if (store_submit(st, &fs->job) != STORE_OK)
		free(fs);
}
