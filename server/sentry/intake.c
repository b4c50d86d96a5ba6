/* intake.c - the endpoints Sentry SDKs send to: POST /api/{id}/store/ and /api/{id}/envelope/. */
#include "sentry/intake.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/ingest.h"
#include "config.h"
#include "model/jsonbody.h"
#include "model/report.h"
#include "net/conn.h"
#include "sentry/envelope.h"
#include "sentry/event.h"
#include "sentry/health.h"
#include "sentry/items.h"

/* The numeric project id of the path, or 0. */
static int64_t project_id_of(const char *s)
{
	int64_t v = 0;

	if (!*s || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* sentry_key=KEY out of "Sentry sentry_key=KEY, sentry_version=7, ...". 0, or -1 when absent. */
static int key_from_auth(http_slice v, char *out, size_t outsz)
{
	static const char name[] = "sentry_key=";
	size_t i, n;

	for (i = 0; i + sizeof(name) - 1 <= v.len; i++) {
		if (strncmp(v.p + i, name, sizeof(name) - 1) != 0 ||
		    (i > 0 && v.p[i - 1] != ' ' && v.p[i - 1] != ','))
			continue;
		i += sizeof(name) - 1;
		for (n = 0; i + n < v.len && v.p[i + n] != ',' && v.p[i + n] != ' '; n++)
			;
		if (n == 0 || n >= outsz)
			return -1;
		memcpy(out, v.p + i, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

/* The key of the DSN https://KEY@HOST/ID. 0, or -1. */
static int key_from_dsn(const char *dsn, char *out, size_t outsz)
{
	const char *p = dsn ? strstr(dsn, "://") : NULL;
	size_t n;

	if (!p)
		return -1;
	p += 3;
	n = strcspn(p, ":@/");
	if (p[n] != '@' && p[n] != ':')
		return -1;
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The credentials: X-Sentry-Auth, Authorization: Sentry ..., ?sentry_key=, the envelope's dsn,
 * else what prosum itself reads (X-Prosum-Key, a token). 0, or -1 after answering 401. */
static int sentry_creds(request *rq, const char *dsn, auth_creds *c)
{
	char key[AUTH_MAX_CRED + 1];
	const http_header *h = http_find_header(rq->http, "x-sentry-auth");
	int found = -1;

	if (h)
		found = key_from_auth(h->value, key, sizeof(key));
	if (found < 0 && (h = http_find_header(rq->http, "authorization")) &&
	    h->value.len > 7 && strncmp(h->value.p, "Sentry ", 7) == 0)
		found = key_from_auth(h->value, key, sizeof(key));
	if (found < 0 && http_query_param(rq->http->query, "sentry_key", key, sizeof(key)) > 0)
		found = 0;
	if (found < 0 && dsn)
		found = key_from_dsn(dsn, key, sizeof(key));
	if (found == 0) {
		memset(c, 0, sizeof(*c));
		memcpy(c->key, key, sizeof(key));
		c->has_key = 1;
		c->origin_ok = 1;
		c->unsafe = 1;
		return 0;
	}
	if (rq->creds.has_key || rq->creds.has_token) {
		*c = rq->creds;
		return 0;
	}
	conn_reply_error(rq->conn, 401, NULL,
			 "missing credentials: send X-Sentry-Auth: Sentry sentry_key=KEY, or "
			 "?sentry_key=KEY",
			 "sentry_key");
	return -1;
}

/* What an envelope stores beside its reports, in their transaction: attachments and feedback
 * links (items), then release health and counts (health). */
typedef struct envelope_extra {
	sentry_items *items;
	sentry_health *health;
} envelope_extra;

static int extra_run(store_db *db, int64_t project_id, int64_t report_num, int64_t now, void *ctx)
{
	envelope_extra *x = ctx;
	int rc = STORE_OK;

	(void)report_num;
	if (x->items && sentry_items_any(x->items))
		rc = sentry_items_run(db, project_id, now, x->items);
	if (rc == STORE_OK && x->health)
		rc = sentry_health_apply(db, project_id, x->health, now);
	return rc;
}

static void extra_free(void *ctx)
{
	envelope_extra *x = ctx;

	if (!x)
		return;
	sentry_items_free(x->items);
	sentry_health_free(x->health);
	free(x);
}

static int extra_why(void *ctx, const char **code, const char **message, const char **field)
{
	envelope_extra *x = ctx;

	return x->items ? sentry_items_why(x->items, code, message, field) : 0;
}

/* A random (version 4) event id, for events sent without one. 0 or -1. */
static int random_id(char out[SENTRY_EVENT_ID_LEN + 1])
{
	unsigned char b[16];
	size_t i;

	if (auth_random(b, sizeof(b)) < 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = "0123456789abcdef"[b[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	out[SENTRY_EVENT_ID_LEN] = '\0';
	return 0;
}

/* How one event item is taken. */
enum { AS_EVENT, AS_CRASH, AS_FEEDBACK };

/*
 * Map the event of `len` bytes to a report document in *out (the report parsed, its text
 * malloc'd). An event without event_id takes `absent_id` when given (*used set), else a
 * random one. AS_CRASH: a `bug` becomes a `crash` (its envelope brought a minidump);
 * AS_FEEDBACK: a `feedback` event, made a feedback report about linked ("" when it names
 * no event). 0, or -1 after answering.
 */
static int map_event(request *rq, const char *json, size_t len, int as, const char *absent_id,
		     int *used, ingest_doc *out, char eid[SENTRY_EVENT_ID_LEN + 1],
		     char linked[SENTRY_UUID_LEN + 1])
{
	char msg[256], field[64], fresh[SENTRY_EVENT_ID_LEN + 1];
	jsonbody_error jerr;
	report_error rerr;
	json_t *ev, *doc, *id;

	ev = jsonbody_parse(json, len, &jerr);
	if (!ev) {
		conn_reply_error(rq->conn, jerr.status, jerr.status == 500 ? NULL : "invalid_json",
				 jerr.message, jerr.field);
		return -1;
	}
	id = json_is_object(ev) ? json_object_get(ev, "event_id") : NULL;
	if (json_is_object(ev) && (!id || json_is_null(id))) {
		if (absent_id && used)
			*used = 1;
		else if (random_id(fresh) == 0)
			absent_id = fresh;
		if (absent_id)
			json_object_set_new(ev, "event_id", json_string(absent_id));
	}
	if (sentry_event_map(ev, rq->rlim->max_frames, &doc, eid, msg, sizeof(msg), field,
			     sizeof(field)) < 0) {
		json_decref(ev);
		conn_reply_error(rq->conn, 422, "invalid_event", msg, field);
		return -1;
	}
	if (as == AS_FEEDBACK)
		sentry_feedback_from_event(doc, ev, linked);
	else if (as == AS_CRASH &&
		 strcmp(json_string_value(json_object_get(doc, "kind")), "bug") == 0)
		json_object_set_new(doc, "kind", json_string("crash"));
	json_decref(ev);
	out->text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!out->text) {
		conn_reply_error(rq->conn, 500, NULL, "out of memory", NULL);
		return -1;
	}
	if (report_parse(&out->rep, out->text, strlen(out->text), rq->rlim, &rerr) < 0) {
		free(out->text);
		out->text = NULL;
		conn_reply_error(rq->conn, rerr.status, rerr.code, rerr.message, rerr.field);
		return -1;
	}
	return 0;
}

/* A user_report item as a feedback report in *out, about the event of `linked`. 0, or -1
 * after answering. */
static int map_user_report(request *rq, const char *json, size_t len, const json_t *env_headers,
			   ingest_doc *out, char linked[SENTRY_UUID_LEN + 1])
{
	char msg[256], field[64];
	jsonbody_error jerr;
	report_error rerr;
	json_t *ur, *doc;
	int rc;

	ur = jsonbody_parse(json, len, &jerr);
	if (!ur) {
		conn_reply_error(rq->conn, jerr.status, jerr.status == 500 ? NULL : "invalid_json",
				 jerr.message, jerr.field);
		return -1;
	}
	rc = sentry_feedback_from_user_report(ur, env_headers, &doc, linked, msg, sizeof(msg),
					      field, sizeof(field));
	json_decref(ur);
	if (rc < 0) {
		conn_reply_error(rq->conn, 422, "invalid_feedback", msg, field);
		return -1;
	}
	out->text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!out->text) {
		conn_reply_error(rq->conn, 500, NULL, "out of memory", NULL);
		return -1;
	}
	if (report_parse(&out->rep, out->text, strlen(out->text), rq->rlim, &rerr) < 0) {
		free(out->text);
		out->text = NULL;
		conn_reply_error(rq->conn, rerr.status, rerr.code, rerr.message, rerr.field);
		return -1;
	}
	return 0;
}

void sentry_intake_store(request *rq)
{
	int64_t id = project_id_of(rq->params[0]);
	char eid[SENTRY_EVENT_ID_LEN + 1], uuid[SENTRY_UUID_LEN + 1];
	envelope_extra *x;
	ingest_extra extra = {0};
	auth_creds c;
	ingest_doc d;

	memset(&d, 0, sizeof(d));
	if (id <= 0) {
		conn_reply_error(rq->conn, 404, "not_found", "no such project: the DSN ends in its "
				 "numeric id", "project");
		return;
	}
	if (sentry_creds(rq, NULL, &c) < 0)
		return;
	if (map_event(rq, rq->body, rq->body_len, AS_EVENT, NULL, NULL, &d, eid, NULL) < 0)
		return;
	/* Attachments sent before the event (in an envelope) wait for it: claimed here too. */
	x = calloc(1, sizeof(*x));
	if (x)
		x->items = sentry_items_new(rq->attach_dir);
	if (!x || !x->items) {
		conn_reply_error(rq->conn, 500, NULL, "out of memory", NULL);
		goto refused;
	}
	if (c.has_key && conn_rate_key(rq->conn, c.key) < 0)
		goto refused;
	sentry_id_uuid(eid, uuid);
	sentry_items_event(x->items, uuid);
	extra.run = extra_run;
	extra.free = extra_free;
	extra.why = extra_why;
	extra.ctx = x;
	ingest_mapped(rq, &d.rep, d.text, id, &c, eid, &extra);
	return;
refused:
	extra_free(x);
	report_free(&d.rep);
	free(d.text);
}

/* Does the envelope hold a minidump? */
static int has_minidump(const sentry_envelope *env)
{
	size_t i;

	for (i = 0; i < env->nitems; i++)
		if (strcmp(env->items[i].type, "attachment") == 0 &&
		    json_is_string(json_object_get(env->items[i].headers, "attachment_type")) &&
		    strcmp(json_string_value(json_object_get(env->items[i].headers,
							     "attachment_type")),
			   "event.minidump") == 0)
			return 1;
	return 0;
}

/*
 * The reports of the envelope's event, feedback and user_report items into docs (*n of
 * them), and what goes with them into x->items; first: the first event's id. 0, or -1 after
 * answering.
 */
static int take_items(request *rq, const sentry_envelope *env, const char *header_id,
		      ingest_doc *docs, size_t *n, envelope_extra *x,
		      char first[SENTRY_EVENT_ID_LEN + 1])
{
	char eid[SENTRY_EVENT_ID_LEN + 1], uuid[SENTRY_UUID_LEN + 1], linked[SENTRY_UUID_LEN + 1];
	int used = 0, minidump = has_minidump(env), as;
	size_t i;

	first[0] = '\0';
	for (i = 0; i < env->nitems; i++) {
		const sentry_item *it = &env->items[i];

		linked[0] = '\0';
		if (strcmp(it->type, "event") == 0 || strcmp(it->type, "feedback") == 0) {
			as = it->type[0] == 'f' ? AS_FEEDBACK
			     : minidump && !first[0] ? AS_CRASH
						     : AS_EVENT;
			if (map_event(rq, it->payload, it->len, as, used ? NULL : header_id, &used,
				      &docs[*n], eid, linked) < 0)
				return -1;
			sentry_id_uuid(eid, uuid);
			if (as == AS_FEEDBACK) {
				sentry_items_feedback(x->items, uuid, linked);
			} else {
				sentry_items_event(x->items, uuid);
				if (!first[0])
					memcpy(first, eid, sizeof(eid));
			}
		} else if (strcmp(it->type, "user_report") == 0) {
			if (map_user_report(rq, it->payload, it->len, env->headers, &docs[*n],
					    linked) < 0)
				return -1;
			sentry_items_feedback(x->items, docs[*n].rep.uuid, linked);
		} else {
			continue;
		}
		(*n)++;
	}
	return 0;
}

/* The attachments, of the envelope's event: the header's event_id, else its first event.
 * 0, or -1 after answering. */
static int take_attachments(request *rq, const sentry_envelope *env, const char *target,
			    envelope_extra *x)
{
	char uuid[SENTRY_UUID_LEN + 1];
	sentry_attachment a;
	size_t i, n = 0;

	for (i = 0; i < env->nitems; i++)
		n += strcmp(env->items[i].type, "attachment") == 0;
	/* Without an event to belong to, an attachment is skipped, like unknown items. */
	if (n == 0 || !target[0])
		return 0;
	if (n > PROSUM_MAX_ATTACHMENTS) {
		conn_reply_error(rq->conn, 413, "too_many_attachments",
				 "at most 16 attachments per report", "attachments");
		return -1;
	}
	sentry_id_uuid(target, uuid);
	for (i = 0; i < env->nitems; i++) {
		if (strcmp(env->items[i].type, "attachment") != 0)
			continue;
		sentry_attachment_read(&env->items[i], &a);
		sentry_items_attachment(x->items, uuid, &a);
	}
	return 0;
}

void sentry_intake_envelope(request *rq)
{
	int64_t id = project_id_of(rq->params[0]);
	char err[256], header_id[SENTRY_EVENT_ID_LEN + 1], first[SENTRY_EVENT_ID_LEN + 1];
	const char *answer;
	sentry_envelope env;
	ingest_doc *docs = NULL;
	envelope_extra *x = NULL;
	ingest_extra extra = {0};
	size_t i, n = 0;
	auth_creds c;
	json_t *ans;

	memset(&env, 0, sizeof(env));
	if (id <= 0) {
		conn_reply_error(rq->conn, 404, "not_found", "no such project: the DSN ends in its "
				 "numeric id", "project");
		return;
	}
	/* Items are bounded below, by their type: an oversize item is 413, not malformed. */
	if (sentry_envelope_parse(&env, rq->body, rq->body_len, rq->body_len, err, sizeof(err)) <
	    0) {
		conn_reply_error(rq->conn, 400, "invalid_envelope", err, "envelope");
		sentry_envelope_free(&env);
		return;
	}
	if (sentry_creds(rq, json_string_value(json_object_get(env.headers, "dsn")), &c) < 0)
		goto out;
	if (sentry_items_check_sizes(&env, rq->rlim->max_json, PROSUM_MAX_ATTACHMENT, err,
				     sizeof(err)) < 0) {
		conn_reply_error(rq->conn, 413, "too_large", err, "envelope");
		goto out;
	}
	if (sentry_id_norm(json_string_value(json_object_get(env.headers, "event_id")),
			   header_id) < 0)
		header_id[0] = '\0';
	x = calloc(1, sizeof(*x));
	docs = calloc(env.nitems ? env.nitems : 1, sizeof(*docs));
	if (!x || !docs || !(x->items = sentry_items_new(rq->attach_dir))) {
		conn_reply_error(rq->conn, 500, NULL, "out of memory", NULL);
		goto out;
	}
	if (take_items(rq, &env, header_id[0] ? header_id : NULL, docs, &n, x, first) < 0 ||
	    take_attachments(rq, &env, header_id[0] ? header_id : first, x) < 0)
		goto out;
	x->health = sentry_health_parse(&env);
	if (c.has_key)
		sentry_health_set_key(x->health, c.key);
	answer = header_id[0] ? header_id : first[0] ? first : NULL;
	if (n == 0 && !sentry_items_any(x->items) && !x->health) {
		/* Transactions and the like alone: nothing to keep. */
		ans = answer ? json_pack("{s:s}", "id", answer) : json_object();
		conn_reply_json(rq->conn, 200, ans);
		json_decref(ans);
		goto out;
	}
	if (c.has_key && conn_rate_key(rq->conn, c.key) < 0)
		goto out;
	extra.run = extra_run;
	extra.free = extra_free;
	extra.why = extra_why;
	extra.ctx = x;
	ingest_mapped_many(rq, docs, n, id, &c, answer, &extra);
	x = NULL;
	docs = NULL;
out:
	for (i = 0; docs && i < n; i++) {
		report_free(&docs[i].rep);
		free(docs[i].text);
	}
	free(docs);
	extra_free(x);
	sentry_envelope_free(&env);
}
