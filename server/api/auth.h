/* auth.h - ingest keys, API tokens and roles: making, hashing, reading from requests, checking. */
#ifndef PROSUM_AUTH_H
#define PROSUM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "http/http.h"
#include "store/store.h"

#define AUTH_SECRET_LEN PROSUM_SECRET_LEN
#define AUTH_KEY_LEN 32     /* hex characters of an ingest key */
#define AUTH_TOKEN_LEN 52   /* "pst_" and 48 hex characters */
#define AUTH_MAX_CRED 128

/* Fill `out` from the kernel's random source. 0 or -1. */
int auth_random(void *out, size_t len);

/* A new ingest key: AUTH_KEY_LEN lower-case hex characters and a NUL. 0 or -1. */
int auth_new_key(char out[AUTH_KEY_LEN + 1]);
/* A new API token, "pst_" and 48 hex characters (192 random bits), NUL-terminated. 0 or -1. */
int auth_new_token(char out[AUTH_TOKEN_LEN + 1]);

/* The keyed hash under which a token is stored: HMAC-SHA-256(secret, token). */
void auth_hash_token(const uint8_t secret[AUTH_SECRET_LEN], const char *token, size_t len,
		     uint8_t out[32]);

/*
 * Read the per-installation secret from `path` (created 0600 with fresh random
 * bytes when missing and `create` is set). 0, or -1 with err.
 */
int auth_load_secret(const char *path, int create, uint8_t out[AUTH_SECRET_LEN], char *err,
		     size_t errlen);

/* What a request presented: an ingest key and/or the hash of a bearer token. */
typedef struct auth_creds {
	char key[AUTH_MAX_CRED + 1];
	int has_key;
	uint8_t token_hash[32];
	int has_token;
	int malformed; /* a credential header was present but unreadable */
	/* The session cookie (prosum_session), used only without a key or token: */
	uint8_t session_hash[32];
	int has_session;
	char csrf[44];    /* the session's CSRF token (what GET /api/v1/session answers) */
	int csrf_ok;      /* X-Prosum-CSRF equals it */
	int unsafe;       /* the method changes things: not GET, HEAD or OPTIONS */
	int origin_ok;    /* no Origin header, or this server's */
} auth_creds;

/*
 * Take the credentials from X-Prosum-Key, Authorization: Bearer, or the user
 * part of Authorization: Basic (the DSN form, empty password), and the
 * session cookie with its X-Prosum-CSRF and Origin. Never fails: what is
 * missing stays unset.
 */
void auth_from_request(auth_creds *c, const http_request *req,
		       const uint8_t secret[AUTH_SECRET_LEN]);

/* What a route needs. */
#define AUTH_INGEST 0    /* the project's ingest key, or any token allowed on the project */
#define AUTH_DEVELOPER STORE_ROLE_DEVELOPER
#define AUTH_RELEASE STORE_ROLE_RELEASE
#define AUTH_ADMIN STORE_ROLE_ADMIN

#define AUTH_ACTOR_MAX 80

/* Who a credential is, once looked up. */
#define AUTH_BY_TOKEN 1   /* an API token */
#define AUTH_BY_KEY 2     /* an ingest key: submits to its one project, nothing else */
#define AUTH_BY_SESSION 3 /* a signed-in person (cookie) */
typedef struct auth_identity {
	int kind;            /* AUTH_BY_* */
	int role;            /* STORE_ROLE_*; 0 for an ingest key */
	int64_t project_id;  /* the limit: 0 means every project (an ingest key: its project) */
	int64_t user_id;     /* the person (AUTH_BY_SESSION), else 0 */
	int64_t session_id;  /* the session (AUTH_BY_SESSION), else 0 */
	char actor[AUTH_ACTOR_MAX]; /* who, in history and comments: the token's label, "token #3
				     * (developer)" without one, "ingest key", or the person's name */
} auth_identity;

/* Did the request present any credential (key, token or session cookie)? */
int auth_has_any(const auth_creds *c);

/*
 * The one place a credential becomes an identity, on a store connection: a
 * key or token first, else the session cookie. 0 and *id filled, else the
 * HTTP status to answer (401 no, malformed or unknown credential or an ended
 * session; 403 a session's request from another Origin, or one that changes
 * things without the right X-Prosum-CSRF; 503 store failure) with *why.
 */
int auth_resolve(store_db *db, const auth_creds *c, auth_identity *id, const char **why);

/*
 * May `id` do what needs `need` on `project` (by name)? 0 and *project_id, else
 * 403 (limited to another project, role too low, an ingest key outside
 * submitting), 404 (no such project, told only to an unlimited credential),
 * 401 (an ingest key of another project) or 503, with *why.
 */
int auth_allow_project(store_db *db, const auth_identity *id, const char *project, int need,
		       int64_t *project_id, const char **why);

/*
 * Project-less: may `id` do what needs role `need` (AUTH_DEVELOPER ..
 * AUTH_ADMIN) when the request names no project? With `unlimited`, a
 * credential limited to one project is refused; without it, the caller
 * narrows what it shows to id->project_id itself. Ingest keys are always
 * refused. 0 or 403 with *why.
 */
int auth_allow_global(const auth_identity *id, int need, int unlimited, const char **why);

/* auth_resolve() then auth_allow_global(): *id is filled when 0 is returned. */
int auth_check_global(store_db *db, const auth_creds *c, int need, int unlimited,
		      auth_identity *id, const char **why);

/*
 * Check credentials against a project (by name) on a store connection.
 * Returns 0 and *project_id when allowed, and names the caller in `actor`
 * (see auth_identity) for the audit trail; else the HTTP status to answer
 * (401 no or unknown credential, 403 known but not allowed, 404 no such
 * project, 503 store failure) with a message in *why.
 * `project` NULL: the request names no project; it then needs an unlimited
 * credential of role >= need (AUTH_INGEST counts as AUTH_DEVELOPER) and
 * *project_id is 0.
 */
int auth_check(store_db *db, const auth_creds *c, const char *project, int need,
	       int64_t *project_id, char actor[AUTH_ACTOR_MAX], const char **why);

#endif
