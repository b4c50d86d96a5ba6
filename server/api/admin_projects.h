/* admin_projects.h - projects over the API (list, create, settings); what admin calls share. */
#ifndef PROSUM_ADMIN_PROJECTS_H
#define PROSUM_ADMIN_PROJECTS_H

#include <jansson.h>

#include "api/router.h"

/* GET /api/v1/projects: the projects the caller may see ({"items":[{"name","public",
 * "created_at"}]}); without any credential, the public ones. */
void admin_projects_list(request *rq);
/* POST /api/v1/projects {"name","repo"?,"commit_url"?,"version_tag"?,"public"?} (an admin
 * limited to no project): 201 the project with "dsn" and its first ingest "key". */
void admin_projects_add(request *rq);
/* GET /api/v1/projects/{p} (developer): name, repo, commit_url, version_tag, public,
 * created_at, dsn. */
void admin_project_get(request *rq);
/* PATCH /api/v1/projects/{p} (admin): repo, commit_url, version_tag, public; the project. */
void admin_project_patch(request *rq);
/* DELETE /api/v1/projects/{p}?confirm={p}: the project and every row of it, and the attachment
 * files no other project refers to (admin of every project). 200 with what went. */
void admin_project_delete(request *rq);

/* ---- shared by admin_keys.c and admin_tokens.c ---- */

/* The longest Host header kept for DSNs; a longer one gives no DSN. */
#define ADMIN_HOST_MAX 300

/* The request's Host (the DSN's HOST:PORT: the address the caller reached us at) into
 * out, "" when it has none or it is too long. */
void admin_host(char out[ADMIN_HOST_MAX + 1], const request *rq);
/* "https://KEY@HOST/PROJECT", or JSON null when key or host is missing. New reference. */
json_t *admin_dsn(const char *host, const char *key, const char *project);
/* The Sentry SDK form of the same: https://KEY@HOST/ID, ID the project's numeric id. */
json_t *admin_sentry_dsn(const char *host, const char *key, int64_t project_id);
/*
 * The request's JSON object body into *doc (the caller owns it). 0, or -1 after
 * answering 415 (not application/json), 400 (not JSON) or 422 (not an object).
 */
int admin_body(request *rq, json_t **doc);

#endif
