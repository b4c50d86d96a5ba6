/* admin_projects.c - projects over the API (list, create, settings); what admin calls share. */
#include "api/admin_projects.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/reply.h"
#include "model/adminrules.h"
#include "net/conn.h"
#include "store/attach.h"
#include "store/store_maint.h"

/* ---- shared helpers ---- */

void admin_host(char out[ADMIN_HOST_MAX + 1], const request *rq)
{
	http_slice h = rq->http->host;

	/* The parser took it as uri-host [":" port]: nothing else can be in it. */
	if (h.len == 0 || h.len > ADMIN_HOST_MAX) {
		out[0] = '\0';
		return;
	}
	memcpy(out, h.p, h.len);
	out[h.len] = '\0';
}

json_t *admin_dsn(const char *host, const char *key, const char *project)
{
	char dsn[64 + ADMIN_HOST_MAX + ADMINRULES_NAME_MAX + 16];

	if (!host || !host[0] || !key || !project)
		return json_null();
	snprintf(dsn, sizeof(dsn), "https://%s@%s/%s", key, host, project);
	return json_string(dsn);
}

json_t *admin_sentry_dsn(const char *host, const char *key, int64_t project_id)
{
	char dsn[64 + ADMIN_HOST_MAX + 32];

	if (!host || !host[0] || !key)
		return json_null();
	snprintf(dsn, sizeof(dsn), "https://%s@%s/%lld", key, host, (long long)project_id);
	return json_string(dsn);
}

int admin_body(request *rq, json_t **doc)
{
	*doc = NULL;
	return params_json_object(rq, doc);
}

/* ---- the job of every project call ---- */

typedef struct project_job {
	apijob api; /* first */
	char host[ADMIN_HOST_MAX + 1];
	char name[ADMINRULES_NAME_MAX + 1]; /* create: the new project's */
	/* create and patch: what the body sets; has_* 0 leaves a field as it is, a NULL
	 * value (JSON null or "") removes it */
	int has_repo, has_commit_url, has_version_tag, has_public;
	char *repo, *commit_url, *version_tag; /* owned */
	char repo_abs[PATH_MAX];               /* repo made absolute by check_repo() */
	int is_public;
	char key[AUTH_KEY_LEN + 1]; /* create: the first ingest key */
	const char *attach_dir;     /* delete: DATA/attachments */
	json_t *removed;            /* delete: rows removed by table (owned) */
	int64_t files, bytes;       /* delete: attachment files removed */
} project_job;

static void project_free(apijob *j)
{
	project_job *pj = (project_job *)j;

	free(pj->repo);
	free(pj->commit_url);
	free(pj->version_tag);
	json_decref(pj->removed);
	apijob_dispose(j);
	free(pj);
}

/* A job for this request, or NULL after answering (no credentials, out of memory). */
static project_job *job_new(request *rq, int need, apijob_query query)
{
	project_job *pj = calloc(1, sizeof(*pj));

	if (!pj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&pj->api, rq, need, query, "no such project", project_free) < 0) {
		free(pj);
		return NULL;
	}
	admin_host(pj->host, rq);
	return pj;
}

/* The project as GET answers it, into pj->api.answer (plus "key" on creation). */
static int render_one(void *ctx, const store_project_row *row)
{
	project_job *pj = ctx;
	json_t *o = json_object();

	if (!o)
		return -1;
	json_object_set_new(o, "name", json_string(row->name));
	json_object_set_new(o, "repo", row->repo ? json_string(row->repo) : json_null());
	json_object_set_new(o, "commit_url",
			    row->commit_url ? json_string(row->commit_url) : json_null());
	json_object_set_new(o, "version_tag",
			    row->version_tag ? json_string(row->version_tag) : json_null());
	json_object_set_new(o, "public", json_boolean(row->is_public));
	json_object_set_new(o, "created_at", reply_time(row->created_at));
	json_object_set_new(o, "dsn", admin_dsn(pj->host, row->key, row->name));
	json_object_set_new(o, "sentry_dsn", admin_sentry_dsn(pj->host, row->key, row->id));
	if (pj->key[0])
		json_object_set_new(o, "key", json_string(pj->key));
	json_decref(pj->api.answer);
	pj->api.answer = o;
	return 0;
}

static int render_project(project_job *pj, store_db *db, int64_t project_id)
{
	int rc = store_project_each(db, project_id, 0, render_one, pj);

	if (rc == STORE_OK && !pj->api.answer)
		rc = STORE_NOTFOUND;
	return rc;
}

/*
 * Check the repository the body names (first, so nothing is written for a bad one): it is
 * opened here, on the writer: one realpath() and a libgit2 open, a few milliseconds, in a
 * call only admins make. STORE_INVALID with the field and reason when it is none.
 */
static int check_repo(project_job *pj)
{
	if (!pj->has_repo || !pj->repo)
		return STORE_OK;
	if (adminrules_repo(pj->repo, pj->repo_abs, pj->api.reason, sizeof(pj->api.reason)) < 0) {
		pj->api.field = "repo";
		return STORE_INVALID;
	}
	return STORE_OK;
}

/* Apply the settings the body sets, once check_repo() took the repository. */
static int apply_settings(project_job *pj, store_db *db, int64_t project_id)
{
	if (pj->has_repo &&
	    store_project_set_repo(db, project_id, pj->repo ? pj->repo_abs : NULL) < 0)
		return STORE_ERROR;
	if (pj->has_commit_url && store_project_set_commit_url(db, project_id, pj->commit_url) < 0)
		return STORE_ERROR;
	if (pj->has_version_tag &&
	    store_project_set_version_tag(db, project_id, pj->version_tag) < 0)
		return STORE_ERROR;
	if (pj->has_public && store_project_set_public(db, project_id, pj->is_public) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

/* Refuse the request with a 422 naming `field`: -1, so callers can `return refuse(...)`. */
static int refuse(request *rq, const char *message, const char *field)
{
	conn_reply_error(rq->conn, 422, "invalid_request", message, field);
	return -1;
}

/* A text setting: a string the rule accepts, or null / "" to remove it. */
static int take_text(request *rq, const char *key, json_t *v, int (*ok)(const char *),
		     const char *rule, int *has, char **out)
{
	*has = 1;
	if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	if (!json_is_string(v) || !ok(json_string_value(v)))
		return refuse(rq, rule, key);
	*out = strdup(json_string_value(v));
	if (!*out) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return -1;
	}
	return 0;
}

/* Only absolute paths: a relative one would name a place relative to where prosumd runs. */
static int repo_path_ok(const char *s)
{
	return s[0] == '/' && strlen(s) < PATH_MAX;
}

/* The settings of a create or patch body into pj. 0, or -1 after answering. */
static int read_settings(request *rq, project_job *pj, json_t *doc, int create)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
	{
		int rc = 0;

		if (strcmp(key, "name") == 0) {
			if (!create)
				return refuse(rq,
					      "a project cannot be renamed: its name is in every "
					      "DSN",
					      key);
			if (!json_is_string(v) || !adminrules_name_ok(json_string_value(v)))
				return refuse(rq, ADMINRULES_NAME_RULE, key);
			snprintf(pj->name, sizeof(pj->name), "%s", json_string_value(v));
		} else if (strcmp(key, "repo") == 0) {
			rc = take_text(
			    rq, key, v, repo_path_ok,
			    "the absolute path of a git repository on the server, or null",
			    &pj->has_repo, &pj->repo);
		} else if (strcmp(key, "commit_url") == 0) {
			rc = take_text(rq, key, v, adminrules_commit_url_ok,
				       ADMINRULES_COMMIT_URL_RULE ", or null", &pj->has_commit_url,
				       &pj->commit_url);
		} else if (strcmp(key, "version_tag") == 0) {
			rc = take_text(rq, key, v, adminrules_version_tag_ok,
				       ADMINRULES_VERSION_TAG_RULE ", or null",
				       &pj->has_version_tag, &pj->version_tag);
		} else if (strcmp(key, "public") == 0) {
			if (!json_is_boolean(v))
				return refuse(rq, "must be true or false", key);
			pj->has_public = 1;
			pj->is_public = json_is_true(v);
		} else {
			return refuse(rq,
				      create
					  ? "unknown field; known: name, repo, commit_url, "
					    "version_tag, public"
					  : "unknown field; known: repo, commit_url, version_tag, "
					    "public",
				      key);
		}
		if (rc < 0)
			return -1;
	}
	if (create && !pj->name[0])
		return refuse(rq, ADMINRULES_NAME_RULE, "name");
	return 0;
}

/* ---- GET /api/v1/projects ---- */

static int list_item(void *ctx, const store_project_row *row)
{
	json_t *items = ctx, *o = json_object();

	if (!o)
		return -1;
	json_object_set_new(o, "name", json_string(row->name));
	json_object_set_new(o, "public", json_boolean(row->is_public));
	json_object_set_new(o, "created_at", reply_time(row->created_at));
	return json_array_append_new(items, o);
}

static int list_into(json_t **answer, store_db *db, int64_t project_id, int public_only)
{
	json_t *items = json_array();
	int rc;

	if (!items)
		return STORE_ERROR;
	rc = store_project_each(db, project_id, public_only, list_item, items);
	if (rc != STORE_OK) {
		json_decref(items);
		return rc;
	}
	*answer = json_pack("{s:o}", "items", items);
	return *answer ? STORE_OK : STORE_ERROR;
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	(void)project_id;
	/* A credential limited to one project sees that one alone. */
	return list_into(&j->answer, db, j->who.project_id, 0);
}

/* A visitor (no credential at all): the public projects, names only. No apijob: there is
 * nobody to authorise. */
typedef struct public_job {
	store_job job; /* first */
	conn *conn;
	json_t *answer;
} public_job;

static int public_run(store_job *job, store_db *db)
{
	public_job *p = (public_job *)job;

	return list_into(&p->answer, db, 0, 1);
}

static void public_done(loop_task *t)
{
	public_job *p = (public_job *)t;

	if (p->job.result == STORE_OK && p->answer)
		conn_reply_json(p->conn, 200, p->answer);
	else
		apijob_reply_error(p->conn, p->job.result == STORE_OK ? STORE_ERROR : p->job.result,
				   NULL, NULL);
	json_decref(p->answer);
	free(p);
}

/* Did the request carry any credential (a malformed one counts: it is answered 401)? */
static int has_credential(const request *rq)
{
	return auth_has_any(&rq->creds) || rq->creds.malformed;
}

void admin_projects_list(request *rq)
{
	project_job *pj;
	public_job *p;

	if (has_credential(rq)) {
		pj = job_new(rq, AUTH_DEVELOPER, list_query);
		if (!pj)
			return;
		pj->api.global = 1;
		apijob_submit(&pj->api, 0);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	p->conn = rq->conn;
	p->job.run = public_run;
	p->job.task.fn = public_done;
	p->job.write = 0;
	if (conn_submit(rq->conn, &p->job) < 0)
		free(p);
}

/* ---- POST /api/v1/projects ---- */

static int add_query(apijob *j, store_db *db, int64_t unused)
{
	project_job *pj = (project_job *)j;
	int64_t id, now = (int64_t)time(NULL);
	int rc;

	(void)unused;
	rc = check_repo(pj);
	if (rc != STORE_OK)
		return rc;
	if (auth_new_key(pj->key) < 0)
		return STORE_ERROR;
	rc = store_project_add(db, pj->name, NULL, now, &id);
	if (rc == STORE_EXISTS) {
		snprintf(j->reason, sizeof(j->reason), "a project named '%s' already exists",
			 pj->name);
		j->field = "name";
	}
	if (rc != STORE_OK)
		return rc;
	rc = apply_settings(pj, db, id);
	if (rc != STORE_OK)
		return rc;
	if (store_key_add(db, id, pj->key, now) < 0)
		return STORE_ERROR;
	j->created = 1;
	return render_project(pj, db, id);
}

void admin_projects_add(request *rq)
{
	project_job *pj = job_new(rq, AUTH_ADMIN, add_query);
	json_t *doc = NULL;

	if (!pj)
		return;
	pj->api.global = 1;
	pj->api.unlimited = 1;
	if (admin_body(rq, &doc) < 0 || read_settings(rq, pj, doc, 1) < 0) {
		json_decref(doc);
		project_free(&pj->api);
		return;
	}
	json_decref(doc);
	apijob_submit(&pj->api, 1);
}

/* ---- GET and PATCH /api/v1/projects/{p} ---- */

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	return render_project((project_job *)j, db, project_id);
}

void admin_project_get(request *rq)
{
	project_job *pj = job_new(rq, AUTH_DEVELOPER, get_query);

	if (pj)
		apijob_submit(&pj->api, 0);
}

static int patch_query(apijob *j, store_db *db, int64_t project_id)
{
	project_job *pj = (project_job *)j;
	int rc = check_repo(pj);

	if (rc == STORE_OK)
		rc = apply_settings(pj, db, project_id);
	return rc != STORE_OK ? rc : render_project(pj, db, project_id);
}

void admin_project_patch(request *rq)
{
	project_job *pj = job_new(rq, AUTH_ADMIN, patch_query);
	json_t *doc = NULL;

	if (!pj)
		return;
	if (admin_body(rq, &doc) < 0 || read_settings(rq, pj, doc, 0) < 0) {
		json_decref(doc);
		project_free(&pj->api);
		return;
	}
	json_decref(doc);
	apijob_submit(&pj->api, 1);
}

/* ---- DELETE /api/v1/projects/{p}?confirm=NAME ---- */

static void delete_table(void *ctx, const char *table, int64_t rows)
{
	project_job *pj = ctx;

	json_object_set_new(pj->removed, table, json_integer(rows));
}

/* In the writer's transaction: no report can take the file before the commit (attachment
 * files are stored by the writer, in its jobs). */
static int delete_file(void *ctx, const char *sha256, int64_t size)
{
	project_job *pj = ctx;

	if (attach_remove(pj->attach_dir, sha256) != 0)
		return -1;
	pj->files++;
	pj->bytes += size;
	return 0;
}

static int delete_query(apijob *j, store_db *db, int64_t project_id)
{
	project_job *pj = (project_job *)j;
	store_removal_fns fns = {delete_table, delete_file, pj};
	int rc;

	if (j->who.project_id != 0) {
		snprintf(j->reason, sizeof(j->reason),
			 "only an admin of every project may remove a project");
		return STORE_FORBIDDEN;
	}
	pj->removed = json_object();
	if (!pj->removed)
		return STORE_ERROR;
	rc = store_project_remove(db, project_id, 1, &fns);
	if (rc != STORE_OK)
		return rc;
	j->answer = json_pack("{s:s, s:O, s:{s:I, s:I}}", "removed", j->project, "rows",
			      pj->removed, "attachment_files", "files", (json_int_t)pj->files,
			      "bytes", (json_int_t)pj->bytes);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void admin_project_delete(request *rq)
{
	char confirm[ROUTER_PARAM_MAX + 1];
	int rc = http_query_param(rq->http->query, "confirm", confirm, sizeof(confirm));
	project_job *pj;

	if (rc < 0 || strcmp(confirm, rq->params[0]) != 0) {
		params_refuse(rq, 422, "invalid_parameter",
			      "send ?confirm= with the project's name to remove the project and "
			      "everything of it (reports, groups, suggestions, releases, keys, "
			      "tokens and people limited to it, attachment files)",
			      "confirm");
		return;
	}
	pj = job_new(rq, AUTH_ADMIN, delete_query);
	if (!pj)
		return;
	pj->attach_dir = rq->attach_dir;
	apijob_submit(&pj->api, 1);
}
