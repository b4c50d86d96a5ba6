/* intake_counts.c - what a project's Sentry SDKs sent that prosum counted: dropped items, client discards, sessions. */
#include "api/intake_counts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/reply.h"
#include "store/store_health.h"

#define INTAKE_DAYS 30
#define INTAKE_RELEASES 50

typedef struct intake_job {
	apijob api; /* first */
	json_t *dropped, *items, *discarded, *releases, *totals; /* borrowed from api.answer */
} intake_job;

static void intake_free(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

static int count_row(void *ctx, const store_intake_row *row)
{
	intake_job *ij = ctx;

	if (strcmp(row->b, "not_stored") == 0)
		return json_array_append_new(ij->dropped, json_pack("{s:s,s:I}", "type", row->a,
								     "quantity",
								     (json_int_t)row->quantity));
	return json_array_append_new(ij->items,
				     json_pack("{s:s,s:s,s:I}", "type", row->a, "outcome", row->b,
					       "quantity", (json_int_t)row->quantity));
}

static int discard_row(void *ctx, const store_intake_row *row)
{
	intake_job *ij = ctx;

	return json_array_append_new(ij->discarded,
				     json_pack("{s:s,s:s,s:I}", "reason", row->a, "category",
					       row->b, "quantity", (json_int_t)row->quantity));
}

/* 1 - part / whole, or null when there is no whole. */
static json_t *free_rate(int64_t part, int64_t whole)
{
	return whole > 0 ? json_real(1.0 - (double)part / (double)whole) : json_null();
}

static void total_add(json_t *totals, const char *key, int64_t v)
{
	json_object_set_new(totals, key,
			    json_integer(json_integer_value(json_object_get(totals, key)) + v));
}

static int health_row(void *ctx, const store_health_row *r)
{
	intake_job *ij = ctx;
	json_t *o = json_pack(
	    "{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "release", r->release,
	    "environment", r->environment, "started", (json_int_t)r->started, "exited",
	    (json_int_t)r->exited, "errored", (json_int_t)r->errored, "abnormal",
	    (json_int_t)r->abnormal, "crashed", (json_int_t)r->crashed, "installs",
	    (json_int_t)r->installs, "crashed_installs", (json_int_t)r->crashed_installs,
	    "crash_free_sessions", free_rate(r->crashed, r->started), "crash_free_installs",
	    free_rate(r->crashed_installs, r->installs), "last_hour", reply_time(r->last_hour));

	if (!o)
		return -1;
	total_add(ij->totals, "started", r->started);
	total_add(ij->totals, "exited", r->exited);
	total_add(ij->totals, "errored", r->errored);
	total_add(ij->totals, "abnormal", r->abnormal);
	total_add(ij->totals, "crashed", r->crashed);
	return json_array_append_new(ij->releases, o);
}

static int intake_query(apijob *j, store_db *db, int64_t project_id)
{
	intake_job *ij = (intake_job *)j;
	int64_t now = (int64_t)time(NULL);
	int64_t since = now - now % STORE_HEALTH_DAY - (INTAKE_DAYS - 1) * (int64_t)STORE_HEALTH_DAY;
	int rc;

	ij->dropped = json_array();
	ij->items = json_array();
	ij->discarded = json_array();
	ij->releases = json_array();
	ij->totals = json_pack("{s:i,s:i,s:i,s:i,s:i}", "started", 0, "exited", 0, "errored", 0,
			       "abnormal", 0, "crashed", 0);
	if (ij->totals)
		json_object_set(ij->totals, "releases", ij->releases);
	j->answer = json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "days", INTAKE_DAYS, "since",
			      reply_time(since), "dropped", ij->dropped, "health_items", ij->items,
			      "discarded", ij->discarded, "sessions", ij->totals);
	json_decref(ij->releases); /* held by totals */
	if (!j->answer)
		return STORE_ERROR;
	rc = store_intake_counts_each(db, project_id, since, count_row, ij);
	if (rc == STORE_OK)
		rc = store_client_discards_each(db, project_id, since, discard_row, ij);
	if (rc == STORE_OK)
		rc = store_health_each(db, project_id, since, INTAKE_RELEASES, health_row, ij);
	return rc;
}

void intake_counts_get(request *rq)
{
	intake_job *ij = calloc(1, sizeof(*ij));

	if (!ij) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	if (apijob_init(&ij->api, rq, AUTH_ADMIN, intake_query, "no such project", intake_free) <
	    0) {
		free(ij);
		return;
	}
	apijob_submit(&ij->api, 0);
}
