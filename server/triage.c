/* triage.c - the handlers developers call with a token: reading reports. */
#include "triage.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn.h"
#include "json.h"

/* A read on behalf of a token: authorise, then run the query. */
typedef struct read_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	auth_creds creds;
	char project[ROUTER_PARAM_MAX + 1];
	int need;
	int (*query)(struct read_job *rj, store_db *db, int64_t project_id);
	int status;
	const char *why;
	/* the query's inputs and outputs */
	int64_t num;
	store_report_filter filter;
	char kind[16], rstatus[16], revision[257];
	json_t *answer;
} read_job;

static int read_run(store_job *job, store_db *db)
{
	read_job *rj = (read_job *)job;
	int64_t project_id;

	rj->status = auth_check(db, &rj->creds, rj->project, rj->need, &project_id, &rj->why);
	if (rj->status)
		return STORE_OK;
	return rj->query(rj, db, project_id);
}

static void read_done(loop_task *t)
{
	read_job *rj = (read_job *)t;

	if (rj->status)
		conn_reply_error(rj->conn, rj->status, NULL, rj->why, NULL);
	else if (rj->job.result == STORE_NOTFOUND)
		conn_reply_error(rj->conn, 404, "not_found", "no such report", NULL);
	else if (rj->job.result != STORE_OK || !rj->answer)
		conn_reply_error(rj->conn, 503, "unavailable", "the store could not answer", NULL);
	else
		conn_reply_json(rj->conn, 200, rj->answer);
	json_decref(rj->answer);
	free(rj);
}

static read_job *read_job_new(request *rq, int need,
			      int (*query)(read_job *rj, store_db *db, int64_t project_id))
{
	read_job *rj;

	if (!rq->creds.has_key && !rq->creds.has_token) {
		conn_reply_error(rq->conn, 401, NULL,
				 rq->creds.malformed ? "malformed credentials"
						     : "missing credentials: send Authorization: Bearer TOKEN",
				 NULL);
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
	rj->job.run = read_run;
	rj->job.task.fn = read_done;
	return rj;
}

static void submit(request *rq, read_job *rj)
{
	if (conn_submit(rq->conn, &rj->job) < 0)
		free(rj);
}

static int list_query(read_job *rj, store_db *db, int64_t project_id)
{
	json_t *items;
	int64_t next;
	char cursor[32];
	int rc;

	rc = store_report_list(db, project_id, &rj->filter, &items, &next);
	if (rc != STORE_OK)
		return rc;
	snprintf(cursor, sizeof(cursor), "%lld", (long long)next);
	rj->answer = json_pack("{s:o,s:o}", "items", items, "next",
			       next ? json_string(cursor) : json_null());
	return STORE_OK;
}

/* Take one query parameter; -1 after answering 422 when it is malformed. */
static int param(request *rq, const char *name, char *out, size_t outsz, int *present)
{
	int n = http_query_param(rq->http->query, name, out, outsz);

	*present = n >= 0;
	if (n == -2) {
		conn_reply_error(rq->conn, 422, "invalid_parameter", "malformed or too long", name);
		return -1;
	}
	if (n < 0)
		out[0] = '\0';
	return 0;
}

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

static int parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t n = 0;

	if (!*s || strlen(s) > 18)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

void triage_report_list(request *rq)
{
	static const char *const kinds[] = {"crash", "bug", "feedback", NULL};
	static const char *const statuses[] = {"new",	   "triaged",	"in_progress", "fixed",
					       "wontfix", "duplicate", "regressed",   NULL};
	static const char *const later[] = {"release", "q", NULL};
	char v[64];
	int64_t n;
	int present, i;
	read_job *rj = read_job_new(rq, AUTH_DEVELOPER, list_query);

	if (!rj)
		return;
	rj->filter.limit = PROSUM_LIST_LIMIT;
	if (param(rq, "kind", rj->kind, sizeof(rj->kind), &present) < 0)
		goto refused;
	if (present) {
		if (!one_of(rj->kind, kinds)) {
			conn_reply_error(rq->conn, 422, "invalid_parameter",
					 "must be one of crash, bug, feedback", "kind");
			goto refused;
		}
		rj->filter.kind = rj->kind;
	}
	if (param(rq, "status", rj->rstatus, sizeof(rj->rstatus), &present) < 0)
		goto refused;
	if (present) {
		if (!one_of(rj->rstatus, statuses)) {
			conn_reply_error(rq->conn, 422, "invalid_parameter",
					 "not a report status", "status");
			goto refused;
		}
		rj->filter.status = rj->rstatus;
	}
	if (param(rq, "revision", rj->revision, sizeof(rj->revision), &present) < 0)
		goto refused;
	if (present)
		rj->filter.revision = rj->revision;
	if (param(rq, "group", v, sizeof(v), &present) < 0)
		goto refused;
	if (present && json_parse_id(v, 'G', &rj->filter.group) < 0) {
		conn_reply_error(rq->conn, 422, "invalid_parameter", "must be a group id such as G-3",
				 "group");
		goto refused;
	}
	if (param(rq, "limit", v, sizeof(v), &present) < 0)
		goto refused;
	if (present) {
		if (parse_count(v, 1, PROSUM_LIST_MAX, &n) < 0) {
			conn_reply_error(rq->conn, 422, "invalid_parameter",
					 "must be a whole number from 1 to 500", "limit");
			goto refused;
		}
		rj->filter.limit = (int)n;
	}
	if (param(rq, "cursor", v, sizeof(v), &present) < 0)
		goto refused;
	if (present && parse_count(v, 1, INT64_MAX / 10, &rj->filter.before) < 0) {
		conn_reply_error(rq->conn, 422, "invalid_parameter",
				 "not a cursor this server gave", "cursor");
		goto refused;
	}
	for (i = 0; later[i]; i++) {
		if (param(rq, later[i], v, sizeof(v), &present) < 0)
			goto refused;
		if (present) {
			conn_reply_error(rq->conn, 422, "invalid_parameter",
					 "this filter is not supported by this server version",
					 later[i]);
			goto refused;
		}
	}
	submit(rq, rj);
	return;
refused:
	free(rj);
}

static int get_query(read_job *rj, store_db *db, int64_t project_id)
{
	return store_report_get(db, project_id, rj->num, &rj->answer);
}

void triage_report_get(request *rq)
{
	read_job *rj = read_job_new(rq, AUTH_DEVELOPER, get_query);

	if (!rj)
		return;
	if (json_parse_id(rq->params[1], 'R', &rj->num) < 0) {
		/* Still authorise first: an anonymous caller learns nothing from a 404. */
		rj->num = 0;
	}
	submit(rq, rj);
}
