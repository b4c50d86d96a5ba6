/* admin_keys.c - a project's ingest keys over the API: list, add (to rotate), revoke. */
#include "api/admin_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/admin_projects.h"
#include "api/apijob.h"
#include "api/reply.h"
#include "model/adminrules.h"
#include "net/conn.h"

typedef struct key_job {
	apijob api; /* first */
	char host[ADMIN_HOST_MAX + 1];
	char key[AUTH_MAX_CRED + 1]; /* add: the new key; revoke: the one to revoke */
	json_t *items;               /* list: the array being filled (borrowed from answer) */
} key_job;

static void key_free(apijob *j)
{
	apijob_dispose(j);
	free(j);
}

/* A job for this request (admin), or NULL after answering. */
static key_job *job_new(request *rq, apijob_query query)
{
	key_job *kj = calloc(1, sizeof(*kj));

	if (!kj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&kj->api, rq, AUTH_ADMIN, query, "no such ingest key", key_free) < 0) {
		free(kj);
		return NULL;
	}
	admin_host(kj->host, rq);
	return kj;
}

/* One key as every answer shows it; a revoked key has no DSN. */
static json_t *key_json(const key_job *kj, const store_key_row *row)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "key", json_string(row->key));
	json_object_set_new(o, "created_at", reply_time(row->created_at));
	json_object_set_new(o, "revoked_at", reply_time(row->revoked_at));
	json_object_set_new(o, "dsn",
			    row->revoked_at ? json_null()
					    : admin_dsn(kj->host, row->key, kj->api.project));
	return o;
}

/* Rows of store_project_keys_each(): every key into items, or the one named kj->key as the
 * answer. */
static int key_row(void *ctx, const store_key_row *row)
{
	key_job *kj = ctx;
	json_t *o;

	if (!kj->items && strcmp(row->key, kj->key) != 0)
		return 0;
	o = key_json(kj, row);
	if (!o)
		return -1;
	if (kj->items)
		return json_array_append_new(kj->items, o);
	json_decref(kj->api.answer);
	kj->api.answer = o;
	return 0;
}

/* The answer for the key named kj->key, after a change to it. */
static int render_key(key_job *kj, store_db *db, int64_t project_id)
{
	int rc = store_project_keys_each(db, project_id, key_row, kj);

	return rc == STORE_OK && !kj->api.answer ? STORE_ERROR : rc;
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	key_job *kj = (key_job *)j;
	int rc;

	kj->items = json_array();
	j->answer = json_pack("{s:o}", "items", kj->items);
	if (!j->answer)
		return STORE_ERROR;
	rc = store_project_keys_each(db, project_id, key_row, kj);
	return rc;
}

void admin_keys_list(request *rq)
{
	key_job *kj = job_new(rq, list_query);

	if (kj)
		apijob_submit(&kj->api, 0);
}

static int add_query(apijob *j, store_db *db, int64_t project_id)
{
	key_job *kj = (key_job *)j;

	if (auth_new_key(kj->key) < 0 ||
	    store_key_add(db, project_id, kj->key, (int64_t)time(NULL)) < 0)
		return STORE_ERROR;
	j->created = 1;
	return render_key(kj, db, project_id);
}

/* A new key needs nothing from the body: whatever came is ignored. */
void admin_keys_add(request *rq)
{
	key_job *kj = job_new(rq, add_query);

	if (kj)
		apijob_submit(&kj->api, 1);
}

static int revoke_query(apijob *j, store_db *db, int64_t project_id)
{
	key_job *kj = (key_job *)j;
	int rc = store_project_key_revoke(db, project_id, kj->key, (int64_t)time(NULL));

	if (rc == STORE_CONFLICT) {
		snprintf(j->reason, sizeof(j->reason), "this ingest key is revoked already");
		j->field = "key";
	}
	return rc != STORE_OK ? rc : render_key(kj, db, project_id);
}

void admin_keys_revoke(request *rq)
{
	key_job *kj = job_new(rq, revoke_query);

	if (!kj)
		return;
	/* No key is longer than a credential: such a name is answered 404 once authorised. */
	if (strlen(rq->params[1]) <= AUTH_MAX_CRED)
		memcpy(kj->key, rq->params[1], strlen(rq->params[1]) + 1);
	apijob_submit(&kj->api, 1);
}
