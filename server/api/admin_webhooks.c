/* admin_webhooks.c - a project's webhooks over the API: add, list, change, remove, test, log. */
#include "api/admin_webhooks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/admin_projects.h"
#include "api/apijob.h"
#include "api/params.h"
#include "api/reply.h"
#include "net/conn.h"
#include "notify/sign.h"
#include "notify/ssrf.h"
#include "notify/webhook.h"
#include "store/store_outbox.h"
#include "store/store_webhooks.h"

#define TEST_MESSAGE_MAX 500
#define LOG_LIMIT 50
#define LOG_LIMIT_MAX 500

typedef struct hook_job {
	apijob api; /* first */
	int64_t id, delivery_id;
	/* add and patch: what the body sets (NULL: unchanged) */
	char *url, *events, *format; /* owned */
	char secret[SIGN_SECRET_MAX + 1];
	int has_secret, show_secret, enabled; /* enabled -1: unchanged */
	char message[TEST_MESSAGE_MAX + 1];
	int limit;
	json_t *items; /* borrowed from answer */
} hook_job;

static void hook_free(apijob *j)
{
	hook_job *hj = (hook_job *)j;

	free(hj->url);
	free(hj->events);
	free(hj->format);
	memset(hj->secret, 0, sizeof(hj->secret));
	apijob_dispose(j);
	free(hj);
}

/* A job for this request (admin), with the webhook id of the path when `with_id`; NULL after
 * answering. A malformed id is an unknown one: 404 once authorised (id 0 is none). */
static hook_job *job_new(request *rq, apijob_query query, int with_id)
{
	hook_job *hj = calloc(1, sizeof(*hj));
	char *end;

	if (!hj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&hj->api, rq, AUTH_ADMIN, query, "no such webhook", hook_free) < 0) {
		free(hj);
		return NULL;
	}
	hj->enabled = -1;
	hj->limit = LOG_LIMIT;
	if (with_id) {
		hj->id = strtoll(rq->params[1], &end, 10);
		if (*end || hj->id < 0 || rq->params[1][0] == '-' || rq->params[1][0] == '+')
			hj->id = 0;
	}
	return hj;
}

static json_t *hook_json(const store_webhook_row *row, const char *secret)
{
	json_t *o = json_object(), *ev = json_loads(row->events, 0, NULL);

	if (!o || !ev) {
		json_decref(o);
		json_decref(ev);
		return NULL;
	}
	json_object_set_new(o, "id", json_integer(row->id));
	json_object_set_new(o, "url", json_string(row->url));
	json_object_set_new(o, "events", ev);
	json_object_set_new(o, "format", json_string(row->format));
	json_object_set_new(o, "enabled", json_boolean(row->enabled));
	json_object_set_new(o, "disabled_reason", row->disabled_reason
							? json_string(row->disabled_reason)
							: json_null());
	json_object_set_new(o, "created_at", reply_time(row->created_at));
	if (secret)
		json_object_set_new(o, "secret", json_string(secret));
	return o;
}

static int hook_row(void *ctx, const store_webhook_row *row)
{
	hook_job *hj = ctx;
	json_t *o = hook_json(row, hj->show_secret ? hj->secret : NULL);

	if (!o)
		return STORE_ERROR;
	if (hj->items)
		return json_array_append_new(hj->items, o) == 0 ? 0 : STORE_ERROR;
	json_decref(hj->api.answer);
	hj->api.answer = o;
	return 0;
}

/* The answer for webhook hj->id. */
static int render_hook(hook_job *hj, store_db *db, int64_t project_id)
{
	if (hj->id <= 0)
		return STORE_NOTFOUND;
	return store_webhook_each(db, project_id, hj->id, hook_row, hj);
}

/* ---- the body of add and patch ---- */

static int refuse(request *rq, const char *message, const char *field)
{
	conn_reply_error(rq->conn, 422, "invalid_request", message, field);
	return -1;
}

static int dup_to(request *rq, char **out, const char *s)
{
	*out = strdup(s);
	if (!*out) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return -1;
	}
	return 0;
}

/* The fields of an add or patch body into hj. 0, or -1 after answering. */
static int read_body(request *rq, hook_job *hj, json_t *doc, int create)
{
	const char *key;
	json_t *v;

	if (!json_is_object(doc))
		return refuse(rq, "the body must be a JSON object", NULL);
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "url") == 0) {
			if (!json_is_string(v) || !ssrf_url_ok(json_string_value(v)))
				return refuse(rq, SSRF_URL_RULE, key);
			if (dup_to(rq, &hj->url, json_string_value(v)) < 0)
				return -1;
		} else if (strcmp(key, "events") == 0) {
			if (!webhook_events_ok(v))
				return refuse(rq, WEBHOOK_EVENTS_RULE, key);
			hj->events = json_dumps(v, JSON_COMPACT);
			if (!hj->events) {
				apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
				return -1;
			}
		} else if (strcmp(key, "format") == 0) {
			if (!json_is_string(v) || !webhook_format_ok(json_string_value(v)))
				return refuse(rq, WEBHOOK_FORMAT_RULE, key);
			if (dup_to(rq, &hj->format, json_string_value(v)) < 0)
				return -1;
		} else if (strcmp(key, "secret") == 0) {
			hj->has_secret = 1;
			if (json_is_null(v))
				continue; /* a new one is made */
			if (!json_is_string(v) || !sign_secret_ok(json_string_value(v)))
				return refuse(rq, SIGN_SECRET_RULE ", or null for a new one", key);
			snprintf(hj->secret, sizeof(hj->secret), "%s", json_string_value(v));
		} else if (strcmp(key, "enabled") == 0 && !create) {
			if (!json_is_boolean(v))
				return refuse(rq, "must be true or false", key);
			hj->enabled = json_is_true(v);
		} else {
			return refuse(rq,
				      create ? "unknown field; known: url, events, secret, format"
					     : "unknown field; known: url, events, secret, format, "
					       "enabled",
				      key);
		}
	}
	if (create && !hj->url)
		return refuse(rq, SSRF_URL_RULE, "url");
	if (create && !hj->events)
		return refuse(rq, WEBHOOK_EVENTS_RULE, "events");
	if (create && !hj->format && dup_to(rq, &hj->format, "standard") < 0)
		return -1;
	/* A secret made here is shown once, in this answer. */
	if ((create || hj->has_secret) && !hj->secret[0]) {
		if (sign_secret_new(hj->secret) < 0) {
			apijob_reply_error(rq->conn, PE_ERROR, "no randomness for a secret", NULL);
			return -1;
		}
		hj->show_secret = 1;
	}
	return 0;
}

/* Parse the body into hj and submit, or answer the refusal. */
static void submit_with_body(request *rq, hook_job *hj, int create)
{
	json_t *doc = NULL;

	if (admin_body(rq, &doc) < 0 || read_body(rq, hj, doc, create) < 0) {
		json_decref(doc);
		hook_free(&hj->api);
		return;
	}
	json_decref(doc);
	apijob_submit(&hj->api, 1);
}

/* ---- the calls ---- */

static int add_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	int rc = store_webhook_add(db, project_id, hj->url, hj->events, hj->secret, hj->format,
				   (int64_t)time(NULL), &hj->id);

	if (rc != STORE_OK)
		return rc;
	j->created = 1;
	return render_hook(hj, db, project_id);
}

void admin_webhooks_add(request *rq)
{
	hook_job *hj = job_new(rq, add_query, 0);

	if (hj)
		submit_with_body(rq, hj, 1);
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;

	hj->items = json_array();
	j->answer = json_pack("{s:o}", "items", hj->items);
	if (!j->answer)
		return STORE_ERROR;
	return store_webhook_each(db, project_id, 0, hook_row, hj);
}

void admin_webhooks_list(request *rq)
{
	hook_job *hj = job_new(rq, list_query, 0);

	if (hj)
		apijob_submit(&hj->api, 0);
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	return render_hook((hook_job *)j, db, project_id);
}

void admin_webhook_get(request *rq)
{
	hook_job *hj = job_new(rq, get_query, 1);

	if (hj)
		apijob_submit(&hj->api, 0);
}

static int patch_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	int rc;

	if (hj->id <= 0)
		return STORE_NOTFOUND;
	rc = store_webhook_update(db, project_id, hj->id, hj->url, hj->events,
				  hj->has_secret ? hj->secret : NULL, hj->format, hj->enabled);
	return rc != STORE_OK ? rc : render_hook(hj, db, project_id);
}

void admin_webhook_patch(request *rq)
{
	hook_job *hj = job_new(rq, patch_query, 1);

	if (hj)
		submit_with_body(rq, hj, 0);
}

static int delete_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	int rc = hj->id > 0 ? store_webhook_remove(db, project_id, hj->id) : STORE_NOTFOUND;

	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:I}", "removed", (json_int_t)hj->id);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void admin_webhook_delete(request *rq)
{
	hook_job *hj = job_new(rq, delete_query, 1);

	if (hj)
		apijob_submit(&hj->api, 1);
}

/* The event is recorded first, then the webhook looked at: a refusal (unknown or disabled
 * webhook) rolls the event back with the job, so it is never sent. */
static int test_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	json_t *data = json_pack("{s:s, s:I}", "message",
				 hj->message[0] ? hj->message : "a test event: this webhook works",
				 "webhook_id", (json_int_t)hj->id);
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	int64_t event = 0;
	int rc = text ? store_outbox_add(db, project_id, "test", text, (int64_t)time(NULL), &event)
		      : STORE_ERROR;
	char id[40];

	free(text);
	json_decref(data);
	if (rc == STORE_OK)
		rc = render_hook(hj, db, project_id);
	if (rc == STORE_OK && !json_is_true(json_object_get(j->answer, "enabled"))) {
		snprintf(j->reason, sizeof(j->reason),
			 "the webhook is disabled: PATCH it with {\"enabled\": true} first");
		j->field = "enabled";
		rc = STORE_CONFLICT;
	}
	if (rc != STORE_OK)
		return rc;
	json_decref(j->answer);
	snprintf(id, sizeof(id), "evt_%" PRId64, event);
	j->answer = json_pack("{s:s}", "event", id);
	j->created = 1;
	return j->answer ? STORE_OK : STORE_ERROR;
}

void admin_webhook_test(request *rq)
{
	hook_job *hj = job_new(rq, test_query, 1);
	json_t *doc = NULL, *m;
	const char *key;
	json_t *v;

	if (!hj)
		return;
	if (rq->body_len > 0) {
		if (admin_body(rq, &doc) < 0)
			goto refused;
		json_object_foreach(doc, key, v)
		{
			if (strcmp(key, "message") != 0) {
				refuse(rq, "unknown field; known: message", key);
				goto refused;
			}
		}
		m = json_object_get(doc, "message");
		if (m && (!json_is_string(m) || json_string_length(m) > TEST_MESSAGE_MAX)) {
			refuse(rq, "a string of at most 500 bytes", "message");
			goto refused;
		}
		if (m)
			snprintf(hj->message, sizeof(hj->message), "%s", json_string_value(m));
		json_decref(doc);
	}
	apijob_submit(&hj->api, 1);
	return;
refused:
	json_decref(doc);
	hook_free(&hj->api);
}

static int delivery_row(void *ctx, const store_delivery_row *row)
{
	hook_job *hj = ctx;
	char ev[40];
	json_t *o;

	snprintf(ev, sizeof(ev), "evt_%" PRId64, row->event_id);
	o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		      (json_int_t)row->id, "event", ev, "type", row->type, "state", row->state,
		      "attempts", (json_int_t)row->attempts, "status",
		      row->last_status >= 0 ? json_integer(row->last_status) : json_null(),
		      "duration_ms",
		      row->last_duration_ms >= 0 ? json_integer(row->last_duration_ms) : json_null(),
		      "error", row->last_error ? json_string(row->last_error) : json_null(),
		      "created_at", reply_time(row->created_at / 1000), "last_at",
		      reply_time(row->last_at / 1000), "next_at",
		      strcmp(row->state, "pending") == 0 ? reply_time(row->next_at / 1000)
							  : json_null());
	if (!o)
		return STORE_ERROR;
	return json_array_append_new(hj->items, o) == 0 ? 0 : STORE_ERROR;
}

static int deliveries_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	int rc = render_hook(hj, db, project_id);

	if (rc != STORE_OK)
		return rc;
	json_decref(j->answer);
	hj->items = json_array();
	j->answer = json_pack("{s:o}", "items", hj->items);
	if (!j->answer)
		return STORE_ERROR;
	return store_webhook_deliveries_each(db, hj->id, hj->limit, delivery_row, hj);
}

void admin_webhook_deliveries(request *rq)
{
	char v[16], *end;
	hook_job *hj;
	long n;

	if (http_query_param(rq->http->query, "limit", v, sizeof(v)) >= 0) {
		n = strtol(v, &end, 10);
		if (*end || n < 1 || n > LOG_LIMIT_MAX) {
			params_refuse(rq, 422, "invalid_parameter", "a count from 1 to 500", "limit");
			return;
		}
	} else {
		n = LOG_LIMIT;
	}
	hj = job_new(rq, deliveries_query, 1);
	if (!hj)
		return;
	hj->limit = (int)n;
	apijob_submit(&hj->api, 0);
}

static int redeliver_query(apijob *j, store_db *db, int64_t project_id)
{
	hook_job *hj = (hook_job *)j;
	struct timespec ts;
	int64_t id = 0, now;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (hj->id <= 0 || hj->delivery_id <= 0)
		return STORE_NOTFOUND;
	rc = store_webhook_redeliver(db, project_id, hj->id, hj->delivery_id, now, &id);
	if (rc == STORE_NOTFOUND)
		j->notfound = "no such delivery";
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:I}", "delivery", (json_int_t)id);
	j->created = id != hj->delivery_id; /* 200: a pending one tried now */
	return j->answer ? STORE_OK : STORE_ERROR;
}

void admin_webhook_redeliver(request *rq)
{
	hook_job *hj = job_new(rq, redeliver_query, 1);
	char *end;

	if (!hj)
		return;
	hj->delivery_id = strtoll(rq->params[2], &end, 10);
	if (*end || rq->params[2][0] == '-' || rq->params[2][0] == '+')
		hj->delivery_id = 0;
	apijob_submit(&hj->api, 1);
}
