/* auth.c - ingest keys, API tokens and roles: making, hashing, reading from requests, checking. */
#include "api/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

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

void auth_from_request(auth_creds *c, const http_request *req,
		       const uint8_t secret[AUTH_SECRET_LEN])
{
	const http_header *h;

	memset(c, 0, sizeof(*c));
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

int auth_check(store_db *db, const auth_creds *c, const char *project, int need,
	       int64_t *project_id, char actor[AUTH_ACTOR_MAX], const char **why)
{
	store_token tok;
	int64_t pid = 0, key_pid = 0;
	int rc;

	if (c->has_token) {
		rc = store_token_find(db, c->token_hash, &tok);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc != STORE_OK) {
			*why = "unknown or revoked token";
			return 401;
		}
		rc = store_project_find(db, project, &pid);
		if (rc == STORE_ERROR)
			goto unavailable;
		/* A token bound to another project learns nothing, not even whether this one exists. */
		if (tok.project_id && (rc != STORE_OK || tok.project_id != pid)) {
			*why = "this token is limited to another project";
			return 403;
		}
		if (rc != STORE_OK) {
			*why = "no such project";
			return 404;
		}
		if (need != AUTH_INGEST && tok.role < need) {
			*why = need == AUTH_ADMIN	? "this needs an admin token"
			       : need == AUTH_RELEASE ? "this needs a release or admin token"
						      : "this needs a developer token";
			return 403;
		}
		*project_id = pid;
		if (tok.name[0])
			snprintf(actor, AUTH_ACTOR_MAX, "%s", tok.name);
		else
			snprintf(actor, AUTH_ACTOR_MAX, "token #%lld (%s)", (long long)tok.id,
				 store_role_name(tok.role));
		return 0;
	}
	if (c->has_key) {
		rc = store_key_project(db, c->key, &key_pid);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc != STORE_OK) {
			*why = "unknown or revoked ingest key";
			return 401;
		}
		if (need != AUTH_INGEST) {
			*why = "an ingest key may only submit; this needs an API token";
			return 403;
		}
		rc = store_project_find(db, project, &pid);
		if (rc == STORE_ERROR)
			goto unavailable;
		if (rc != STORE_OK) {
			*why = "no such project";
			return 404;
		}
		if (pid != key_pid) {
			*why = "this ingest key belongs to another project";
			return 401;
		}
		*project_id = pid;
		snprintf(actor, AUTH_ACTOR_MAX, "ingest key");
		return 0;
	}
	*why = c->malformed ? "malformed credentials"
	       : need == AUTH_INGEST
		       ? "missing credentials: send X-Prosum-Key or Authorization: Bearer"
		       : "missing credentials: send Authorization: Bearer TOKEN";
	return 401;
unavailable:
	*why = "the store is unavailable";
	return 503;
}
