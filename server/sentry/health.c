/* health.c - the envelope items kept for release health and intake counts: sessions, client reports, dropped items. */
#include "sentry/health.h"

#include <stdlib.h>
#include <string.h>

#include "common/rfc3339.h"
#include "model/jsonbody.h"
#include "sentry/event.h"
#include "sentry/useragent.h"
#include "store/store_cohorts.h"
#include "store/store_health.h"

#define RELEASE_MAX 200 /* Sentry's limits on release and environment names */
#define ENV_MAX 64
#define DID_MAX 128
#define COUNTS_MAX 64
#define DISCARDS_MAX 64
#define DRIFT_MIN (55 * 60) /* Relay's: a client clock off by more is corrected by sent_at */
#define FUTURE_MAX STORE_HEALTH_DAY

/* One session update, checked. */
typedef struct h_update {
	char sid[33], did[DID_MAX + 1], release[RELEASE_MAX + 1], env[ENV_MAX + 1];
	char revision[RELEASE_MAX + 1]; /* read out of release, "" when it names none */
	const char *platform;           /* of attrs.user_agent (static), "" unknown */
	int64_t started, timestamp; /* timestamp 0: not sent (the time it arrives) */
	int status, errored;
	int64_t duration_ms; /* < 0: not sent */
} h_update;

/* The attributes of one `sessions` item, shared by its buckets. */
typedef struct h_attrs {
	char release[RELEASE_MAX + 1], env[ENV_MAX + 1], revision[RELEASE_MAX + 1];
	const char *platform; /* of attrs.user_agent (static), "" unknown */
} h_attrs;

typedef struct h_bucket {
	size_t attrs; /* index into attrs */
	char did[DID_MAX + 1];
	int64_t started, exited, errored, abnormal, crashed;
} h_bucket;

typedef struct h_count {
	const char *a, *b; /* type and outcome, or reason and category: static strings */
	int64_t quantity;
} h_count;

struct sentry_health {
	int64_t sent_at; /* the envelope's sent_at, 0 when absent */
	char key[128];   /* the ingest key it came with, "" when none */
	h_update *updates;
	size_t nupdates;
	h_attrs *attrs;
	size_t nattrs;
	h_bucket *buckets;
	size_t nbuckets, capbuckets;
	h_count counts[COUNTS_MAX];
	size_t ncounts;
	h_count discards[DISCARDS_MAX];
	size_t ndiscards;
};

/* Item types prosum accepts and does not store: counted as dropped under their name. */
static const char *const not_stored[] = {
	"transaction", "profile", "profile_chunk", "replay_event", "replay_recording",
	"replay_video", "check_in", "span", "log", "otel_log", "statsd", "metric_buckets",
	"metric_meta", "otel_span", "otel_traces_data", "trace_metric", "security",
	"raw_security", "nel", "unreal_report", "form_data", NULL};
/* Item types other code stores: not counted here. */
static const char *const stored_elsewhere[] = {"event", "attachment", "user_report", "feedback",
					      NULL};
/* Sentry's client report reasons and data categories; anything else is "other". */
static const char *const reasons[] = {
	"queue_overflow", "cache_overflow", "buffer_overflow", "ratelimit_backoff",
	"network_error", "sample_rate", "before_send", "event_processor", "send_error",
	"internal_sdk_error", "insufficient_data", "backpressure", "invalid", "too_large",
	NULL};
static const char *const categories[] = {
	"default", "error", "transaction", "security", "attachment", "session", "profile",
	"profile_chunk", "replay", "internal", "span", "monitor", "feedback", "metric_bucket",
	"log_item", "log_byte", "user_report_v2", "statsd", "span_indexed",
	"transaction_indexed", NULL};
static const char *const status_names[] = {"ok", "errored", "exited", "crashed", "abnormal",
					   NULL};

/* The list's own copy of s, else `other` (NULL when other is NULL). */
static const char *known(const char *const *list, const char *s, const char *other)
{
	size_t i;

	for (i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return list[i];
	return other;
}

static void add_to(h_count *arr, size_t *n, size_t max, const char *a, const char *b, int64_t q)
{
	size_t i;

	if (q <= 0)
		return;
	for (i = 0; i < *n; i++) {
		if (strcmp(arr[i].a, a) == 0 && strcmp(arr[i].b, b) == 0) {
			arr[i].quantity += q;
			return;
		}
	}
	if (*n < max) {
		arr[*n].a = a;
		arr[*n].b = b;
		arr[*n].quantity = q;
		(*n)++;
	}
}

static void count(sentry_health *h, const char *type, const char *outcome, int64_t q)
{
	add_to(h->counts, &h->ncounts, COUNTS_MAX, type, outcome, q);
}

/* A string member of at most max bytes, no control characters: 1 and copied into out; 0 when
 * absent or null (out ""); -1 when anything else. */
static int take_str(const json_t *o, const char *name, char *out, size_t max)
{
	const json_t *v = json_object_get(o, name);
	const char *s = json_string_value(v);
	size_t i, n;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!s)
		return -1;
	n = json_string_length(v);
	if (n > max)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return n > 0;
}

/* A time: RFC 3339 text or seconds since the epoch. 0, or -1. */
static int take_time(const json_t *v, int64_t *out)
{
	double d;

	if (json_is_string(v))
		return rfc3339_parse(json_string_value(v), out);
	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!(d > 0 && d < 1e11))
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* A count: a non-negative integer below 2^40, 0 when absent. 0, or -1. */
static int take_count(const json_t *o, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(o, name);

	*out = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) >= ((json_int_t)1 << 40))
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/* A session id: a UUID with or without dashes, as 32 lowercase hex digits. 0, or -1. */
static int take_sid(const json_t *o, char out[33])
{
	const char *s = json_string_value(json_object_get(o, "sid"));
	size_t n = 0;

	if (!s || strlen(s) > 36)
		return -1;
	for (; *s; s++) {
		char c = *s;

		if (c == '-')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 32)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == 32 ? 0 : -1;
}

/* The release and environment of attrs: 0, or -1 (a release is required, as Sentry's). */
static int take_attrs(const json_t *o, char release[RELEASE_MAX + 1], char env[ENV_MAX + 1])
{
	const json_t *attrs = json_object_get(o, "attrs");

	if (!json_is_object(attrs) || take_str(attrs, "release", release, RELEASE_MAX) != 1)
		return -1;
	return take_str(attrs, "environment", env, ENV_MAX) < 0 ? -1 : 0;
}

/* The platform attrs.user_agent names, "" when none (a user agent that is not a string is
 * ignored: the session still counts). */
static const char *take_platform(const json_t *o)
{
	return useragent_platform(
	    json_string_value(json_object_get(json_object_get(o, "attrs"), "user_agent")));
}

/* The did of o, if any: ignored when not a short string (the session still counts). */
static void take_did(const json_t *o, char out[DID_MAX + 1])
{
	if (take_str(o, "did", out, DID_MAX) < 0)
		out[0] = '\0';
}

static int parse_update(const json_t *o, h_update *u)
{
	const json_t *v;
	const char *st;
	int64_t errors;

	memset(u, 0, sizeof(*u));
	if (take_sid(o, u->sid) < 0 || take_attrs(o, u->release, u->env) < 0)
		return -1;
	sentry_release_revision(u->release, u->revision, sizeof(u->revision));
	u->platform = take_platform(o);
	take_did(o, u->did);
	if (take_time(json_object_get(o, "started"), &u->started) < 0)
		return -1;
	v = json_object_get(o, "timestamp");
	if (v && take_time(v, &u->timestamp) < 0)
		return -1;
	v = json_object_get(o, "status");
	st = v ? json_string_value(v) : "ok";
	if (!st || !known(status_names, st, NULL))
		return -1;
	for (u->status = 0; strcmp(status_names[u->status], st) != 0; u->status++)
		;
	if (take_count(o, "errors", &errors) < 0)
		return -1;
	u->errored = errors > 0;
	v = json_object_get(o, "duration");
	u->duration_ms = -1;
	if (v) {
		if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
		    json_number_value(v) > 1e9)
			return -1;
		u->duration_ms = (int64_t)(json_number_value(v) * 1000.0 + 0.5);
	}
	v = json_object_get(o, "init");
	if (v && !json_is_boolean(v))
		return -1;
	return 0;
}

static int push_bucket(sentry_health *h, const h_bucket *b)
{
	if (h->nbuckets == h->capbuckets) {
		size_t cap = h->capbuckets ? h->capbuckets * 2 : 8;
		h_bucket *n = realloc(h->buckets, cap * sizeof(*n));

		if (!n)
			return -1;
		h->buckets = n;
		h->capbuckets = cap;
	}
	h->buckets[h->nbuckets++] = *b;
	return 0;
}

static void parse_aggregates(sentry_health *h, const json_t *o)
{
	const json_t *list = json_object_get(o, "aggregates"), *a;
	h_attrs *at = &h->attrs[h->nattrs];
	h_bucket b;
	size_t i;

	if (!json_is_array(list) || take_attrs(o, at->release, at->env) < 0) {
		count(h, "sessions", "invalid", 1);
		return;
	}
	sentry_release_revision(at->release, at->revision, sizeof(at->revision));
	at->platform = take_platform(o);
	h->nattrs++;
	json_array_foreach(list, i, a)
	{
		memset(&b, 0, sizeof(b));
		b.attrs = h->nattrs - 1;
		if (!json_is_object(a) || take_time(json_object_get(a, "started"), &b.started) < 0 ||
		    take_count(a, "exited", &b.exited) < 0 ||
		    take_count(a, "errored", &b.errored) < 0 ||
		    take_count(a, "abnormal", &b.abnormal) < 0 ||
		    take_count(a, "crashed", &b.crashed) < 0 ||
		    h->nbuckets >= SENTRY_HEALTH_BUCKETS_MAX) {
			count(h, "sessions", "invalid", 1);
			continue;
		}
		take_did(a, b.did);
		if (push_bucket(h, &b) < 0)
			count(h, "sessions", "invalid", 1);
	}
}

static void parse_client_report(sentry_health *h, const json_t *o)
{
	const json_t *list = json_object_get(o, "discarded_events"), *d;
	const char *reason, *category;
	int64_t q;
	size_t i;

	if (!json_is_array(list)) {
		count(h, "client_report", "invalid", 1);
		return;
	}
	count(h, "client_report", "accepted", 1);
	json_array_foreach(list, i, d)
	{
		reason = json_string_value(json_object_get(d, "reason"));
		category = json_string_value(json_object_get(d, "category"));
		/* An entry without a reason, a category or a count says nothing: left out. */
		if (!reason || !category || take_count(d, "quantity", &q) < 0)
			continue;
		add_to(h->discards, &h->ndiscards, DISCARDS_MAX, known(reasons, reason, "other"),
		       known(categories, category, "other"), q);
	}
}

/* One health item, parsed into h; a malformed one is counted. */
static void parse_item(sentry_health *h, const sentry_item *it)
{
	jsonbody_error jerr;
	json_t *o = jsonbody_parse(it->payload, it->len, &jerr);
	const char *type = strcmp(it->type, "session") == 0    ? "session"
			   : strcmp(it->type, "sessions") == 0 ? "sessions"
							       : "client_report";

	if (!o) {
		count(h, type, "invalid", 1);
		return;
	}
	if (strcmp(type, "client_report") == 0)
		parse_client_report(h, o);
	else if (strcmp(type, "sessions") == 0)
		parse_aggregates(h, o);
	else if (parse_update(o, &h->updates[h->nupdates]) < 0)
		count(h, "session", "invalid", 1);
	else
		h->nupdates++;
	json_decref(o);
}

sentry_health *sentry_health_parse(const sentry_envelope *env)
{
	sentry_health *h = NULL;
	const char *type;
	size_t i, n = 0;

	for (i = 0; i < env->nitems; i++)
		if (!known(stored_elsewhere, env->items[i].type, NULL))
			n++;
	if (n == 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->updates = calloc(n, sizeof(*h->updates));
	h->attrs = calloc(n, sizeof(*h->attrs));
	if (!h->updates || !h->attrs) {
		sentry_health_free(h);
		return NULL;
	}
	take_time(json_object_get(env->headers, "sent_at"), &h->sent_at);
	for (i = 0; i < env->nitems; i++) {
		const sentry_item *it = &env->items[i];

		type = it->type;
		if (known(stored_elsewhere, type, NULL))
			continue;
		if (strcmp(type, "session") == 0 || strcmp(type, "sessions") == 0 ||
		    strcmp(type, "client_report") == 0)
			parse_item(h, it);
		else
			count(h, known(not_stored, type, "other"), "not_stored", 1);
	}
	return h;
}

/* Where a time falls: 0 in the window, else the outcome that ignores it. */
static const char *window(int64_t t, int64_t now)
{
	if (t > now + FUTURE_MAX)
		return "in_future";
	if (t < now - STORE_HEALTH_KEEP)
		return "too_old";
	return NULL;
}

int sentry_health_apply(store_db *db, int64_t project_id, const sentry_health *h, int64_t now)
{
	h_count counts[COUNTS_MAX + 8];
	size_t i, ncounts = h->ncounts;
	int64_t drift = 0, ts;
	const char *why;
	char cohort[STORE_COHORT_MAX + 1];
	int rc = STORE_OK, outcome;

	memcpy(counts, h->counts, h->ncounts * sizeof(counts[0]));
	/* A client whose clock is off (by more than Relay tolerates) says so through sent_at. */
	if (h->sent_at && llabs(now - h->sent_at) > DRIFT_MIN)
		drift = now - h->sent_at;
	for (i = 0; rc == STORE_OK && i < h->nupdates; i++) {
		const h_update *u = &h->updates[i];
		store_health_update su;

		ts = u->timestamp ? u->timestamp + drift : now;
		why = window(u->started + drift, now);
		if (!why)
			why = window(ts, now);
		if (!why && u->started + drift > ts)
			why = "invalid"; /* a session cannot start after its update */
		if (why) {
			add_to(counts, &ncounts, COUNTS_MAX + 8, "session", why, 1);
			continue;
		}
		su.sid = u->sid;
		su.release = u->release;
		su.environment = u->env;
		su.revision = u->revision;
		rc = store_cohort_resolve(db, project_id, h->key, u->env, u->did, cohort);
		if (rc != STORE_OK)
			break;
		su.cohort = cohort;
		su.did = u->did;
		su.platform = u->platform;
		su.started = u->started + drift;
		su.status = u->status;
		su.errored = u->errored;
		su.duration_ms = u->duration_ms;
		rc = store_health_session(db, project_id, &su, now, &outcome);
		add_to(counts, &ncounts, COUNTS_MAX + 8, "session",
		       outcome == HEALTH_AFTER_END ? "after_end" : "accepted", 1);
	}
	for (i = 0; rc == STORE_OK && i < h->nbuckets; i++) {
		const h_bucket *b = &h->buckets[i];
		store_health_bucket sb;

		why = window(b->started + drift, now);
		add_to(counts, &ncounts, COUNTS_MAX + 8, "sessions", why ? why : "accepted", 1);
		if (why)
			continue;
		sb.release = h->attrs[b->attrs].release;
		sb.environment = h->attrs[b->attrs].env;
		sb.revision = h->attrs[b->attrs].revision;
		rc = store_cohort_resolve(db, project_id, h->key, sb.environment, b->did, cohort);
		if (rc != STORE_OK)
			break;
		sb.cohort = cohort;
		sb.did = b->did;
		sb.platform = h->attrs[b->attrs].platform;
		sb.started = b->started + drift;
		sb.exited = b->exited;
		sb.errored = b->errored;
		sb.abnormal = b->abnormal;
		sb.crashed = b->crashed;
		rc = store_health_bucket_add(db, project_id, &sb);
	}
	for (i = 0; rc == STORE_OK && i < ncounts; i++)
		rc = store_intake_count(db, project_id, now, counts[i].a, counts[i].b,
					counts[i].quantity);
	for (i = 0; rc == STORE_OK && i < h->ndiscards; i++)
		rc = store_client_discard(db, project_id, now, h->discards[i].a, h->discards[i].b,
					  h->discards[i].quantity);
	return rc;
}

void sentry_health_set_key(sentry_health *h, const char *key)
{
	if (h && key && strlen(key) < sizeof(h->key))
		memcpy(h->key, key, strlen(key) + 1);
}

void sentry_health_free(sentry_health *h)
{
	if (!h)
		return;
	free(h->updates);
	free(h->attrs);
	free(h->buckets);
	free(h);
}
