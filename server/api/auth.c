/* auth.c - ingest keys, API tokens and roles: making, hashing, reading from requests, checking. */
#include "api/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "api/cookie.h"

int auth_random(void *out, size_t len)
{
	unsigned char *p = out;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int auth_new_key(char out[AUTH_KEY_LEN + 1])
{
	uint8_t r[AUTH_KEY_LEN / 2];

	if (auth_random(r, sizeof(r)) < 0)
		return -1;
	hex(out, r, sizeof(r));
	return 0;
}

int auth_new_token(char out[AUTH_TOKEN_LEN + 1])
{
	uint8_t r[24];

	if (auth_random(r, sizeof(r)) < 0)
		return -1;
	memcpy(out, "pst_", 4);
	hex(out + 4, r, sizeof(r));
	return 0;
}

void auth_hash_token(const uint8_t secret[AUTH_SECRET_LEN], const char *token, size_t len,
		     uint8_t out[32])
{
	mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), secret, AUTH_SECRET_LEN,
			(const unsigned char *)token, len, out);
}

int auth_load_secret(const char *path, int create, uint8_t out[AUTH_SECRET_LEN], char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 && errno == ENOENT && create) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			goto syserr;
		if (auth_random(out, AUTH_SECRET_LEN) < 0 ||
		    write(fd, out, AUTH_SECRET_LEN) != AUTH_SECRET_LEN || fsync(fd) < 0) {
			close(fd);
			unlink(path);
			goto syserr;
		}
		close(fd);
		return 0;
	}
	if (fd < 0)
		goto syserr;
	n = read(fd, out, AUTH_SECRET_LEN);
	close(fd);
	if (n != AUTH_SECRET_LEN) {
		snprintf(err, errlen, "%s: not a prosum secret (expected %d bytes)", path,
			 AUTH_SECRET_LEN);
		return -1;
	}
	return 0;
syserr:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

/* Keys and tokens are made of these; anything else is not ours. */
static int cred_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > AUTH_MAX_CRED)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static void set_key(auth_creds *c, const char *p, size_t len)
{
	if (!cred_ok(p, len)) {
		c->malformed = 1;
		return;
	}
	memcpy(c->key, p, len);
	c->key[len] = '\0';
	c->has_key = 1;
}

/* The session cookie, the CSRF token it needs and whether the request sent it. */
static void session_from_request(auth_creds *c, const http_request *req,
				 const uint8_t secret[AUTH_SECRET_LEN])
{
	const http_header *h;
	uint8_t id[COOKIE_ID_LEN];
	const char *v;
	size_t vlen, i;

	c->unsafe = !http_slice_eq(req->method, "GET") && !http_slice_eq(req->method, "HEAD") &&
		    !http_slice_eq(req->method, "OPTIONS");
	c->origin_ok = cookie_origin_ok(req);
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (!http_slice_eq_nocase(h->name, "cookie") ||
		    !cookie_find(h->value.p, h->value.len, COOKIE_NAME, &v, &vlen))
			continue;
		if (cookie_decode_id(v, vlen, id) < 0)
			return; /* a stale or foreign value: as if signed out */
		cookie_session_hash(secret, id, c->session_hash);
		cookie_csrf(secret, id, c->csrf);
		c->has_session = 1;
		h = http_find_header(req, "x-prosum-csrf");
		c->csrf_ok = h && cookie_csrf_equal(h->value.p, h->value.len, c->csrf);
		return;
	}
}

int auth_has_any(const auth_creds *c)
{
	return c->has_key || c->has_token || c->has_session;
}

void auth_from_request(auth_creds *c, const http_request *req,
		       const uint8_t secret[AUTH_SECRET_LEN])
{
	const http_header *h;

	memset(c, 0, sizeof(*c));
	session_from_request(c, req, secret);
	h = http_find_header(req, "x-prosum-key");
	if (h)
		set_key(c, h->value.p, h->value.len);
	h = http_find_header(req, "authorization");
	if (!h)
		return;
	if (h->value.len > 7 && strncasecmp(h->value.p, "Bearer ", 7) == 0) {
		const char *t = h->value.p + 7;
		size_t len = h->value.len - 7;

		if (!cred_ok(t, len)) {
			c->malformed = 1;
			return;
		}
		auth_hash_token(secret, t, len, c->token_hash);
		c->has_token = 1;
	} else if (h->value.len > 6 && strncasecmp(h->value.p, "Basic ", 6) == 0) {
		unsigned char dec[AUTH_MAX_CRED * 2];
		size_t n = 0, i;

		if (mbedtls_base64_decode(dec, sizeof(dec), &n,
					  (const unsigned char *)h->value.p + 6,
					  h->value.len - 6) != 0) {
			c->malformed = 1;
			return;
		}
		for (i = 0; i < n && dec[i] != ':'; i++)
			;
		if (!c->has_key)
			set_key(c, (const char *)dec, i);
	} else {
		c->malformed = 1;
	}
}

/* A tester's session (a board link's): the same Origin and CSRF rules as a person's. */
static int tester_identity(const auth_creds *c, const store_session *ses, auth_identity *id,
			   const char **why)
{
	if (!c->origin_ok) {
		*why = "this request comes from another site (Origin)";
		return 403;
	}
	if (c->unsafe && !c->csrf_ok) {
		*why = "missing or wrong X-Prosum-CSRF header";
		return 403;
	}
	id->kind = AUTH_BY_TESTER;
	id->project_id = ses->project_id;
	id->session_id = ses->id;
	snprintf(id->install_id, sizeof(id->install_id), "%s", ses->install_id);
	snprintf(id->tester_project, sizeof(id->tester_project), "%s", ses->project);
	snprintf(id->tester_name, sizeof(id->tester_name), "%s", ses->tester_name);
	snprintf(id->actor, AUTH_ACTOR_MAX, "tester");
	return 0;
}

int auth_resolve(store_db *db, const auth_creds *c, auth_identity *id, const char **why)
{
	store_token tok;
	int rc;

	memset(id, 0, sizeof(*id));
	if (c->has_token) {
		rc = store_token_find(db, c->token_hash, &tok);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc != STORE_OK) {
			*why = "unknown or revoked token";
			return 401;
		}
		id->kind = AUTH_BY_TOKEN;
		id->role = tok.role;
		id->project_id = tok.project_id;
		if (tok.name[0])
			snprintf(id->actor, AUTH_ACTOR_MAX, "%s", tok.name);
		else
			snprintf(id->actor, AUTH_ACTOR_MAX, "token #%lld (%s)", (long long)tok.id,
				 store_role_name(tok.role));
		return 0;
	}
	if (c->has_key) {
		rc = store_key_project(db, c->key, &id->project_id);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc != STORE_OK) {
			*why = "unknown or revoked ingest key";
			return 401;
		}
		id->kind = AUTH_BY_KEY;
		snprintf(id->actor, AUTH_ACTOR_MAX, "ingest key");
		return 0;
	}
	if (c->has_session && !c->malformed) {
		store_session ses;

		rc = store_session_find(db, c->session_hash, (int64_t)time(NULL),
					COOKIE_IDLE_SECONDS, &ses);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc == STORE_OK && !ses.user_id && ses.project_id && ses.install_id[0])
			return tester_identity(c, &ses, id, why);
		if (rc != STORE_OK || !ses.user_id) {
			*why = "your session has ended: sign in again";
			return 401;
		}
		if (!c->origin_ok) {
			*why = "this request comes from another site (Origin)";
			return 403;
		}
		if (c->unsafe && !c->csrf_ok) {
			*why = "missing or wrong X-Prosum-CSRF header";
			return 403;
		}
		id->kind = AUTH_BY_SESSION;
		id->role = ses.user.role;
		id->project_id = ses.user.project_id;
		id->user_id = ses.user_id;
		id->session_id = ses.id;
		snprintf(id->actor, AUTH_ACTOR_MAX, "%s", ses.user.name);
		return 0;
	}
	*why = c->malformed ? "malformed credentials"
			    : "missing credentials: send Authorization: Bearer TOKEN";
	return 401;
unavailable:
	*why = "the store is unavailable";
	return 503;
}

/* The refusal for a role below `need`, in the words of the credential's kind. */
static const char *needs(const auth_identity *id, int need)
{
	if (id->kind == AUTH_BY_SESSION)
		return need == AUTH_ADMIN     ? "this needs the admin role"
		       : need == AUTH_RELEASE ? "this needs the release or admin role"
					      : "this needs the developer role";
	return need == AUTH_ADMIN     ? "this needs an admin token"
	       : need == AUTH_RELEASE ? "this needs a release or admin token"
				      : "this needs a developer token";
}

/* A tester: on its own project, what the ingest key acting for its install may; elsewhere
 * nothing, and whether another project exists is not told. */
static int tester_allow(const auth_identity *id, const char *project, int need,
			int64_t *project_id, const char **why)
{
	if (strcmp(project, id->tester_project) != 0) {
		*why = "this sign-in is for another project's board";
		return 403;
	}
	if (need != AUTH_INGEST) {
		*why = "a tester's sign-in may use the board only; this is for the team";
		return 403;
	}
	*project_id = id->project_id;
	return 0;
}

/* Why `project` names none: a number is most likely copied from a sentry_dsn, so say what
 * names a project here. */
static const char *no_project(const char *project)
{
	size_t i;

	for (i = 0; project[i] >= '0' && project[i] <= '9'; i++)
		;
	return i > 0 && !project[i]
		   ? "no such project: the API names a project by its name (the last part of its "
		     "dsn), not by the number of its sentry_dsn"
		   : "no such project";
}

int auth_allow_project(store_db *db, const auth_identity *id, const char *project, int need,
		       int64_t *project_id, const char **why)
{
	int64_t pid = 0;
	int rc;

	if (id->kind == AUTH_BY_KEY && need != AUTH_INGEST) {
		*why = "an ingest key may only submit; this needs an API token";
		return 403;
	}
	if (id->kind == AUTH_BY_TESTER)
		return tester_allow(id, project, need, project_id, why);
	rc = store_project_find(db, project, &pid);
	if (rc == STORE_ERROR) {
		*why = "the store is unavailable";
		return 503;
	}
	if (id->kind == AUTH_BY_KEY) {
		if (rc != STORE_OK) {
			*why = no_project(project);
			return 404;
		}
		if (pid != id->project_id) {
			*why = "this ingest key belongs to another project";
			return 401;
		}
		*project_id = pid;
		return 0;
	}
	/* A credential bound to another project learns nothing, not even whether this one exists. */
	if (id->project_id && (rc != STORE_OK || id->project_id != pid)) {
		*why = id->kind == AUTH_BY_SESSION ? "your account is limited to another project"
						   : "this token is limited to another project";
		return 403;
	}
	if (rc != STORE_OK) {
		*why = no_project(project);
		return 404;
	}
	if (need != AUTH_INGEST && id->role < need) {
		*why = needs(id, need);
		return 403;
	}
	*project_id = pid;
	return 0;
}

int auth_allow_global(const auth_identity *id, int need, int unlimited, const char **why)
{
	if (id->kind == AUTH_BY_KEY) {
		*why = "an ingest key may only submit; this needs an API token";
		return 403;
	}
	if (id->kind == AUTH_BY_TESTER && need != AUTH_SELF) {
		*why = "a tester's sign-in may use the board only; this is for the team";
		return 403;
	}
	if (unlimited && id->project_id) {
		*why = id->kind == AUTH_BY_SESSION
			       ? "your account is limited to one project; this needs an unlimited one"
			       : "this token is limited to one project; this needs an unlimited one";
		return 403;
	}
	if (id->role < need) {
		*why = needs(id, need);
		return 403;
	}
	return 0;
}

int auth_check_global(store_db *db, const auth_creds *c, int need, int unlimited,
		      auth_identity *id, const char **why)
{
	int st = auth_resolve(db, c, id, why);

	return st ? st : auth_allow_global(id, need, unlimited, why);
}

int auth_check(store_db *db, const auth_creds *c, const char *project, int need,
	       int64_t *project_id, char actor[AUTH_ACTOR_MAX], const char **why)
{
	auth_identity id;
	int st;

	if (!auth_has_any(c)) {
		*why = c->malformed ? "malformed credentials"
		       : need == AUTH_INGEST
			       ? "missing credentials: send X-Prosum-Key or Authorization: Bearer"
			       : "missing credentials: send Authorization: Bearer TOKEN";
		return 401;
	}
	st = auth_resolve(db, c, &id, why);
	if (st)
		return st;
	if (id.kind == AUTH_BY_TESTER) {
		/* Reports come from the build itself, with its ingest key; attachments are the team's. */
		*why = "a tester's sign-in may use the board only; send reports from the beta build";
		return 403;
	}
	if (project) {
		st = auth_allow_project(db, &id, project, need, project_id, why);
	} else {
		st = auth_allow_global(&id, need == AUTH_INGEST ? AUTH_DEVELOPER : need, 1, why);
		*project_id = 0;
	}
	if (st)
		return st;
	snprintf(actor, AUTH_ACTOR_MAX, "%s", id.actor);
	return 0;
}
