/* cookie.h - the session cookie, its CSRF token and the Origin check: reading, deriving, writing. */
#ifndef PROSUM_COOKIE_H
#define PROSUM_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "http/http.h"

#define COOKIE_NAME "prosum_session"
#define COOKIE_ID_LEN 32   /* random bytes of a session id */
#define COOKIE_TEXT_LEN 43 /* base64url of them, no padding: the cookie's value */
#define COOKIE_CSRF_LEN 43 /* base64url of an HMAC-SHA-256 */
#define COOKIE_IDLE_SECONDS (14 * 24 * 3600)
#define COOKIE_ABSOLUTE_SECONDS (30 * 24 * 3600)

/* base64url without padding of `len` bytes into out (4*len/3 rounded up, and a NUL). */
void cookie_b64url(const uint8_t *in, size_t len, char *out);

/*
 * The value of cookie `name` in a Cookie header's value (`a=1; name=v`): 1 and
 * *val and *vlen pointing into `header`, else 0. The first one wins.
 */
int cookie_find(const char *header, size_t len, const char *name, const char **val,
		size_t *vlen);

/* A session id as the cookie carries it: COOKIE_TEXT_LEN base64url characters back to
 * COOKIE_ID_LEN bytes. 0, or -1 when it is not one. */
int cookie_decode_id(const char *text, size_t len, uint8_t id[COOKIE_ID_LEN]);

/* A fresh session id: its bytes and its cookie text. 0 or -1 (no randomness). */
int cookie_new_id(uint8_t id[COOKIE_ID_LEN], char text[COOKIE_TEXT_LEN + 1]);

/* The keyed hash a session is stored under: HMAC-SHA-256(secret, "session" || id). */
void cookie_session_hash(const uint8_t secret[PROSUM_SECRET_LEN], const uint8_t id[COOKIE_ID_LEN],
			 uint8_t out[32]);

/* The session's CSRF token: base64url(HMAC-SHA-256(secret, "csrf" || id)). */
void cookie_csrf(const uint8_t secret[PROSUM_SECRET_LEN], const uint8_t id[COOKIE_ID_LEN],
		 char out[COOKIE_CSRF_LEN + 1]);

/* Is the header value `got` exactly `want` (a NUL-terminated token)? Compared in time
 * independent of where they differ. */
int cookie_csrf_equal(const char *got, size_t len, const char *want);

/* 1 when the request has no Origin header or one naming this server (https:// and the
 * request's Host, case-insensitively), else 0. */
int cookie_origin_ok(const http_request *req);

/* The Set-Cookie header line (with CRLF) that sets the session cookie to `text`, or with
 * text NULL clears it. Attributes: Max-Age (the absolute limit; 0 to clear), HttpOnly;
 * Secure; SameSite=Strict; Path=/. */
void cookie_set_header(char *out, size_t outsz, const char *text);

#endif
