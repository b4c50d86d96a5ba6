/* store_projects.h - projects, ingest keys, API tokens and roles, and the admin API's view. */
#ifndef PROSUM_STORE_PROJECTS_H
#define PROSUM_STORE_PROJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Projects and their ingest keys. `repo` may be NULL. */
int store_project_add(store_db *db, const char *name, const char *repo, int64_t now, int64_t *id);
int store_project_find(store_db *db, const char *name, int64_t *id);
/* The name of project `id` (the number of its sentry_dsn) into name[size]; STORE_NOTFOUND. */
int store_project_name_of(store_db *db, int64_t id, char *name, size_t size);
int store_key_add(store_db *db, int64_t project_id, const char *key, int64_t now);
/* Revoke an ingest key (builds that ship it can no longer submit). STORE_NOTFOUND when unknown. */
int store_key_revoke(store_db *db, const char *key, int64_t now);
/* Every ingest key of every project: fn(ctx, key, project, created, revoked or 0). */
int store_key_list(store_db *db,
		   void (*fn)(void *ctx, const char *key, const char *project, int64_t created,
			      int64_t revoked),
		   void *ctx);
/* The project an active ingest key belongs to; STORE_NOTFOUND when unknown or revoked. */
int store_key_project(store_db *db, const char *key, int64_t *project_id);

#define STORE_ROLE_DEVELOPER 1
#define STORE_ROLE_RELEASE 2
#define STORE_ROLE_ADMIN 3

typedef struct store_token {
	int64_t id;
	int role;           /* STORE_ROLE_* */
	int64_t project_id; /* 0: every project */
	char name[64];      /* the label given at creation, may be empty */
} store_token;

/* `hash` is the keyed hash of the token (auth.c); the token itself is never stored. */
int store_token_add(store_db *db, const uint8_t hash[32], int role, int64_t project_id,
		    const char *name, int64_t now, int64_t *id);
int store_token_find(store_db *db, const uint8_t hash[32], store_token *out);
/* Every token, one call of fn each: id, role, project name (NULL: all), label, created, revoked (0: active). */
int store_token_list(store_db *db,
		     void (*fn)(void *ctx, int64_t id, const char *role, const char *project,
				const char *name, int64_t created, int64_t revoked),
		     void *ctx);
/* Revoke token `id` at `now`. STORE_NOTFOUND when there is no such active token. */
int store_token_revoke(store_db *db, int64_t id, int64_t now);
const char *store_role_name(int role);
int store_role_parse(const char *name); /* STORE_ROLE_* or 0 */

/* The web address of a commit, with {id} for its id; *url NULL when none. Caller frees. */
int store_project_commit_url(store_db *db, int64_t project_id, char **url);
int store_project_set_commit_url(store_db *db, int64_t project_id, const char *url);

/* The git ref a build.version names when no release is named like it: a pattern with
 * {version}, such as "v{version}"; *pattern NULL when the project has none. Caller frees.
 * Setting NULL or "" removes it. */
int store_project_version_tag(store_db *db, int64_t project_id, char **pattern);
int store_project_set_version_tag(store_db *db, int64_t project_id, const char *pattern);

/* ---- projects, their keys and API tokens as the admin API shows and changes them ----
 * Rows are borrowed by the callback (valid during the call); a non-zero return stops the
 * read with STORE_ERROR. */
typedef struct store_project_row {
	int64_t id;
	const char *name;
	const char *repo;        /* NULL: none (the same for the two below) */
	const char *commit_url;
	const char *version_tag;
	int is_public;
	int64_t created_at;
	const char *key;         /* the newest active ingest key, for the DSN; NULL: none */
} store_project_row;
/* Every project by name: only `project_id` unless 0, only public ones when `public_only`. */
int store_project_each(store_db *db, int64_t project_id, int public_only,
		       int (*fn)(void *ctx, const store_project_row *row), void *ctx);
int store_project_set_public(store_db *db, int64_t project_id, int is_public);
/* NULL or "" removes the repository. The path is stored as given: check it first. */
int store_project_set_repo(store_db *db, int64_t project_id, const char *repo);

typedef struct store_key_row {
	const char *key;
	int64_t created_at;
	int64_t revoked_at; /* 0: active */
} store_key_row;
/* The project's ingest keys, oldest first. */
int store_project_keys_each(store_db *db, int64_t project_id,
			    int (*fn)(void *ctx, const store_key_row *row), void *ctx);
/* Revoke one of the project's keys: STORE_NOTFOUND when it is not the project's,
 * STORE_CONFLICT when it is revoked already. */
int store_project_key_revoke(store_db *db, int64_t project_id, const char *key, int64_t now);

typedef struct store_token_row {
	int64_t id;
	const char *role;
	int64_t project_id;  /* 0: every project */
	const char *project; /* its name; NULL: every project */
	const char *name;    /* the label; NULL: none */
	int64_t created_at;
	int64_t revoked_at;  /* 0: active */
} store_token_row;
/* Tokens by id: only those limited to `project_id` unless 0, only token `id` unless 0. The
 * hash is never read out. */
int store_token_each(store_db *db, int64_t project_id, int64_t id,
		     int (*fn)(void *ctx, const store_token_row *row), void *ctx);
/* Revoke token `id`, which must be limited to `project_id` unless that is 0: STORE_NOTFOUND
 * when there is no such token (for that project), STORE_CONFLICT when revoked already. */
int store_token_revoke_in(store_db *db, int64_t id, int64_t project_id, int64_t now);

#endif
