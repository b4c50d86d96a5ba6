/* ingest.c - the handlers testers' builds call with an ingest key: reports. */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "json.h"

typedef struct ingest_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	report report;
	int status;      /* non-zero: refused by auth_check with this status */
	const char *why;
	store_ingest out;
} ingest_job;

/* On the writer thread, inside the batch's transaction. */
static int ingest_run(store_job *job, store_db *db)
{
	ingest_job *ij = (ingest_job *)job;
	int64_t project_id;
	char actor[AUTH_ACTOR_MAX];

	ij->status = auth_check(db, &ij->creds, ij->project, AUTH_INGEST, &project_id, actor,
				&ij->why);
	if (ij->status)
		return STORE_OK; /* nothing written; the refusal is answered in ingest_done() */
	return store_report_insert(db, project_id, &ij->report, (int64_t)time(NULL), &ij->out);
}

/* Back on the connection's thread, after the commit. */
static void ingest_done(loop_task *t)
{
	ingest_job *ij = (ingest_job *)t;
	json_t *ans;

	if (ij->job.result != STORE_OK) {
		conn_reply_error(ij->conn, 503, "unavailable",
				 "the report could not be stored; send it again", NULL);
	} else if (ij->status) {
		conn_reply_error(ij->conn, ij->status, NULL, ij->why, NULL);
	} else {
		ans = json_pack("{s:o,s:o,s:{s:s?,s:n,s:n},s:n}", "id", json_id('R', ij->out.num),
				"group", json_id('G', ij->out.group_num), "revision", "input",
				ij->report.revision, "commit", "release", "known");
		conn_reply_json(ij->conn, ij->out.created ? 201 : 200, ans);
		json_decref(ans);
	}
	report_free(&ij->report);
	free(ij);
}

void ingest_report(request *rq)
{
	const http_request *h = rq->http;
	report_error err;
	ingest_job *ij;

	if (!rq->creds.has_key && !rq->creds.has_token) {
		conn_reply_error(rq->conn, 401, NULL,
				 rq->creds.malformed
					 ? "malformed credentials"
					 : "missing credentials: send X-Prosum-Key or Authorization",
				 NULL);
		return;
	}
	if (!http_slice_eq_nocase(h->content_type, "application/json")) {
		conn_reply_error(rq->conn, 415, "unsupported_media_type",
				 "send the report as application/json", NULL);
		return;
	}
	ij = calloc(1, sizeof(*ij));
	if (!ij) {
		conn_reply_error(rq->conn, 503, "unavailable", "out of memory", NULL);
		return;
	}
	if (report_parse(&ij->report, rq->body, rq->body_len, &rq->srv->rlim, &err) < 0) {
		free(ij);
		conn_reply_error(rq->conn, err.status, err.code, err.message, err.field);
		return;
	}
	ij->conn = rq->conn;
	ij->creds = rq->creds;
	memcpy(ij->project, rq->params[0], sizeof(ij->project));
	ij->job.run = ingest_run;
	ij->job.task.fn = ingest_done;
	ij->job.write = 1;
	if (conn_submit(rq->conn, &ij->job) < 0) {
		report_free(&ij->report);
		free(ij);
	}
}
