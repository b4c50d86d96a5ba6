/* tester.c - testers on the board: sign-in links from the beta build, tester sessions, and what a
 * call acting for an install needs. */
#include "api/tester.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/cookie.h"
#include "api/reply.h"
#include "config.h"
#include "api/params.h"
#include "net/conn.h"
#include "net/ratelimit.h"

/* Milliseconds on the monotonic clock: the clock of the per-install buckets, taken on the I/O
 * and the store threads alike. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tester_install_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > STORE_INSTALL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

int tester_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > STORE_TESTER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int tester_install(apijob *j, const char *named, const char *field, const char **install, int *rc)
{
	*rc = STORE_OK;
	if (j->who.kind == AUTH_BY_TESTER) {
		if (named && strcmp(named, j->who.install_id) != 0) {
			j->status = 403;
			j->why =
			    "this sign-in acts for its own install only: leave the install out";
			return 1;
		}
		*install = j->who.install_id;
		return 0;
	}
	if (!named) {
		snprintf(j->reason, sizeof(j->reason), "is required: 1-128 printable characters");
		j->field = field;
		*rc = STORE_INVALID;
		return 1;
	}
	*install = named;
	return 0;
}

int tester_rate(apijob *j, struct ratelimit *l, const char *install)
{
	int wait;

	if (!l || (j->who.kind != AUTH_BY_KEY && j->who.kind != AUTH_BY_TESTER))
		return 0;
	wait = ratelimit_take(l, install, strlen(install), now_ms());
	if (!wait)
		return 0;
	j->status = 429;
	j->why = "too many votes, suggestions or comments from this install; wait and try again";
	j->retry_after = wait;
	return 1;
}

json_t *tester_whoami(const auth_identity *who, const char *csrf)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s}", "kind", "tester", "project", who->tester_project,
			 "install", who->install_id, "name",
			 who->tester_name[0] ? json_string(who->tester_name) : json_null(), "csrf",
			 csrf);
}

/* ---- POST /api/v1/projects/{p}/board-links ---- */

typedef struct link_job {
	apijob api; /* first */
	char install[STORE_INSTALL_MAX + 1];
	char name[STORE_TESTER_NAME_MAX + 1];
	uint8_t hash[32];
	char url[600];
} link_job;

static void link_release(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

static int link_query(apijob *j, store_db *db, int64_t project_id)
{
	link_job *lj = (link_job *)j;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (j->who.kind == AUTH_BY_TESTER) {
		j->status = 403;
		j->why = "a tester's sign-in cannot make links: ask the beta build for one";
		return STORE_OK;
	}
	rc = store_board_link_add(db, lj->hash, project_id, lj->install,
				  lj->name[0] ? lj->name : NULL, now,
				  now + PROSUM_BOARD_LINK_SECONDS);
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:s,s:o}", "url", lj->url, "expires_at",
			      reply_time(now + PROSUM_BOARD_LINK_SECONDS));
	j->created = 1;
	return j->answer ? STORE_OK : STORE_ERROR;
}

/* The link's text: https://HOST/p/PROJECT/board/signin#TOKEN, HOST from serve --public-url, else
 * the request's Host. */
static void link_url(request *rq, link_job *lj, const char *token)
{
	const char *base = rq->public_url;
	size_t blen;

	if (base) {
		blen = strlen(base);
		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		snprintf(lj->url, sizeof(lj->url), "%.*s/p/%s/board/signin#%s", (int)blen, base,
			 lj->api.project, token);
	} else {
		snprintf(lj->url, sizeof(lj->url), "https://%.*s/p/%s/board/signin#%s",
			 (int)(rq->http->host.len < 300 ? rq->http->host.len : 300),
			 rq->http->host.p ? rq->http->host.p : "", lj->api.project, token);
	}
}

void tester_board_link(request *rq)
{
	const http_header *h = http_find_header(rq->http, "x-prosum-install");
	link_job *lj;
	uint8_t id[COOKIE_ID_LEN];
	char token[COOKIE_TEXT_LEN + 1];
	json_t *doc = NULL, *v;
	int wait;

	lj = calloc(1, sizeof(*lj));
	if (!lj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		return;
	}
	if (apijob_init(&lj->api, rq, AUTH_INGEST, link_query, "no such project", link_release) <
	    0) {
		free(lj);
		return;
	}
	if (!h || h->value.len == 0 || h->value.len > STORE_INSTALL_MAX) {
		conn_reply_error(rq->conn, 422, "invalid_request",
				 "send X-Prosum-Install: the install's id", "X-Prosum-Install");
		goto refused;
	}
	memcpy(lj->install, h->value.p, h->value.len);
	lj->install[h->value.len] = '\0';
	if (!tester_install_ok(lj->install)) {
		conn_reply_error(rq->conn, 422, "invalid_request", "1-128 printable characters",
				 "X-Prosum-Install");
		goto refused;
	}
	if (rq->body_len > 0) {
		if (params_json_object(rq, &doc) < 0)
			goto refused;
		v = json_object_get(doc, "name");
		if (v && !json_is_null(v) &&
		    (!json_is_string(v) || !tester_name_ok(json_string_value(v)))) {
			conn_reply_error(
			    rq->conn, 422, "invalid_request",
			    "must be text of 1 to 128 bytes without control characters", "name");
			goto refused;
		}
		if (json_is_string(v))
			snprintf(lj->name, sizeof(lj->name), "%s", json_string_value(v));
	}
	/* Per address first: the install id is the caller's to choose, so a link per invented
	 * install would otherwise only meet the general request rate. */
	if (conn_rate_board(rq->conn) < 0)
		goto refused;
	wait = ratelimit_take(rq->board_links, lj->install, strlen(lj->install), now_ms());
	if (wait) {
		conn_reply_error_retry(
		    rq->conn, 429, "rate_limited",
		    "too many sign-in links for this install; wait and try again", NULL, wait);
		goto refused;
	}
	if (cookie_new_id(id, token) < 0) {
		conn_reply_error(rq->conn, 503, NULL, "no randomness available", NULL);
		goto refused;
	}
	auth_hash_token(rq->secret, token, strlen(token), lj->hash);
	link_url(rq, lj, token);
	memset(token, 0, sizeof(token));
	json_decref(doc);
	apijob_submit(&lj->api, 1);
	return;
refused:
	json_decref(doc);
	link_release(&lj->api);
}

/* ---- POST /api/v1/board/session ---- */

typedef struct exchange_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	uint8_t link_hash[32];
	char sid[COOKIE_TEXT_LEN + 1];
	uint8_t sid_hash[32];
	char csrf[COOKIE_CSRF_LEN + 1];
	store_session ses;
} exchange_job;

static int exchange_run(store_job *job, store_db *db)
{
	exchange_job *xj = (exchange_job *)job;
	int64_t now = (int64_t)time(NULL);

	return store_board_link_use(db, xj->link_hash, xj->sid_hash, now,
				    now + COOKIE_ABSOLUTE_SECONDS, &xj->ses);
}

static void exchange_done(loop_task *t)
{
	exchange_job *xj = (exchange_job *)t;
	auth_identity who;
	char cookie[256];
	json_t *body = NULL;
	buf b;

	if (xj->job.result == STORE_NOTFOUND) {
		conn_reply_error(
		    xj->conn, 422, "invalid_request",
		    "this sign-in link was used or has expired: ask your beta build for "
		    "a new one",
		    "token");
		goto out;
	}
	if (xj->job.result != STORE_OK) {
		apijob_reply_error(xj->conn, xj->job.result, NULL, NULL);
		goto out;
	}
	conn_rate_signin_ok(xj->conn, NULL); /* only failures count */
	memset(&who, 0, sizeof(who));
	snprintf(who.tester_project, sizeof(who.tester_project), "%s", xj->ses.project);
	snprintf(who.install_id, sizeof(who.install_id), "%s", xj->ses.install_id);
	snprintf(who.tester_name, sizeof(who.tester_name), "%s", xj->ses.tester_name);
	body = tester_whoami(&who, xj->csrf);
	buf_init(&b, PROSUM_MAX_ERROR_ANSWER);
	if (!body || http_dump_json(&b, body) != BUF_OK) {
		buf_free(&b);
		conn_reply_error(xj->conn, 500, "internal_error", "the answer could not be built",
				 NULL);
		goto out;
	}
	cookie_set_header(cookie, sizeof(cookie), xj->sid);
	conn_reply(xj->conn, 200, "application/json", b.p, b.len, cookie);
	buf_free(&b);
out:
	json_decref(body);
	memset(xj, 0, sizeof(*xj));
	free(xj);
}

void tester_board_session(request *rq)
{
	exchange_job *xj = NULL;
	json_t *doc = NULL, *v;
	uint8_t id[COOKIE_ID_LEN];

	if (!rq->creds.origin_ok) {
		conn_reply_error(rq->conn, 403, NULL,
				 "this request comes from another site (Origin)", NULL);
		return;
	}
	if (params_json_object(rq, &doc) < 0)
		return;
	v = json_object_get(doc, "token");
	if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 128) {
		conn_reply_error(rq->conn, 422, "invalid_request",
				 "required: a string of 1 to 128 bytes", "token");
		goto out;
	}
	/* Uses of links count against the address's sign-in bucket, as people's links do. */
	if (conn_rate_signin(rq->conn, NULL) < 0)
		goto out;
	xj = calloc(1, sizeof(*xj));
	if (!xj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		goto out;
	}
	if (cookie_new_id(id, xj->sid) < 0) {
		conn_reply_error(rq->conn, 503, NULL, "no randomness available", NULL);
		goto out;
	}
	xj->conn = rq->conn;
	auth_hash_token(rq->secret, json_string_value(v), json_string_length(v), xj->link_hash);
	cookie_session_hash(rq->secret, id, xj->sid_hash);
	cookie_csrf(rq->secret, id, xj->csrf);
	memset(id, 0, sizeof(id));
	xj->job.run = exchange_run;
	xj->job.task.fn = exchange_done;
	xj->job.write = 1;
	if (conn_submit(rq->conn, &xj->job) == 0)
		xj = NULL;
out:
	free(xj);
	json_decref(doc);
}
