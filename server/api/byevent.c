/* byevent.c - a report found by its Sentry event id (its uuid), with the known-fix answer. */
#include "api/byevent.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/apijob.h"
#include "api/reply.h"
#include "git/gitwork.h"
#include "net/conn.h"

#define EVENT_HEX 32

typedef struct byevent_job {
	apijob api; /* first */
	int malformed;        /* the id in the path is not 32 hex digits: 422 once authorised */
	char hex[EVENT_HEX + 1];
	char uuid[37];        /* the report's uuid: lower case, dashed 8-4-4-4-12 */
	int (*run)(store_job *job, store_db *db); /* apijob's: authorise, then byevent_query */
} byevent_job;

static void byevent_release(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

/* 32 hex digits, dashes anywhere allowed, any case, into hex (lower case). 0 or -1. */
static int parse_event_id(const char *s, char hex[EVENT_HEX + 1])
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (!isxdigit((unsigned char)*s) || n == EVENT_HEX)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	hex[n] = '\0';
	return n == EVENT_HEX ? 0 : -1;
}

/*
 * The group's fix as POST .../reports tells it for a report sent again (ingest.c's answer):
 * {"group","status":"fixed","fixed_in"} when the report's build lacks the group's fixing
 * commit, else null. New reference.
 */
static json_t *known_of(const gitwork_ingest *g, int64_t group_num)
{
	if (g->known)
		return json_pack("{s:o,s:s,s:o}", "group", reply_id('G', group_num), "status",
				 "fixed", "fixed_in",
				 g->fixed_in[0] ? json_string(g->fixed_in) : json_null());
	if (g->regressed)
		return json_pack("{s:o,s:s,s:n}", "group", reply_id('G', group_num), "status",
				 "regressed", "fixed_in");
	return json_null();
}

static int byevent_query(apijob *j, store_db *db, int64_t project_id)
{
	byevent_job *bj = (byevent_job *)j;
	store_ingest in;
	gitwork_ingest g;
	report r;
	char status[32];
	int rc;

	if (j->who.kind == AUTH_BY_TESTER) {
		/* A board sign-in reads the board; its build asks with its ingest key. */
		j->status = 403;
		j->why = "a tester's sign-in may use the board only; this is for the team";
		return STORE_OK;
	}
	if (bj->malformed) {
		snprintf(j->reason, sizeof(j->reason),
			 "must be an event id: 32 hex digits, dashes allowed");
		j->field = "event_id";
		return STORE_INVALID;
	}
	rc = store_report_of_uuid(db, project_id, bj->uuid, &in, status);
	if (rc != STORE_OK)
		return rc;
	/* The stored report, as a repeat of it (created 0): nothing is written, only read. */
	memset(&r, 0, sizeof(r));
	if (gitwork_ingest_report(db, project_id, &r, &in, 0, &g) != STORE_OK)
		return STORE_ERROR;
	j->answer = json_pack("{s:o,s:o,s:s,s:s,s:o}", "id", reply_id('R', in.num), "group",
			      reply_id('G', in.group_num), "event_id", bj->hex, "status", status,
			      "known", known_of(&g, in.group_num));
	return j->answer ? STORE_OK : STORE_ERROR;
}

/*
 * {p} is the project's name or, when no project has that name, the number of its sentry_dsn:
 * the one name of the project an app that carries a Sentry SDK knows. Then authorised and
 * answered as for the name.
 */
static int byevent_run(store_job *job, store_db *db)
{
	byevent_job *bj = (byevent_job *)job;
	const char *p = bj->api.project;
	int64_t id = 0, pid;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9' && i < 18; i++)
		id = id * 10 + (p[i] - '0');
	if (i > 0 && !p[i] && store_project_find(db, p, &pid) == STORE_NOTFOUND)
		(void)store_project_name_of(db, id, bj->api.project, sizeof(bj->api.project));
	return bj->run(job, db);
}

static void byevent_done(loop_task *t)
{
	apijob *j = (apijob *)t;

	if (!j->status && j->job.result == STORE_NOTFOUND)
		apijob_reply_error(j->conn, STORE_NOTFOUND, "no report has this event id",
				   "event_id");
	else
		apijob_reply(j);
	j->release(j);
}

void byevent_get(request *rq)
{
	byevent_job *bj = calloc(1, sizeof(*bj));
	const char *h;

	if (!bj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	/* A developer token's readers, and the project's ingest key: what a tester's build is
	 * told when it sends a report, a Sentry SDK's app may ask for by its event's id. */
	if (apijob_init(&bj->api, rq, AUTH_INGEST, byevent_query, "no report has this event id",
			byevent_release) < 0) {
		free(bj);
		return;
	}
	bj->api.job.task.fn = byevent_done;
	bj->run = bj->api.job.run;
	bj->api.job.run = byevent_run;
	/* A malformed id is authorised first all the same: anonymous callers learn nothing. */
	if (parse_event_id(rq->params[1], bj->hex) < 0) {
		bj->malformed = 1;
	} else {
		h = bj->hex;
		snprintf(bj->uuid, sizeof(bj->uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
			 h + 16, h + 20);
	}
	apijob_submit(&bj->api, 0);
}
