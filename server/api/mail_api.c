/* mail_api.c - the e-mail API: a person's address and follows, a tester's opt-in, one-click unsubscribe. */
#include "api/mail_api.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/tester.h"
#include "common/buf.h"
#include "model/jsonbody.h"
#include "net/conn.h"
#include "notify/mail_msg.h"
#include "store/store_mail.h"

typedef struct mail_job {
	apijob api; /* first */
	char email[STORE_EMAIL_MAX + 1];
	char kind[16];     /* "group", "new_group", "regression" */
	int64_t group;     /* with kind "group" */
	int follow;        /* PUT 1, DELETE 0 */
	char install[STORE_INSTALL_MAX + 1]; /* X-Prosum-Install, "" when a session names it */
} mail_job;

static void mail_release(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

static mail_job *job_new(request *rq, int need, apijob_query query, int global)
{
	mail_job *mj = calloc(1, sizeof(*mj));

	if (!mj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&mj->api, rq, need, query, "no such group", mail_release) < 0) {
		free(mj);
		return NULL;
	}
	mj->api.global = global;
	return mj;
}

/* Only a person has an address and follows: a token is told so. */
static int not_person(apijob *j)
{
	if (j->who.user_id)
		return 0;
	j->status = 403;
	j->why = "e-mail settings belong to a person: sign in (an API token has none)";
	return 1;
}

/* doc's "email" (a string address, or null / "" when clear_ok) into out; 0, or -1 answered. */
static int email_field(request *rq, json_t *doc, int clear_ok, char *out)
{
	json_t *v = json_object_get(doc, "email");
	const char *key;
	json_t *x;

	json_object_foreach(doc, key, x)
	{
		if (strcmp(key, "email") != 0) {
			conn_reply_error(rq->conn, 422, "invalid_request", "unknown field; known: email",
					 key);
			return -1;
		}
	}
	out[0] = '\0';
	if (clear_ok && (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > STORE_EMAIL_MAX ||
	    !mail_address_ok(json_string_value(v))) {
		conn_reply_error(rq->conn, 422, "invalid_request",
				 clear_ok ? "must be an e-mail address such as ada@example.com, or null"
					  : "required: an e-mail address such as ada@example.com",
				 "email");
		return -1;
	}
	snprintf(out, STORE_EMAIL_MAX + 1, "%s", json_string_value(v));
	return 0;
}

/* ---- a person's address and follows ---- */

static void follow_one(void *ctx, const char *project, const char *kind, int64_t group)
{
	json_t *o = json_pack("{s:s,s:s}", "project", project, "kind", kind);
	char g[32];

	if (!o)
		return;
	if (group) {
		snprintf(g, sizeof(g), "G-%lld", (long long)group);
		json_object_set_new(o, "group", json_string(g));
	}
	json_array_append_new(ctx, o);
}

static int account_answer(apijob *j, store_db *db, int64_t project_id)
{
	char email[STORE_EMAIL_MAX + 1];
	json_t *follows = json_array();
	int rc = store_user_email_get(db, j->who.user_id, email);

	if (!follows)
		return STORE_ERROR;
	if (rc == STORE_OK)
		rc = store_mail_follows(db, j->who.user_id, project_id, follow_one, follows);
	if (rc != STORE_OK) {
		json_decref(follows);
		return rc;
	}
	if (project_id) {
		j->answer = json_pack("{s:o}", "items", follows);
		return STORE_OK;
	}
	j->answer = json_pack("{s:o,s:o}", "email", email[0] ? json_string(email) : json_null(),
			      "follows", follows);
	return STORE_OK;
}

static int account_get_query(apijob *j, store_db *db, int64_t project_id)
{
	(void)project_id;
	if (not_person(j))
		return STORE_OK;
	return account_answer(j, db, 0);
}

static int account_patch_query(apijob *j, store_db *db, int64_t project_id)
{
	mail_job *mj = (mail_job *)j;
	int rc;

	(void)project_id;
	if (not_person(j))
		return STORE_OK;
	rc = store_user_email_set_id(db, j->who.user_id, mj->email);
	return rc == STORE_OK ? account_answer(j, db, 0) : rc;
}

void mail_api_account_get(request *rq)
{
	mail_job *mj = job_new(rq, AUTH_DEVELOPER, account_get_query, 1);

	if (mj)
		apijob_submit(&mj->api, 0);
}

void mail_api_account_patch(request *rq)
{
	mail_job *mj = job_new(rq, AUTH_DEVELOPER, account_patch_query, 1);
	json_t *doc = NULL;

	if (!mj)
		return;
	if (params_json_object(rq, &doc) < 0 || email_field(rq, doc, 1, mj->email) < 0) {
		json_decref(doc);
		mj->api.release(&mj->api);
		return;
	}
	json_decref(doc);
	apijob_submit(&mj->api, 1);
}

static int follows_query(apijob *j, store_db *db, int64_t project_id)
{
	if (not_person(j))
		return STORE_OK;
	return account_answer(j, db, project_id);
}

void mail_api_follows(request *rq)
{
	mail_job *mj = job_new(rq, AUTH_DEVELOPER, follows_query, 0);

	if (mj)
		apijob_submit(&mj->api, 0);
}

static int follow_query(apijob *j, store_db *db, int64_t project_id)
{
	mail_job *mj = (mail_job *)j;
	char g[32];
	int rc;

	if (not_person(j))
		return STORE_OK;
	if (mj->follow)
		rc = store_mail_follow(db, j->who.user_id, project_id, mj->kind, mj->group,
				       (int64_t)time(NULL));
	else
		rc = store_mail_unfollow(db, j->who.user_id, project_id, mj->kind, mj->group);
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:s,s:b}", "kind", mj->kind, "following", mj->follow);
	if (mj->group) {
		snprintf(g, sizeof(g), "G-%lld", (long long)mj->group);
		json_object_set_new(j->answer, "group", json_string(g));
	}
	return STORE_OK;
}

/* {what} into mj->kind and mj->group; 0, or -1 answered. */
static int what_param(request *rq, mail_job *mj)
{
	const char *w = rq->params[1];
	char *end;
	long long v;

	if (strcmp(w, "new_group") == 0 || strcmp(w, "regression") == 0) {
		snprintf(mj->kind, sizeof(mj->kind), "%s", w[0] == 'n' ? "new_group" : "regression");
		return 0;
	}
	if ((w[0] == 'G' || w[0] == 'g') && w[1] == '-') {
		errno = 0;
		v = strtoll(w + 2, &end, 10);
		if (!errno && *end == '\0' && v > 0) {
			snprintf(mj->kind, sizeof(mj->kind), "group");
			mj->group = v;
			return 0;
		}
	}
	conn_reply_error(rq->conn, 422, "invalid_request",
			 "follow a group (G-3), or new_group or regression", "what");
	return -1;
}

static void follow(request *rq, int on)
{
	mail_job *mj = job_new(rq, AUTH_DEVELOPER, follow_query, 0);

	if (!mj)
		return;
	mj->follow = on;
	if (what_param(rq, mj) < 0) {
		mj->api.release(&mj->api);
		return;
	}
	apijob_submit(&mj->api, 1);
}

void mail_api_follow(request *rq)
{
	follow(rq, 1);
}

void mail_api_unfollow(request *rq)
{
	follow(rq, 0);
}

/* ---- a tester's opt-in ---- */

static int tester_query(apijob *j, store_db *db, int64_t project_id)
{
	mail_job *mj = (mail_job *)j;
	const char *install;
	char email[STORE_EMAIL_MAX + 1];
	int rc;

	if (tester_install(j, mj->install[0] ? mj->install : NULL, "X-Prosum-Install", &install,
			   &rc))
		return rc;
	if (mj->follow == 1)
		rc = store_mail_tester_set(db, project_id, install, mj->email, (int64_t)time(NULL));
	else if (mj->follow == 0)
		rc = store_mail_tester_clear(db, project_id, install);
	else
		rc = STORE_OK;
	if (rc == STORE_OK)
		rc = store_mail_tester_get(db, project_id, install, email);
	if (rc == STORE_OK)
		j->answer = json_pack("{s:o}", "email",
				      email[0] ? json_string(email) : json_null());
	return rc;
}

/* X-Prosum-Install into mj->install (absent is fine for a tester's session); -1 answered. */
static int install_header(request *rq, mail_job *mj)
{
	const http_header *h = http_find_header(rq->http, "x-prosum-install");

	if (!h)
		return 0;
	if (h->value.len == 0 || h->value.len > STORE_INSTALL_MAX) {
		conn_reply_error(rq->conn, 422, "invalid_request", "1-128 printable characters",
				 "X-Prosum-Install");
		return -1;
	}
	memcpy(mj->install, h->value.p, h->value.len);
	mj->install[h->value.len] = '\0';
	if (!tester_install_ok(mj->install)) {
		conn_reply_error(rq->conn, 422, "invalid_request", "1-128 printable characters",
				 "X-Prosum-Install");
		return -1;
	}
	return 0;
}

static void tester(request *rq, int op)
{
	mail_job *mj = job_new(rq, AUTH_INGEST, tester_query, 0);
	json_t *doc = NULL;

	if (!mj)
		return;
	mj->follow = op;
	if (install_header(rq, mj) < 0)
		goto refused;
	if (op == 1 && (params_json_object(rq, &doc) < 0 || email_field(rq, doc, 0, mj->email) < 0))
		goto refused;
	json_decref(doc);
	apijob_submit(&mj->api, op >= 0);
	return;
refused:
	json_decref(doc);
	mj->api.release(&mj->api);
}

void mail_api_tester_put(request *rq)
{
	tester(rq, 1);
}

void mail_api_tester_delete(request *rq)
{
	tester(rq, 0);
}

void mail_api_tester_get(request *rq)
{
	tester(rq, -1);
}
