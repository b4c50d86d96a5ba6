/* health_gates.c - a project's release gates over the API: the thresholds a build's health must meet. */
#include "api/health_answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "net/conn.h"
#include "store/store_health_read.h"

#define GATES_MAX 4 /* one per metric */

typedef struct gates_job {
	apijob api; /* first */
	json_t *doc; /* PUT: the body, owning the strings of gates[] */
	store_health_gate gates[GATES_MAX];
	size_t n;
	json_t *items; /* borrowed from answer */
} gates_job;

static void gates_free(apijob *j)
{
	gates_job *gj = (gates_job *)j;

	json_decref(gj->doc);
	apijob_dispose(j);
	free(gj);
}

static int gate_row(void *ctx, const store_health_gate *g)
{
	gates_job *gj = ctx;

	return json_array_append_new(gj->items,
				     json_pack("{s:s,s:s,s:f,s:I}", "metric", g->metric, "op",
					       g->op, "value", g->value, "min_sessions",
					       (json_int_t)g->min_sessions));
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	gates_job *gj = (gates_job *)j;

	gj->items = json_array();
	j->answer = json_pack("{s:o}", "gates", gj->items);
	if (!j->answer)
		return PE_NOMEM;
	return store_health_gates_each(db, project_id, gate_row, gj);
}

static int set_query(apijob *j, store_db *db, int64_t project_id)
{
	gates_job *gj = (gates_job *)j;
	int rc = store_health_gates_set(db, project_id, gj->gates, gj->n, (int64_t)time(NULL));

	return rc == STORE_OK ? list_query(j, db, project_id) : rc;
}

static gates_job *job_new(request *rq, int need, apijob_query query)
{
	gates_job *gj = calloc(1, sizeof(*gj));

	if (!gj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&gj->api, rq, need, query, "no such project", gates_free) < 0) {
		free(gj);
		return NULL;
	}
	return gj;
}

void health_gates_get(request *rq)
{
	gates_job *gj = job_new(rq, AUTH_DEVELOPER, list_query);

	if (gj)
		apijob_submit(&gj->api, 0);
}

/* The body's gates into gj->gates, checked. 0, or -1 after answering 422. */
static int gates_take(request *rq, gates_job *gj)
{
	json_t *list = json_object_get(gj->doc, "gates"), *g;
	char field[64];
	size_t i, k;

	if (!json_is_array(list))
		return params_refuse(rq, 422, "invalid_field", "must be an array of gates", "gates");
	if (json_array_size(list) > GATES_MAX)
		return params_refuse(rq, 422, "invalid_field", "at most one gate per metric",
				     "gates");
	json_array_foreach(list, i, g)
	{
		store_health_gate *out = &gj->gates[i];
		json_t *v = json_object_get(g, "value"), *min = json_object_get(g, "min_sessions");

		out->metric = json_string_value(json_object_get(g, "metric"));
		out->op = json_string_value(json_object_get(g, "op"));
		snprintf(field, sizeof(field), "gates[%zu].metric", i);
		if (!json_is_object(g) || !store_health_gate_metric_ok(out->metric))
			return params_refuse(rq, 422, "invalid_field",
					     "must be crash_free_sessions, crash_free_installs, "
					     "errored_rate or abnormal_rate",
					     field);
		for (k = 0; k < i; k++)
			if (strcmp(gj->gates[k].metric, out->metric) == 0)
				return params_refuse(rq, 422, "invalid_field",
						     "a second gate on the same metric", field);
		snprintf(field, sizeof(field), "gates[%zu].op", i);
		if (!store_health_gate_op_ok(out->op))
			return params_refuse(rq, 422, "invalid_field", "must be >=, >, <= or <",
					     field);
		snprintf(field, sizeof(field), "gates[%zu].value", i);
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 100)
			return params_refuse(rq, 422, "invalid_field",
					     "must be a percentage from 0 to 100", field);
		out->value = json_number_value(v);
		snprintf(field, sizeof(field), "gates[%zu].min_sessions", i);
		if (min && !json_is_null(min) &&
		    (!json_is_integer(min) || json_integer_value(min) < 0))
			return params_refuse(rq, 422, "invalid_field",
					     "must be a whole number of sessions, 0 or more", field);
		out->min_sessions = json_is_integer(min) ? json_integer_value(min) : 0;
	}
	gj->n = json_array_size(list);
	return 0;
}

void health_gates_put(request *rq)
{
	gates_job *gj = job_new(rq, AUTH_ADMIN, set_query);

	if (!gj)
		return;
	if (params_json_object(rq, &gj->doc) < 0 || gates_take(rq, gj) < 0) {
		gates_free(&gj->api);
		return;
	}
	apijob_submit(&gj->api, 1);
}
