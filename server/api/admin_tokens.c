/* admin_tokens.c - API tokens over the API: list, create (the token shown once), revoke. */
#include "api/admin_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/admin_projects.h"
#include "api/apijob.h"
#include "api/reply.h"
#include "model/adminrules.h"
#include "net/conn.h"

typedef struct token_job {
	apijob api; /* first */
	int64_t id; /* revoke: the token; add: the new one */
	int role;   /* add */
	char name[ADMINRULES_LABEL_MAX + 1];
	char project[ADMINRULES_NAME_MAX + 1]; /* add: "" for every project */
	char token[AUTH_TOKEN_LEN + 1];        /* add: shown once, wiped on release */
	uint8_t hash[32];
	json_t *items; /* list: the array being filled (borrowed from answer) */
} token_job;

static void token_free(apijob *j)
{
	token_job *tj = (token_job *)j;

	explicit_bzero(tj->token, sizeof(tj->token));
	apijob_dispose(j);
	free(tj);
}

/* A project-less admin job for this request, or NULL after answering. Admins limited to a
 * project are let in: each query narrows to j->who.project_id. */
static token_job *job_new(request *rq, apijob_query query)
{
	token_job *tj = calloc(1, sizeof(*tj));

	if (!tj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&tj->api, rq, AUTH_ADMIN, query, "no such token", token_free) < 0) {
		free(tj);
		return NULL;
	}
	tj->api.global = 1;
	return tj;
}

static json_t *token_json(const store_token_row *row)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(row->id));
	json_object_set_new(o, "role", json_string(row->role));
	json_object_set_new(o, "name", row->name ? json_string(row->name) : json_null());
	json_object_set_new(o, "project", row->project ? json_string(row->project) : json_null());
	json_object_set_new(o, "created_at", reply_time(row->created_at));
	json_object_set_new(o, "revoked_at", reply_time(row->revoked_at));
	return o;
}

/* Rows of store_token_each(): into items when listing, else the one row as the answer. */
static int token_row(void *ctx, const store_token_row *row)
{
	token_job *tj = ctx;
	json_t *o = token_json(row);

	if (!o)
		return -1;
	if (tj->items)
		return json_array_append_new(tj->items, o);
	json_decref(tj->api.answer);
	tj->api.answer = o;
	return 0;
}

/* ---- GET /api/v1/tokens ---- */

static int list_query(apijob *j, store_db *db, int64_t unused)
{
	token_job *tj = (token_job *)j;

	(void)unused;
	tj->items = json_array();
	j->answer = json_pack("{s:o}", "items", tj->items);
	if (!j->answer)
		return STORE_ERROR;
	return store_token_each(db, j->who.project_id, 0, token_row, tj);
}

void admin_tokens_list(request *rq)
{
	token_job *tj = job_new(rq, list_query);

	if (tj)
		apijob_submit(&tj->api, 0);
}

/* ---- POST /api/v1/tokens ---- */

static int add_query(apijob *j, store_db *db, int64_t unused)
{
	token_job *tj = (token_job *)j;
	int64_t project_id = 0;
	int rc;

	(void)unused;
	if (tj->project[0]) {
		rc = store_project_find(db, tj->project, &project_id);
		/* A limited admin learns nothing of other projects, not even whether they exist. */
		if (rc == STORE_NOTFOUND && !j->who.project_id) {
			snprintf(j->reason, sizeof(j->reason), "no project named '%s'",
				 tj->project);
			j->field = "project";
			return STORE_INVALID;
		}
		if (rc == STORE_ERROR)
			return rc;
	}
	if (j->who.project_id && project_id != j->who.project_id) {
		j->status = 403;
		j->why = tj->project[0] ? "this credential is limited to another project"
					: "a token for every project needs an admin limited to no "
					  "project: name your project in \"project\"";
		return STORE_OK;
	}
	rc = store_token_add(db, tj->hash, tj->role, project_id, tj->name, (int64_t)time(NULL),
			     &tj->id);
	if (rc != STORE_OK)
		return rc;
	rc = store_token_each(db, 0, tj->id, token_row, tj);
	if (rc != STORE_OK || !j->answer)
		return rc != STORE_OK ? rc : STORE_ERROR;
	json_object_set_new(j->answer, "token", json_string(tj->token));
	j->created = 1;
	return STORE_OK;
}

static int refuse(request *rq, const char *message, const char *field)
{
	conn_reply_error(rq->conn, 422, "invalid_request", message, field);
	return -1;
}

/* The body of a token creation into tj. 0, or -1 after answering. */
static int read_token(request *rq, token_job *tj, json_t *doc)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "role") == 0) {
			tj->role = json_is_string(v) ? store_role_parse(json_string_value(v)) : 0;
			if (!tj->role)
				return refuse(rq, "must be developer, release or admin", key);
		} else if (strcmp(key, "name") == 0) {
			if (!json_is_string(v) || !adminrules_label_ok(json_string_value(v)))
				return refuse(rq,
					      "the token holder's name in history and "
					      "comments: " ADMINRULES_LABEL_RULE,
					      key);
			snprintf(tj->name, sizeof(tj->name), "%s", json_string_value(v));
		} else if (strcmp(key, "project") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v) || !adminrules_name_ok(json_string_value(v)))
				return refuse(rq, "a project name, or null for every project", key);
			snprintf(tj->project, sizeof(tj->project), "%s", json_string_value(v));
		} else {
			return refuse(rq, "unknown field; known: role, name, project", key);
		}
	}
	if (!tj->role)
		return refuse(rq, "must be developer, release or admin", "role");
	if (!tj->name[0])
		return refuse(
		    rq, "the token holder's name in history and comments: " ADMINRULES_LABEL_RULE,
		    "name");
	return 0;
}

void admin_tokens_add(request *rq)
{
	token_job *tj = job_new(rq, add_query);
	json_t *doc = NULL;

	if (!tj)
		return;
	if (admin_body(rq, &doc) < 0 || read_token(rq, tj, doc) < 0)
		goto refused;
	if (auth_new_token(tj->token) < 0) {
		apijob_reply_error(rq->conn, PE_ERROR, "no randomness available", NULL);
		goto refused;
	}
	auth_hash_token(rq->secret, tj->token, strlen(tj->token), tj->hash);
	json_decref(doc);
	apijob_submit(&tj->api, 1);
	return;
refused:
	json_decref(doc);
	token_free(&tj->api);
}

/* ---- DELETE /api/v1/tokens/{id} ---- */

static int revoke_query(apijob *j, store_db *db, int64_t unused)
{
	token_job *tj = (token_job *)j;
	int rc;

	(void)unused;
	/* A limited admin revokes the tokens of its project only; others are "no such token". */
	rc = store_token_revoke_in(db, tj->id, j->who.project_id, (int64_t)time(NULL));
	if (rc == STORE_CONFLICT) {
		snprintf(j->reason, sizeof(j->reason), "this token is revoked already");
		j->field = "id";
	}
	if (rc != STORE_OK)
		return rc;
	rc = store_token_each(db, 0, tj->id, token_row, tj);
	return rc == STORE_OK && !j->answer ? STORE_ERROR : rc;
}

/* A token id: a whole number from 1, as the list shows it; else 0. */
static int64_t parse_id(const char *s)
{
	int64_t n = 0;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
	}
	return n;
}

void admin_tokens_revoke(request *rq)
{
	token_job *tj = job_new(rq, revoke_query);

	if (!tj)
		return;
	tj->id = parse_id(rq->params[0]); /* 0 (malformed) is no token: 404 once authorised */
	apijob_submit(&tj->api, 1);
}
