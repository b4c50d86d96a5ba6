/* release.c - the handlers release managers call: releases, what they shipped and fixed, repository sync. */
#include "release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "gitwork.h"
#include "json.h"

#define RELEASE_NAME_MAX 100
#define RELEASE_REF_MAX 255

typedef struct release_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	int need;
	int (*query)(struct release_job *rj, store_db *db, int64_t project_id);
	int status;
	const char *why;
	char reason[256];
	char name[RELEASE_NAME_MAX + 1];
	char ref[RELEASE_REF_MAX + 1];
	int created;
	json_t *answer;
	buf notes;         /* Markdown answer of the notes */
} release_job;

static int release_run(store_job *job, store_db *db)
{
	release_job *rj = (release_job *)job;
	char actor[AUTH_ACTOR_MAX];
	int64_t project_id;

	rj->status = auth_check(db, &rj->creds, rj->project, rj->need, &project_id, actor,
				&rj->why);
	if (rj->status)
		return STORE_OK;
	return rj->query(rj, db, project_id);
}

static void release_done(loop_task *t)
{
	release_job *rj = (release_job *)t;
	int rc = rj->job.result;

	if (rj->status)
		conn_reply_error(rj->conn, rj->status, NULL, rj->why, NULL);
	else if (rc == STORE_NOTFOUND)
		conn_reply_error(rj->conn, 404, "not_found", "no such release", NULL);
	else if (rc == STORE_EXISTS)
		conn_reply_error(rj->conn, 409, "conflict", rj->reason, "name");
	else if (rc == STORE_INVALID)
		conn_reply_error(rj->conn, 422, "invalid_request", rj->reason,
				 rj->ref[0] ? "ref" : NULL);
	else if (rc != STORE_OK || (!rj->answer && !rj->notes.len))
		conn_reply_error(rj->conn, 503, "unavailable",
				 rj->reason[0] ? rj->reason : "the store could not answer", NULL);
	else if (rj->notes.len)
		conn_reply(rj->conn, 200, "text/markdown; charset=utf-8", rj->notes.p, rj->notes.len,
			   NULL);
	else
		conn_reply_json(rj->conn, rj->created ? 201 : 200, rj->answer);
	json_decref(rj->answer);
	buf_free(&rj->notes);
	free(rj);
}

static release_job *job_new(request *rq, int need,
			    int (*query)(release_job *rj, store_db *db, int64_t project_id))
{
	release_job *rj;

	if (!rq->creds.has_key && !rq->creds.has_token) {
		conn_reply_error(rq->conn, 401, NULL,
				 "missing credentials: send Authorization: Bearer TOKEN", NULL);
		return NULL;
	}
	rj = calloc(1, sizeof(*rj));
	if (!rj) {
		conn_reply_error(rq->conn, 503, "unavailable", "out of memory", NULL);
		return NULL;
	}
	rj->conn = rq->conn;
	rj->creds = rq->creds;
	memcpy(rj->project, rq->params[0], sizeof(rj->project));
	rj->need = need;
	rj->query = query;
	rj->job.run = release_run;
	rj->job.task.fn = release_done;
	buf_init(&rj->notes, 16 * 1024 * 1024);
	return rj;
}

static void submit(request *rq, release_job *rj, int write)
{
	rj->job.write = write;
	if (conn_submit(rq->conn, &rj->job) < 0) {
		buf_free(&rj->notes);
		free(rj);
	}
}

static int add_query(release_job *rj, store_db *db, int64_t project_id)
{
	int rc = gitwork_release_add(db, project_id, rj->name, rj->ref, (int64_t)time(NULL),
				     rj->reason, sizeof(rj->reason));

	if (rc != STORE_OK)
		return rc;
	rj->created = 1;
	return store_release_get(db, project_id, rj->name, &rj->answer);
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

void release_add(request *rq)
{
	release_job *rj = job_new(rq, AUTH_RELEASE, add_query);
	json_error_t jerr;
	json_t *doc = NULL, *name, *ref;

	if (!rj)
		return;
	if (!http_slice_eq_nocase(rq->http->content_type, "application/json")) {
		conn_reply_error(rq->conn, 415, "unsupported_media_type", "send application/json",
				 NULL);
		goto refused;
	}
	doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		char msg[256];
		snprintf(msg, sizeof(msg), "line %d, column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		conn_reply_error(rq->conn, 400, "invalid_json", msg, NULL);
		goto refused;
	}
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
	submit(rq, rj, 1);
	return;
refused:
	json_decref(doc);
	buf_free(&rj->notes);
	free(rj);
}

static int list_query(release_job *rj, store_db *db, int64_t project_id)
{
	return store_release_list(db, project_id, &rj->answer);
}

void release_list(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, list_query);

	if (rj)
		submit(rq, rj, 0);
}

static int get_query(release_job *rj, store_db *db, int64_t project_id)
{
	return store_release_get(db, project_id, rj->name, &rj->answer);
}

void release_get(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, get_query);

	if (!rj)
		return;
	if (strlen(rq->params[1]) > RELEASE_NAME_MAX)
		rj->name[0] = '\0'; /* no release has such a name: 404 once authorised */
	else
		memcpy(rj->name, rq->params[1], strlen(rq->params[1]) + 1);
	submit(rq, rj, 0);
}

static int notes_query(release_job *rj, store_db *db, int64_t project_id)
{
	return gitwork_release_notes(db, project_id, rj->name, &rj->notes);
}

void release_notes(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, notes_query);

	if (!rj)
		return;
	if (strlen(rq->params[1]) <= RELEASE_NAME_MAX)
		memcpy(rj->name, rq->params[1], strlen(rq->params[1]) + 1);
	submit(rq, rj, 0);
}

static int sync_query(release_job *rj, store_db *db, int64_t project_id)
{
	gitwork_sync_stats st;
	int rc = gitwork_sync(db, project_id, (int64_t)time(NULL), &st, rj->reason,
			      sizeof(rj->reason));

	if (rc != STORE_OK)
		return rc;
	rj->answer = json_pack("{s:I,s:I,s:I,s:b}", "new_commits", (json_int_t)st.commits,
			       "links", (json_int_t)st.links, "resolved", (json_int_t)st.resolved,
			       "fetched", st.fetched);
	return STORE_OK;
}

/*
 * The walk runs on the writer, inside its transaction: links, resolved
 * revisions and fixes land together. A first sync of a large history holds
 * the writer for a few seconds; later ones walk only what is new.
 */
void release_sync(request *rq)
{
	release_job *rj = job_new(rq, AUTH_DEVELOPER, sync_query);

	if (rj)
		submit(rq, rj, 1);
}
