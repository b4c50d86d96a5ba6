/* health_ingest.c - sessions and ratings testers' builds send (libprosum), and the admin's tester cohorts. */
#include "api/health_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/tester.h"
#include "common/rfc3339.h"
#include "net/conn.h"
#include "store/store_cohorts.h"
#include "store/store_health.h"

#define RELEASE_MAX 200 /* as Sentry's sessions */
#define REVISION_MAX 127
#define CHANNEL_MAX 64
#define PLATFORM_MAX 64
#define INSTALL_MAX 128
#define COHORTS_MAX 256 /* names set by one PATCH */

static const char *const status_names[] = {"ok", "errored", "exited", "crashed", "abnormal"};

/* One name -> cohort of a PATCH, borrowed from the body. */
typedef struct cohort_set {
	int what;
	const char *name, *cohort;
} cohort_set;

typedef struct hi_job {
	apijob api; /* first */
	json_t *doc;
	char key[AUTH_MAX_CRED + 1]; /* the ingest key sent, "" when none */
	/* a session */
	char sid[33];
	const char *install, *release, *revision, *channel, *comment, *cohort, *platform;
	int64_t started, duration_ms, errors;
	int status, rating;
	/* cohorts */
	cohort_set sets[COHORTS_MAX];
	size_t nsets;
	char field[160]; /* the field a refusal names */
} hi_job;

static void hi_release(apijob *j)
{
	hi_job *h = (hi_job *)j;

	json_decref(h->doc);
	apijob_dispose(j);
	free(h);
}

/* A job for this request, or NULL after answering. */
static hi_job *job_new(request *rq, int need, apijob_query query)
{
	hi_job *h;

	if (need == AUTH_INGEST && rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&h->api, rq, need, query, "no such project", hi_release) < 0) {
		free(h);
		return NULL;
	}
	if (rq->creds.has_key)
		memcpy(h->key, rq->creds.key, sizeof(h->key));
	return h;
}

/* A session id: a UUID with or without dashes, as 32 lowercase hex digits. 0, or -1. */
static int sid_norm(const char *s, char out[33])
{
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

/* A required string of 1..max bytes (params_opt_string's rules). 0, or -1 after answering. */
static int need_string(request *rq, json_t *doc, const char *key, size_t max, const char **out)
{
	char msg[96];

	if (params_opt_string(rq, doc, key, key, max, out) < 0)
		return -1;
	if (*out && (*out)[0])
		return 0;
	snprintf(msg, sizeof(msg), "is required: text of 1 to %zu bytes", max);
	return params_refuse(rq, 422, "invalid_request", msg, key);
}

/* ---- sessions ---- */

static int session_query(apijob *j, store_db *db, int64_t project_id)
{
	hi_job *h = (hi_job *)j;
	int64_t now = (int64_t)time(NULL);
	char cohort[STORE_COHORT_MAX + 1] = "";
	const char *outcome = "accepted";
	store_health_update u;
	int rc, applied = HEALTH_APPLIED;

	/* The window of Sentry's sessions: a late update is ignored (and counted), not refused,
	 * so a client offline for a week does not retry it for ever. */
	if (h->started < now - STORE_HEALTH_KEEP) {
		outcome = "too_old";
	} else if (h->started > now + STORE_HEALTH_DAY) {
		outcome = "in_future";
	} else {
		rc = store_cohort_resolve(db, project_id, h->key, h->channel, h->install, cohort);
		if (rc != STORE_OK)
			return rc;
		memset(&u, 0, sizeof(u));
		u.sid = h->sid;
		u.release = h->release;
		u.revision = h->revision;
		u.environment = h->channel ? h->channel : "";
		u.cohort = cohort;
		u.did = h->install;
		u.platform = h->platform;
		u.started = h->started;
		u.status = h->status;
		u.errored = h->errors > 0;
		u.duration_ms = h->duration_ms;
		rc = store_health_session(db, project_id, &u, now, &applied);
		if (rc != STORE_OK)
			return rc;
		if (applied == HEALTH_AFTER_END)
			outcome = "after_end";
	}
	rc = store_intake_count(db, project_id, now, "prosum_session", outcome, 1);
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:s,s:s}", "sid", h->sid, "outcome", outcome);
	if (j->answer && strcmp(outcome, "accepted") == 0)
		json_object_set_new(j->answer, "cohort", json_string(cohort));
	return j->answer ? STORE_OK : STORE_ERROR;
}

/* "platform": the OS the session runs on ("Linux", "macOS" ...), printable text of at most
 * PLATFORM_MAX bytes, absent, null or "" when unknown. 0, or -1 after answering. */
static int take_platform(request *rq, json_t *doc, const char **out)
{
	const char *p;

	*out = NULL;
	if (params_opt_string(rq, doc, "platform", "platform", PLATFORM_MAX, out) < 0)
		return -1;
	for (p = *out; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return params_refuse(rq, 422, "invalid_request",
					     "must be printable text of at most 64 bytes",
					     "platform");
	return 0;
}

/* "started": RFC 3339 text or seconds since the epoch. 0, or -1 after answering. */
static int take_started(request *rq, json_t *doc, int64_t *out)
{
	json_t *v = json_object_get(doc, "started");

	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 100000000000)
		*out = (int64_t)json_integer_value(v);
	else if (!json_is_string(v) || rfc3339_parse(json_string_value(v), out) < 0)
		return params_refuse(rq, 422, "invalid_request",
				     "is required: RFC 3339 time or seconds since the epoch",
				     "started");
	return 0;
}

void health_session_post(request *rq)
{
	hi_job *h = job_new(rq, AUTH_INGEST, session_query);
	const char *sid = NULL, *status = NULL;
	json_t *v;
	size_t i;

	if (!h)
		return;
	if (params_json_object(rq, &h->doc) < 0)
		goto refused;
	if (params_opt_string(rq, h->doc, "sid", "sid", 64, &sid) < 0)
		goto refused;
	if (sid_norm(sid, h->sid) < 0) {
		params_refuse(rq, 422, "invalid_request", "is required: a UUID (32 hex digits)",
			      "sid");
		goto refused;
	}
	if (need_string(rq, h->doc, "install_id", INSTALL_MAX, &h->install) < 0 ||
	    need_string(rq, h->doc, "release", RELEASE_MAX, &h->release) < 0 ||
	    params_opt_string(rq, h->doc, "revision", "revision", REVISION_MAX, &h->revision) < 0 ||
	    params_opt_string(rq, h->doc, "channel", "channel", CHANNEL_MAX, &h->channel) < 0 ||
	    need_string(rq, h->doc, "status", 16, &status) < 0 ||
	    take_platform(rq, h->doc, &h->platform) < 0 ||
	    take_started(rq, h->doc, &h->started) < 0)
		goto refused;
	if (!tester_install_ok(h->install)) {
		params_refuse(rq, 422, "invalid_request", "must be 1-128 printable characters",
			      "install_id");
		goto refused;
	}
	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(status, status_names[i]) == 0)
			break;
	if (i == sizeof(status_names) / sizeof(status_names[0])) {
		params_refuse(rq, 422, "invalid_request",
			      "must be ok, exited, crashed, abnormal or errored", "status");
		goto refused;
	}
	h->status = (int)i;
	v = json_object_get(h->doc, "errors");
	if (v && !(json_is_integer(v) && json_integer_value(v) >= 0)) {
		params_refuse(rq, 422, "invalid_request", "must be a count", "errors");
		goto refused;
	}
	h->errors = v ? (int64_t)json_integer_value(v) : 0;
	v = json_object_get(h->doc, "duration");
	h->duration_ms = -1;
	if (v && !json_is_null(v)) {
		if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
		    json_number_value(v) > 1e9) {
			params_refuse(rq, 422, "invalid_request", "must be seconds, 0 or more",
				      "duration");
			goto refused;
		}
		h->duration_ms = (int64_t)(json_number_value(v) * 1000.0 + 0.5);
	}
	apijob_submit(&h->api, 1);
	return;
refused:
	hi_release(&h->api);
}

/* ---- ratings ---- */

static int rating_query(apijob *j, store_db *db, int64_t project_id)
{
	hi_job *h = (hi_job *)j;
	char release[RELEASE_MAX + 1], revision[REVISION_MAX + 1];
	char cohort[STORE_COHORT_MAX + 1];
	const char *install;
	store_rating r;
	int rc, created = 0;

	if (tester_install(j, h->install, "install_id", &install, &rc))
		return rc;
	if (h->release) {
		snprintf(release, sizeof(release), "%s", h->release);
		snprintf(revision, sizeof(revision), "%s", h->revision ? h->revision : "");
	} else {
		rc = store_install_build(db, project_id, install, release, sizeof(release), revision,
					 sizeof(revision));
		if (rc == STORE_NOTFOUND) {
			snprintf(j->reason, sizeof(j->reason),
				 "no build is known for this install yet: name its release");
			j->field = "release";
			return STORE_INVALID;
		}
		if (rc != STORE_OK)
			return rc;
	}
	rc = store_cohort_resolve(db, project_id, h->key, NULL, install, cohort);
	if (rc != STORE_OK)
		return rc;
	r.release = release;
	r.revision = revision;
	r.install_id = install;
	r.rating = h->rating;
	r.comment = h->comment;
	r.cohort = cohort;
	rc = store_rating_set(db, project_id, &r, (int64_t)time(NULL), &created);
	if (rc != STORE_OK)
		return rc;
	j->created = created;
	j->answer = json_pack("{s:s,s:s,s:i,s:s?,s:b}", "release", release, "revision", revision,
			      "rating", h->rating, "comment",
			      h->comment && h->comment[0] ? h->comment : NULL, "created", created);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void health_rating_post(request *rq)
{
	hi_job *h = job_new(rq, AUTH_INGEST, rating_query);
	json_t *v;

	if (!h)
		return;
	if (params_json_object(rq, &h->doc) < 0)
		goto refused;
	v = json_object_get(h->doc, "rating");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5) {
		params_refuse(rq, 422, "invalid_request", "is required: a whole number from 1 to 5",
			      "rating");
		goto refused;
	}
	h->rating = (int)json_integer_value(v);
	if (params_opt_string(rq, h->doc, "install_id", "install_id", INSTALL_MAX, &h->install) <
		0 ||
	    params_opt_string(rq, h->doc, "release", "release", RELEASE_MAX, &h->release) < 0 ||
	    params_opt_string(rq, h->doc, "revision", "revision", REVISION_MAX, &h->revision) < 0 ||
	    params_opt_string(rq, h->doc, "comment", "comment", STORE_COMMENT_MAX, &h->comment) < 0)
		goto refused;
	if (h->install && !tester_install_ok(h->install)) {
		params_refuse(rq, 422, "invalid_request", "must be 1-128 printable characters",
			      "install_id");
		goto refused;
	}
	if (h->release && !h->release[0])
		h->release = NULL;
	if (!h->release && h->revision && h->revision[0]) {
		params_refuse(rq, 422, "invalid_request", "a revision goes with its release",
			      "release");
		goto refused;
	}
	apijob_submit(&h->api, 1);
	return;
refused:
	hi_release(&h->api);
}

static int mine_query(apijob *j, store_db *db, int64_t project_id)
{
	hi_job *h = (hi_job *)j;
	char release[RELEASE_MAX + 1], revision[REVISION_MAX + 1];
	char comment[STORE_COMMENT_MAX + 1];
	const char *install;
	int rc, rating = 0;

	if (tester_install(j, h->install, "install_id", &install, &rc))
		return rc;
	rc = store_install_build(db, project_id, install, release, sizeof(release), revision,
				 sizeof(revision));
	if (rc == STORE_NOTFOUND) {
		j->answer = json_pack("{s:n,s:n,s:n,s:n}", "release", "revision", "rating",
				      "comment");
		return j->answer ? STORE_OK : STORE_ERROR;
	}
	if (rc == STORE_OK)
		rc = store_rating_get(db, project_id, release, revision, install, &rating, comment,
				      sizeof(comment));
	if (rc == STORE_NOTFOUND) {
		rating = 0;
		comment[0] = '\0';
	} else if (rc != STORE_OK) {
		return rc;
	}
	j->answer = json_pack("{s:s,s:s,s:o,s:s?}", "release", release, "revision", revision,
			      "rating", rating ? json_integer(rating) : json_null(), "comment",
			      comment[0] ? comment : NULL);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void health_rating_mine(request *rq)
{
	hi_job *h = job_new(rq, AUTH_INGEST, mine_query);
	const http_header *hd;
	char install[INSTALL_MAX + 1];

	if (!h)
		return;
	hd = http_find_header(rq->http, "x-prosum-install");
	if (hd) {
		if (hd->value.len == 0 || hd->value.len > INSTALL_MAX)
			goto bad;
		memcpy(install, hd->value.p, hd->value.len);
		install[hd->value.len] = '\0';
		if (!tester_install_ok(install))
			goto bad;
		h->doc = json_pack("{s:s}", "install_id", install);
		if (!h->doc) {
			apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
			goto refused;
		}
		h->install = json_string_value(json_object_get(h->doc, "install_id"));
	}
	apijob_submit(&h->api, 0);
	return;
bad:
	params_refuse(rq, 422, "invalid_request", "must be 1-128 printable characters",
		      "X-Prosum-Install");
refused:
	hi_release(&h->api);
}

static int ratings_query(apijob *j, store_db *db, int64_t project_id)
{
	hi_job *h = (hi_job *)j;
	store_rating_dist d;
	json_t *counts;
	int rc, r;

	rc = store_rating_distribution(db, project_id, h->release, h->revision, h->cohort, &d);
	if (rc != STORE_OK)
		return rc;
	counts = json_object();
	for (r = 1; counts && r <= 5; r++) {
		char k[2] = {(char)('0' + r), '\0'};

		json_object_set_new(counts, k, json_integer(d.counts[r]));
	}
	j->answer = json_pack("{s:s,s:s?,s:s?,s:o,s:I,s:o,s:I}", "release", h->release,
			      "revision", h->revision, "cohort", h->cohort, "counts", counts,
			      "ratings", (json_int_t)d.n, "mean",
			      d.n ? json_real((double)d.sum / (double)d.n) : json_null(),
			      "comments", (json_int_t)d.comments);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void health_ratings_get(request *rq)
{
	hi_job *h = job_new(rq, AUTH_DEVELOPER, ratings_query);
	char release[RELEASE_MAX + 1], revision[REVISION_MAX + 1], cohort[STORE_COHORT_MAX + 1];

	if (!h)
		return;
	if (http_query_param(rq->http->query, "release", release, sizeof(release)) <= 0) {
		params_refuse(rq, 422, "invalid_parameter", "is required: the release", "release");
		goto refused;
	}
	h->doc = json_pack("{s:s}", "release", release);
	if (h->doc && http_query_param(rq->http->query, "revision", revision, sizeof(revision)) >= 0)
		json_object_set_new(h->doc, "revision", json_string(revision));
	if (h->doc && http_query_param(rq->http->query, "cohort", cohort, sizeof(cohort)) >= 0)
		json_object_set_new(h->doc, "cohort", json_string(cohort));
	if (!h->doc) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		goto refused;
	}
	h->release = json_string_value(json_object_get(h->doc, "release"));
	h->revision = json_string_value(json_object_get(h->doc, "revision"));
	h->cohort = json_string_value(json_object_get(h->doc, "cohort"));
	apijob_submit(&h->api, 0);
	return;
refused:
	hi_release(&h->api);
}

/* ---- cohorts ---- */

static const char *const what_names[] = {"keys", "channels", "installs"};

static int cohort_row(void *ctx, int what, const char *name, const char *cohort)
{
	json_t *ans = ctx;

	if (what < 0 || what > 2)
		return 0;
	return json_object_set_new(json_object_get(ans, what_names[what]), name,
				   json_string(cohort));
}

static int cohorts_query(apijob *j, store_db *db, int64_t project_id)
{
	j->answer = json_pack("{s:{},s:{},s:{}}", "keys", "channels", "installs");
	if (!j->answer)
		return STORE_ERROR;
	return store_cohorts_each(db, project_id, cohort_row, j->answer);
}

void health_cohorts_get(request *rq)
{
	hi_job *h = job_new(rq, AUTH_ADMIN, cohorts_query);

	if (h)
		apijob_submit(&h->api, 0);
}

static int patch_query(apijob *j, store_db *db, int64_t project_id)
{
	hi_job *h = (hi_job *)j;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc;

	for (i = 0; i < h->nsets; i++) {
		rc = store_cohort_set(db, project_id, h->sets[i].what, h->sets[i].name,
				      h->sets[i].cohort, now);
		if (rc == STORE_NOTFOUND) {
			snprintf(h->field, sizeof(h->field), "keys.%.140s", h->sets[i].name);
			snprintf(j->reason, sizeof(j->reason), "no such ingest key in this project");
			j->field = h->field;
			return STORE_INVALID;
		}
		if (rc != STORE_OK)
			return rc;
	}
	return cohorts_query(j, db, project_id);
}

/* A cohort name: "" (clears) or 1..STORE_COHORT_MAX bytes without control characters. */
static int cohort_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > STORE_COHORT_MAX)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

void health_cohorts_patch(request *rq)
{
	hi_job *h = job_new(rq, AUTH_ADMIN, patch_query);
	char field[200];
	const char *name;
	json_t *map, *v;
	int what;

	if (!h)
		return;
	if (params_json_object(rq, &h->doc) < 0)
		goto refused;
	for (what = 0; what < 3; what++) {
		map = json_object_get(h->doc, what_names[what]);
		if (!map)
			continue;
		if (!json_is_object(map)) {
			params_refuse(rq, 422, "invalid_request",
				      "must be an object of name: cohort", what_names[what]);
			goto refused;
		}
		json_object_foreach(map, name, v)
		{
			snprintf(field, sizeof(field), "%s.%.128s", what_names[what], name);
			if (!name[0] || strlen(name) > INSTALL_MAX ||
			    (!json_is_null(v) &&
			     (!json_is_string(v) || !cohort_ok(json_string_value(v))))) {
				params_refuse(rq, 422, "invalid_request",
					      "must be a cohort name of at most 64 bytes, or \"\" "
					      "or null to clear it",
					      field);
				goto refused;
			}
			if (h->nsets == COHORTS_MAX) {
				params_refuse(rq, 413, "too_large", "at most 256 names per call",
					      what_names[what]);
				goto refused;
			}
			h->sets[h->nsets].what = what;
			h->sets[h->nsets].name = name;
			h->sets[h->nsets].cohort = json_is_null(v) ? "" : json_string_value(v);
			h->nsets++;
		}
	}
	apijob_submit(&h->api, 1);
	return;
refused:
	hi_release(&h->api);
}
