/* session.c - signing in and out: POST/GET/DELETE /api/v1/session, DELETE /api/v1/sessions, POST /api/v1/password. */
#include "api/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/cookie.h"
#include "api/password.h"
#include "api/tester.h"
#include "api/params.h"
#include "net/conn.h"

/*
 * A sign-in (or a password set from a link) takes two store jobs: the hash on
 * a reader thread, where a slow PBKDF2 delays no report; then, only when it
 * matched, the new session on the writer.
 */
typedef struct signin_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	const uint8_t *secret;
	unsigned iterations;
	int from_link;                      /* POST /api/v1/password */
	char name[STORE_USER_NAME_MAX + 1]; /* sign-in: as typed */
	char *password;                     /* owned, wiped when freed */
	size_t pwlen;
	uint8_t link_hash[32];
	uint8_t salt[PASSWORD_SALT_LEN], hash[32]; /* from_link: the new password's */
	int ok;                             /* the password matched, or the link is valid */
	store_user user;
	char sid[COOKIE_TEXT_LEN + 1];
	uint8_t sid_hash[32];
	char csrf[COOKIE_CSRF_LEN + 1];
} signin_job;

static void signin_free(signin_job *sj)
{
	if (sj->password) {
		volatile char *p = sj->password;
		size_t i;

		for (i = 0; i < sj->pwlen; i++)
			p[i] = 0;
		free(sj->password);
	}
	memset(sj->salt, 0, sizeof(sj->salt));
	free(sj);
}

/* The answer of a sign-in, of GET /api/v1/session. */
static json_t *whoami(const store_user *u, const char *csrf)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s}", "kind", "person", "name", u->name, "role",
			 store_role_name(u->role),
			 "project", u->project[0] ? json_string(u->project) : json_null(), "csrf",
			 csrf);
}

/* Answer `body` with `status` and a Set-Cookie line (text NULL: cleared). */
static void reply_cookie(conn *c, int status, const json_t *body, const char *text)
{
	char cookie[256];
	buf b;

	cookie_set_header(cookie, sizeof(cookie), text);
	buf_init(&b, PROSUM_MAX_ERROR_ANSWER);
	if (body && http_dump_json(&b, body) != BUF_OK) {
		buf_free(&b);
		conn_reply_error(c, 500, "internal_error", "the answer could not be built", NULL);
		return;
	}
	conn_reply(c, status, body ? "application/json" : NULL, b.p ? b.p : "", b.len, cookie);
	buf_free(&b);
}

/* On the writer: the session of the person who proved who they are. */
static int create_run(store_job *job, store_db *db)
{
	signin_job *sj = (signin_job *)job;
	int64_t now = (int64_t)time(NULL), uid = 0, sid;
	int rc;

	if (sj->from_link) {
		rc = store_user_set_password(db, sj->link_hash, sj->salt, sj->hash,
					     (int)sj->iterations, now, &uid);
		if (rc != STORE_OK)
			return rc; /* used meanwhile: STORE_NOTFOUND */
	}
	rc = store_user_find(db, sj->user.name, &sj->user);
	if (rc != STORE_OK)
		return rc;
	if (sj->user.disabled || (uid && uid != sj->user.id))
		return STORE_NOTFOUND;
	return store_session_add(db, sj->sid_hash, sj->user.id, now,
				 now + COOKIE_ABSOLUTE_SECONDS, &sid);
}

static void refuse(signin_job *sj)
{
	if (sj->from_link)
		conn_reply_error(sj->conn, 422, "invalid_request",
				 "this link is unknown, used, replaced by a newer one or expired: "
				 "ask an admin for a fresh one (prosumd user link NAME)",
				 "token");
	else
		conn_reply_error(sj->conn, 401, "unauthorized", "wrong name or password", NULL);
}

static void create_done(loop_task *t)
{
	signin_job *sj = (signin_job *)t;
	json_t *body;

	if (sj->job.result == STORE_NOTFOUND) {
		refuse(sj);
	} else if (sj->job.result != STORE_OK) {
		apijob_reply_error(sj->conn, sj->job.result, NULL, NULL);
	} else {
		body = whoami(&sj->user, sj->csrf);
		reply_cookie(sj->conn, 200, body, sj->sid);
		json_decref(body);
	}
	signin_free(sj);
}

/* On a reader: the password against the person's hash (or a dummy, the same work), or the
 * link's person and the new password's hash. */
static int verify_run(store_job *job, store_db *db)
{
	signin_job *sj = (signin_job *)job;
	int rc;

	if (sj->from_link) {
		rc = store_user_by_link(db, sj->link_hash, (int64_t)time(NULL), &sj->user);
		if (rc == STORE_NOTFOUND)
			return STORE_OK;
		if (rc != STORE_OK)
			return rc;
		if (password_hash(sj->password, sj->pwlen, sj->iterations, sj->salt, sj->hash) < 0)
			return STORE_ERROR;
		sj->ok = 1;
		return STORE_OK;
	}
	rc = store_user_find(db, sj->name, &sj->user);
	if (rc == STORE_ERROR)
		return rc;
	if (rc == STORE_OK && !sj->user.disabled && sj->user.has_password)
		sj->ok = password_verify(sj->password, sj->pwlen, sj->user.salt,
					 (unsigned)sj->user.iterations, sj->user.hash);
	else
		password_dummy(sj->password, sj->pwlen, sj->iterations);
	return STORE_OK;
}

static void verify_done(loop_task *t)
{
	signin_job *sj = (signin_job *)t;
	uint8_t id[COOKIE_ID_LEN];

	if (sj->job.result != STORE_OK) {
		apijob_reply_error(sj->conn, sj->job.result, NULL, NULL);
		goto out;
	}
	if (!sj->ok) {
		refuse(sj);
		goto out;
	}
	/* Only failures count against the limits. */
	conn_rate_signin_ok(sj->conn, sj->from_link ? NULL : sj->name);
	if (cookie_new_id(id, sj->sid) < 0) {
		conn_reply_error(sj->conn, 503, NULL, "no randomness available", NULL);
		goto out;
	}
	cookie_session_hash(sj->secret, id, sj->sid_hash);
	cookie_csrf(sj->secret, id, sj->csrf);
	sj->job.run = create_run;
	sj->job.task.fn = create_done;
	sj->job.write = 1;
	if (conn_submit(sj->conn, &sj->job) < 0)
		goto out;
	return;
out:
	signin_free(sj);
}

/* A string member of `doc`, 1..max bytes; NULL after answering 422 naming it. */
static const char *member(request *rq, json_t *doc, const char *key, size_t max)
{
	json_t *v = json_object_get(doc, key);
	char msg[96];

	if (json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max)
		return json_string_value(v);
	snprintf(msg, sizeof(msg), "required: a string of 1 to %zu bytes", max);
	conn_reply_error(rq->conn, 422, "invalid_request", msg, key);
	return NULL;
}

/* Read the body of a sign-in or a password set and start the job; answers refusals. */
static void start(request *rq, int from_link)
{
	json_t *doc = NULL;
	const char *name = NULL, *token = NULL, *pw, *why;
	signin_job *sj = NULL;

	if (!rq->creds.origin_ok) {
		conn_reply_error(rq->conn, 403, NULL, "this request comes from another site (Origin)",
				 NULL);
		return;
	}
	if (params_json_object(rq, &doc) < 0)
		return;
	if (from_link ? !(token = member(rq, doc, "token", 128))
		      : !(name = member(rq, doc, "name", STORE_USER_NAME_MAX)))
		goto out;
	if (!(pw = member(rq, doc, "password", PASSWORD_MAX)))
		goto out;
	if (from_link && (why = password_check(pw, json_string_length(json_object_get(doc,
							"password"))))) {
		conn_reply_error(rq->conn, 422, "invalid_request", why, "password");
		goto out;
	}
	if (conn_rate_signin(rq->conn, name) < 0)
		goto out;
	sj = calloc(1, sizeof(*sj));
	if (!sj || !(sj->password = malloc(PASSWORD_MAX + 1))) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		goto out;
	}
	sj->conn = rq->conn;
	sj->secret = rq->secret;
	sj->iterations = rq->pbkdf2_iterations;
	sj->from_link = from_link;
	sj->pwlen = json_string_length(json_object_get(doc, "password"));
	memcpy(sj->password, pw, sj->pwlen);
	if (name)
		snprintf(sj->name, sizeof(sj->name), "%s", name);
	else
		auth_hash_token(rq->secret, token, strlen(token), sj->link_hash);
	sj->job.run = verify_run;
	sj->job.task.fn = verify_done;
	if (conn_submit(rq->conn, &sj->job) == 0)
		sj = NULL;
out:
	if (sj)
		signin_free(sj);
	json_decref(doc);
}

void session_signin(request *rq)
{
	start(rq, 0);
}

void session_set_password(request *rq)
{
	start(rq, 1);
}

/* ---- the signed-in person's own session ---- */

typedef struct self_job {
	apijob api; /* first */
	int clear;  /* the answer clears the cookie */
	int empty;  /* 204 */
} self_job;

static void self_release(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

/* Only a session (a person's or a tester's) has a session: a token or key is told so. */
static int not_session(apijob *j)
{
	if (j->who.kind == AUTH_BY_SESSION || j->who.kind == AUTH_BY_TESTER)
		return 0;
	j->status = 401;
	j->why = "not signed in: this is for a browser's session (cookie prosum_session)";
	return 1;
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	store_user u;
	int rc;

	(void)project_id;
	if (not_session(j))
		return STORE_OK;
	if (j->who.kind == AUTH_BY_TESTER) {
		j->answer = tester_whoami(&j->who, j->creds.csrf);
		return j->answer ? STORE_OK : STORE_ERROR;
	}
	rc = store_user_find(db, j->who.actor, &u);
	if (rc != STORE_OK)
		return rc;
	j->answer = whoami(&u, j->creds.csrf);
	return j->answer ? STORE_OK : STORE_ERROR;
}

static int signout_query(apijob *j, store_db *db, int64_t project_id)
{
	int rc;

	(void)project_id;
	if (not_session(j))
		return STORE_OK;
	rc = store_session_end(db, j->who.session_id, (int64_t)time(NULL));
	if (rc == STORE_OK)
		j->answer = json_object();
	return rc;
}

static int signout_all_query(apijob *j, store_db *db, int64_t project_id)
{
	int64_t n = 0;
	int rc;

	(void)project_id;
	if (not_session(j))
		return STORE_OK;
	if (j->who.kind == AUTH_BY_TESTER)
		rc = store_sessions_end_install(db, j->who.project_id, j->who.install_id,
						(int64_t)time(NULL), &n);
	else
		rc = store_sessions_end_user(db, j->who.user_id, (int64_t)time(NULL), &n);
	if (rc == STORE_OK)
		j->answer = json_pack("{s:I}", "ended", (json_int_t)n);
	return rc;
}

static void self_done(loop_task *t)
{
	self_job *sj = (self_job *)t;
	apijob *j = &sj->api;

	if (j->status || j->job.result != STORE_OK || !j->answer || !sj->clear)
		apijob_reply(j);
	else
		reply_cookie(j->conn, sj->empty ? 204 : 200, sj->empty ? NULL : j->answer, NULL);
	j->release(j);
}

static void self(request *rq, apijob_query query, int clear, int empty)
{
	self_job *sj = calloc(1, sizeof(*sj));

	if (!sj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		return;
	}
	if (apijob_init(&sj->api, rq, AUTH_SELF, query, "not signed in", self_release) < 0) {
		free(sj);
		return;
	}
	sj->api.global = 1;
	sj->api.job.task.fn = self_done;
	sj->clear = clear;
	sj->empty = empty;
	/* On the writer: using a session keeps it from going idle. */
	apijob_submit(&sj->api, 1);
}

void session_get(request *rq)
{
	self(rq, get_query, 0, 0);
}

void session_signout(request *rq)
{
	self(rq, signout_query, 1, 1);
}

void session_signout_all(request *rq)
{
	self(rq, signout_all_query, 1, 0);
}
