/* users.c - the people API: list, add, change, fresh links (admin), and who may be assigned. */
#include "api/users.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/cookie.h"
#include "common/rfc3339.h"
#include "model/jsonbody.h"
#include "net/conn.h"

#define LINK_SECONDS (24 * 3600)

typedef struct users_job {
	apijob api; /* first */
	char name[ROUTER_PARAM_MAX + 1];       /* as the path names it: never cut to fit */
	int role;                              /* 0: unchanged */
	char project[STORE_USER_NAME_MAX + 1]; /* with set_project: "" none */
	int set_project;
	int disabled;                          /* -1 unchanged */
	uint8_t link_hash[32];
	char link[512];                        /* "" when the call makes none */
} users_job;

int users_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > STORE_USER_NAME_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

static void users_release(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

static users_job *job_new(request *rq, int need, apijob_query query)
{
	users_job *uj = calloc(1, sizeof(*uj));

	if (!uj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&uj->api, rq, need, query, "no such person", users_release) < 0) {
		free(uj);
		return NULL;
	}
	uj->disabled = -1;
	return uj;
}

/* An admin's call that names no project: only an unlimited admin may manage people. */
static users_job *admin_job(request *rq, apijob_query query)
{
	users_job *uj = job_new(rq, AUTH_ADMIN, query);

	if (uj) {
		uj->api.global = 1;
		uj->api.unlimited = 1;
	}
	return uj;
}

static json_t *user_json(const store_user *u)
{
	char when[RFC3339_MAX];

	rfc3339_format(when, u->created_at);
	return json_pack("{s:s,s:s,s:o,s:b,s:b,s:s}", "name", u->name, "role",
			 store_role_name(u->role), "project",
			 u->project[0] ? json_string(u->project) : json_null(), "disabled",
			 u->disabled, "password_set", u->has_password, "created_at", when);
}

/* A fresh one-time link: its hash into uj, its text (https://HOST/welcome#TOKEN) into
 * uj->link, HOST from serve --public-url, else the request's Host. 0, or -1 answered. */
static int make_link(request *rq, users_job *uj)
{
	uint8_t id[COOKIE_ID_LEN];
	char token[COOKIE_TEXT_LEN + 1];
	const char *base = rq->public_url;
	size_t blen;

	if (cookie_new_id(id, token) < 0) {
		conn_reply_error(rq->conn, 503, NULL, "no randomness available", NULL);
		return -1;
	}
	auth_hash_token(rq->secret, token, strlen(token), uj->link_hash);
	if (base) {
		blen = strlen(base);
		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		snprintf(uj->link, sizeof(uj->link), "%.*s/welcome#%s", (int)blen, base, token);
	} else {
		snprintf(uj->link, sizeof(uj->link), "https://%.*s/welcome#%s",
			 (int)(rq->http->host.len < 300 ? rq->http->host.len : 300),
			 rq->http->host.p ? rq->http->host.p : "", token);
	}
	return 0;
}

static int bad(request *rq, const char *field, const char *message)
{
	conn_reply_error(rq->conn, 422, "invalid_request", message, field);
	return -1;
}

/* role, project and (for PATCH) disabled from doc into uj; 0, or -1 answered. */
static int fields(request *rq, json_t *doc, users_job *uj, int patch)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "role") == 0) {
			uj->role = json_is_string(v) ? store_role_parse(json_string_value(v)) : 0;
			if (!uj->role)
				return bad(rq, key, "must be developer, release or admin");
		} else if (strcmp(key, "project") == 0) {
			if (!json_is_null(v) && !json_is_string(v))
				return bad(rq, key, "must be a project's name, or null for every project");
			snprintf(uj->project, sizeof(uj->project), "%s",
				 json_is_string(v) ? json_string_value(v) : "");
			uj->set_project = 1;
		} else if (patch && strcmp(key, "disabled") == 0) {
			if (!json_is_boolean(v))
				return bad(rq, key, "must be true or false");
			uj->disabled = json_is_true(v);
		} else if (!patch && strcmp(key, "name") == 0) {
			if (!json_is_string(v) || !users_name_ok(json_string_value(v)))
				return bad(rq, key, "must be 1-64 characters A-Z a-z 0-9 . _ - "
						    "starting with a letter or digit");
			snprintf(uj->name, sizeof(uj->name), "%s", json_string_value(v));
		} else {
			return bad(rq, key, patch ? "unknown field; known: role, project, disabled"
						  : "unknown field; known: name, role, project");
		}
	}
	return 0;
}

/* The id of uj->project (0 for ""), or STORE_INVALID naming the field. */
static int project_id_of(users_job *uj, store_db *db, int64_t *id)
{
	int rc;

	*id = 0;
	if (!uj->project[0])
		return STORE_OK;
	rc = store_project_find(db, uj->project, id);
	if (rc == STORE_NOTFOUND) {
		snprintf(uj->api.reason, sizeof(uj->api.reason), "no project named '%s'",
			 uj->project);
		uj->api.field = "project";
		return STORE_INVALID;
	}
	return rc;
}

/* ---- GET /api/v1/users ---- */

static void list_one(void *ctx, const store_user *u)
{
	json_array_append_new(ctx, user_json(u));
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	json_t *items = json_array();
	int rc;

	(void)project_id;
	if (!items)
		return STORE_ERROR;
	rc = store_user_list(db, list_one, items);
	if (rc != STORE_OK) {
		json_decref(items);
		return rc;
	}
	j->answer = json_pack("{s:o}", "items", items);
	return STORE_OK;
}

void users_list(request *rq)
{
	users_job *uj = admin_job(rq, list_query);

	if (uj)
		apijob_submit(&uj->api, 0);
}

/* ---- POST /api/v1/users ---- */

static int add_query(apijob *j, store_db *db, int64_t project_id)
{
	users_job *uj = (users_job *)j;
	int64_t pid, id, now = (int64_t)time(NULL);
	store_user u;
	int rc = project_id_of(uj, db, &pid);

	(void)project_id;
	if (rc != STORE_OK)
		return rc;
	rc = store_user_add(db, uj->name, uj->role, pid, uj->link_hash, now + LINK_SECONDS, now,
			    &id);
	if (rc == STORE_EXISTS) {
		snprintf(j->reason, sizeof(j->reason), "a person named '%.64s' exists already",
			 uj->name);
		j->field = "name";
		return rc;
	}
	if (rc != STORE_OK || (rc = store_user_find(db, uj->name, &u)) != STORE_OK)
		return rc;
	j->answer = user_json(&u);
	json_object_set_new(j->answer, "link", json_string(uj->link));
	j->created = 1;
	return STORE_OK;
}

void users_add(request *rq)
{
	users_job *uj = admin_job(rq, add_query);
	json_t *doc = NULL;

	if (!uj)
		return;
	if (params_json_object(rq, &doc) < 0 || fields(rq, doc, uj, 0) < 0)
		goto refused;
	if (!uj->name[0]) {
		bad(rq, "name", "required: the person's name, as they sign in");
		goto refused;
	}
	if (!uj->role) {
		bad(rq, "role", "required: developer, release or admin");
		goto refused;
	}
	if (make_link(rq, uj) < 0)
		goto refused;
	json_decref(doc);
	apijob_submit(&uj->api, 1);
	return;
refused:
	json_decref(doc);
	uj->api.release(&uj->api);
}

/* ---- PATCH /api/v1/users/{name} ---- */

static int patch_query(apijob *j, store_db *db, int64_t project_id)
{
	users_job *uj = (users_job *)j;
	int64_t pid = -1;
	store_user u;
	int rc = STORE_OK;

	(void)project_id;
	if (uj->set_project)
		rc = project_id_of(uj, db, &pid);
	if (rc != STORE_OK)
		return rc;
	rc = store_user_patch(db, uj->name, uj->role, pid, uj->disabled, (int64_t)time(NULL));
	if (rc != STORE_OK || (rc = store_user_find(db, uj->name, &u)) != STORE_OK)
		return rc;
	j->answer = user_json(&u);
	return STORE_OK;
}

void users_patch(request *rq)
{
	users_job *uj = admin_job(rq, patch_query);
	json_t *doc = NULL;

	if (!uj)
		return;
	snprintf(uj->name, sizeof(uj->name), "%s", rq->params[0]);
	if (params_json_object(rq, &doc) < 0 || fields(rq, doc, uj, 1) < 0) {
		json_decref(doc);
		uj->api.release(&uj->api);
		return;
	}
	json_decref(doc);
	apijob_submit(&uj->api, 1);
}

/* ---- POST /api/v1/users/{name}/link ---- */

static int link_query(apijob *j, store_db *db, int64_t project_id)
{
	users_job *uj = (users_job *)j;
	int rc;

	(void)project_id;
	rc = store_user_set_link(db, uj->name, uj->link_hash, (int64_t)time(NULL) + LINK_SECONDS);
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:s,s:s}", "name", uj->name, "link", uj->link);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void users_link(request *rq)
{
	users_job *uj = admin_job(rq, link_query);

	if (!uj)
		return;
	snprintf(uj->name, sizeof(uj->name), "%s", rq->params[0]);
	if (make_link(rq, uj) < 0) {
		uj->api.release(&uj->api);
		return;
	}
	apijob_submit(&uj->api, 1);
}

/* ---- GET /api/v1/projects/{p}/people ---- */

static void people_one(void *ctx, const char *name, const char *role)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s}", "name", name, "role", role));
}

static int people_query(apijob *j, store_db *db, int64_t project_id)
{
	json_t *items = json_array();
	int rc;

	if (!items)
		return STORE_ERROR;
	rc = store_people(db, project_id, people_one, items);
	if (rc != STORE_OK) {
		json_decref(items);
		return rc;
	}
	j->answer = json_pack("{s:o}", "items", items);
	return STORE_OK;
}

void users_people(request *rq)
{
	users_job *uj = job_new(rq, AUTH_DEVELOPER, people_query);

	if (uj)
		apijob_submit(&uj->api, 0);
}
