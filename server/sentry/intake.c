/* intake.c - the endpoints Sentry SDKs send to: POST /api/{id}/store/ and /api/{id}/envelope/. */
#include "sentry/intake.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ingest.h"
#include "model/jsonbody.h"
#include "model/report.h"
#include "net/conn.h"
#include "sentry/envelope.h"
#include "sentry/event.h"
#include "sentry/health.h"

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

static int health_run(store_db *db, int64_t project_id, int64_t report_num, int64_t now, void *ctx)
{
	(void)report_num;
	return sentry_health_apply(db, project_id, ctx, now);
}

static void health_free(void *ctx)
{
	sentry_health_free(ctx);
}

/* Map one event of `len` bytes and hand it to the ingest path, with `extra` (whose ctx this
 * takes: freed here when the event is refused). */
static void take_event(request *rq, const char *json, size_t len, int64_t id, const auth_creds *c,
		       const ingest_extra *extra)
{
	char eid[SENTRY_EVENT_ID_LEN + 1], msg[256], field[64], *text;
	jsonbody_error jerr;
	report_error rerr;
	report rep;
	json_t *ev, *doc;
	ingest_extra drop = {NULL, NULL, NULL};

	if (extra && extra->free)
		drop = *extra;
	ev = jsonbody_parse(json, len, &jerr);
	if (!ev) {
		conn_reply_error(rq->conn, jerr.status, jerr.status == 500 ? NULL : "invalid_json",
				 jerr.message, jerr.field);
		goto refused;
	}
	if (sentry_event_map(ev, rq->rlim->max_frames, &doc, eid, msg, sizeof(msg), field,
			     sizeof(field)) < 0) {
		json_decref(ev);
		conn_reply_error(rq->conn, 422, "invalid_event", msg, field);
		goto refused;
	}
	json_decref(ev);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text) {
		conn_reply_error(rq->conn, 500, NULL, "out of memory", NULL);
		goto refused;
	}
	if (report_parse(&rep, text, strlen(text), rq->rlim, &rerr) < 0) {
		free(text);
		conn_reply_error(rq->conn, rerr.status, rerr.code, rerr.message, rerr.field);
		goto refused;
	}
	if (c->has_key && conn_rate_key(rq->conn, c->key) < 0) {
		report_free(&rep);
		free(text);
		goto refused;
	}
	ingest_mapped(rq, &rep, text, id, c, eid, extra);
	return;
refused:
	if (drop.free)
		drop.free(drop.ctx);
}

void sentry_intake_store(request *rq)
{
	int64_t id = project_id_of(rq->params[0]);
	auth_creds c;

	if (id <= 0) {
		conn_reply_error(rq->conn, 404, "not_found", "no such project: the DSN ends in its "
				 "numeric id", "project");
		return;
	}
	if (sentry_creds(rq, NULL, &c) < 0)
		return;
	take_event(rq, rq->body, rq->body_len, id, &c, NULL);
}

void sentry_intake_envelope(request *rq)
{
	int64_t id = project_id_of(rq->params[0]);
	sentry_envelope env;
	char err[256];
	size_t i;
	auth_creds c;
	json_t *ans;
	sentry_health *health;
	ingest_extra extra = {NULL, NULL, NULL};
	const char *eid;

	memset(&env, 0, sizeof(env));
	if (id <= 0) {
		conn_reply_error(rq->conn, 404, "not_found", "no such project: the DSN ends in its "
				 "numeric id", "project");
		return;
	}
	if (sentry_envelope_parse(&env, rq->body, rq->body_len, rq->rlim->max_json, err,
				  sizeof(err)) < 0) {
		conn_reply_error(rq->conn, 400, "invalid_envelope", err, "envelope");
		sentry_envelope_free(&env);
		return;
	}
	if (sentry_creds(rq, json_string_value(json_object_get(env.headers, "dsn")), &c) < 0)
		goto out;
	health = sentry_health_parse(&env);
	if (health) {
		extra.run = health_run;
		extra.free = health_free;
		extra.ctx = health;
	}
	for (i = 0; i < env.nitems; i++) {
		if (strcmp(env.items[i].type, "event") == 0) {
			/* One event per envelope (Sentry's rule); the rest is skipped for now. */
			take_event(rq, env.items[i].payload, env.items[i].len, id, &c,
				   health ? &extra : NULL);
			goto out;
		}
	}
	eid = json_string_value(json_object_get(env.headers, "event_id"));
	if (health) {
		if (c.has_key && conn_rate_key(rq->conn, c.key) < 0)
			sentry_health_free(health);
		else
			ingest_mapped(rq, NULL, NULL, id, &c, eid, &extra);
		goto out;
	}
	/* Transactions, attachments and the like alone: nothing to keep. */
	ans = eid ? json_pack("{s:s}", "id", eid) : json_object();
	conn_reply_json(rq->conn, 200, ans);
	json_decref(ans);
out:
	sentry_envelope_free(&env);
}
