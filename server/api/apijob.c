/* apijob.c - the shape every store-backed API call shares: authorise, run its query on a store thread, answer. */
#include "api/apijob.h"

#include <string.h>

#include "config.h"

static int apijob_run(store_job *job, store_db *db)
{
	apijob *j = (apijob *)job;
	int64_t project_id = 0;

	j->status = auth_resolve(db, &j->creds, &j->who, &j->why);
	if (!j->status && j->global)
		j->status = auth_allow_global(&j->who, j->need == AUTH_INGEST ? AUTH_DEVELOPER : j->need,
					      j->unlimited, &j->why);
	else if (!j->status)
		j->status = auth_allow_project(db, &j->who, j->project, j->need, &project_id,
					       &j->why);
	if (j->status)
		return STORE_OK; /* nothing done; the refusal is answered by apijob_reply() */
	memcpy(j->actor, j->who.actor, sizeof(j->actor));
	return j->query(j, db, project_id);
}

int apijob_init(apijob *j, request *rq, int need, apijob_query query, const char *notfound,
		void (*release)(apijob *j))
{
	if (!auth_has_any(&rq->creds)) {
		conn_reply_error(rq->conn, 401, NULL,
				 rq->creds.malformed ? "malformed credentials"
				 : need == AUTH_INGEST
					 ? "missing credentials: send X-Prosum-Key or Authorization"
					 : "missing credentials: send Authorization: Bearer TOKEN",
				 NULL);
		return -1;
	}
	j->conn = rq->conn;
	j->creds = rq->creds;
	memcpy(j->project, rq->params[0], sizeof(j->project));
	j->need = need;
	j->query = query;
	j->release = release;
	j->notfound = notfound;
	j->job.run = apijob_run;
	j->job.task.fn = apijob_done;
	buf_init(&j->text, PROSUM_MAX_TEXT_ANSWER);
	return 0;
}

void apijob_submit(apijob *j, int write)
{
	j->job.write = write;
	if (conn_submit(j->conn, &j->job) < 0)
		j->release(j);
}

void apijob_reply_error(conn *c, int code, const char *message, const char *field)
{
	http_error_answer st = http_error_of(code);

	conn_reply_error_retry(c, st.status, st.code, message ? message : st.message, field,
			       st.retry_after);
}

void apijob_reply(apijob *j)
{
	int rc = j->job.result;

	if (j->status)
		conn_reply_error(j->conn, j->status, NULL, j->why, NULL);
	else if (rc == STORE_NOTFOUND)
		apijob_reply_error(j->conn, rc, j->notfound, NULL);
	else if (rc == STORE_CONFLICT || rc == STORE_EXISTS)
		apijob_reply_error(j->conn, rc, j->reason,
				   j->field ? j->field : rc == STORE_EXISTS ? "name" : "status");
	else if (rc == STORE_INVALID)
		apijob_reply_error(j->conn, rc, j->reason, j->field);
	else if (rc == STORE_FULL)
		apijob_reply_error(j->conn, rc, NULL, NULL);
	else if (rc != STORE_OK || (!j->answer && !j->text.len))
		apijob_reply_error(j->conn, rc == STORE_OK ? STORE_ERROR : rc,
				   j->reason[0] ? j->reason : NULL, NULL);
	else if (j->text.len)
		conn_reply(j->conn, 200, j->text_type, j->text.p, j->text.len, NULL);
	else
		conn_reply_json(j->conn, j->created ? 201 : 200, j->answer);
}

void apijob_done(loop_task *t)
{
	apijob *j = (apijob *)t;

	apijob_reply(j);
	j->release(j);
}

void apijob_dispose(apijob *j)
{
	json_decref(j->answer);
	j->answer = NULL;
	buf_free(&j->text);
}
