/* test_password.c - PBKDF2 passwords, the session cookie, its CSRF token and the Origin check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/cookie.h"
#include "api/password.h"
#include "http/http.h"

/* RFC 7914 section 11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1, dkLen=64). */
static void test_pbkdf2_vector(void **state)
{
	static const uint8_t want[64] = {
	    0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25,
	    0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b,
	    0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc, 0x49, 0xca, 0x9c, 0xcc, 0xf1, 0x79, 0xb6,
	    0x45, 0x99, 0x16, 0x64, 0xb3, 0x9d, 0x77, 0xef, 0x31, 0x7c, 0x71, 0xb8, 0x45,
	    0xb1, 0xe3, 0x0b, 0xd5, 0x09, 0x11, 0x20, 0x41, 0xd3, 0xa1, 0x97, 0x83};
	uint8_t got[64];

	(void)state;
	assert_int_equal(password_pbkdf2("passwd", 6, (const uint8_t *)"salt", 4, 1, got, 64), 0);
	assert_memory_equal(got, want, 64);
	/* No iterations is no hash. */
	assert_int_equal(password_pbkdf2("passwd", 6, (const uint8_t *)"salt", 4, 0, got, 64), -1);
}

static void test_hash_and_verify(void **state)
{
	uint8_t salt[PASSWORD_SALT_LEN], salt2[PASSWORD_SALT_LEN], h[32], h2[32];

	(void)state;
	assert_int_equal(password_hash("correct horse", 13, 1000, salt, h), 0);
	assert_true(password_verify("correct horse", 13, salt, 1000, h));
	assert_false(password_verify("correct horsE", 13, salt, 1000, h));
	assert_false(password_verify("correct horse", 13, salt, 999, h));
	/* Each hash has its own salt: the same password hashes differently. */
	assert_int_equal(password_hash("correct horse", 13, 1000, salt2, h2), 0);
	assert_memory_not_equal(salt, salt2, sizeof(salt));
	assert_memory_not_equal(h, h2, sizeof(h));
	assert_non_null(password_check("short", 5));
	assert_null(password_check("long enough", 11));
}

/* Not an assertion: what one hash at the production work factor costs on this machine, for
 * docs/accounts.md (a sanitizer build is several times slower than a release one). */
static void test_measure_cost(void **state)
{
	struct timespec a, b;
	uint8_t salt[PASSWORD_SALT_LEN], h[32];

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(password_hash("correct horse battery", 21, PASSWORD_ITERATIONS, salt, h), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("pbkdf2-hmac-sha256, %d iterations: %.3f s\n", PASSWORD_ITERATIONS,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

static void test_cookie_find(void **state)
{
	const char *h = "theme=dark; prosum_session=abc;x=1", *v;
	size_t n;

	(void)state;
	assert_true(cookie_find(h, strlen(h), COOKIE_NAME, &v, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(v, "abc", 3);
	/* A longer name that starts alike is another cookie. */
	h = "prosum_session2=zzz; prosum_session=  ";
	assert_true(cookie_find(h, strlen(h), COOKIE_NAME, &v, &n));
	assert_int_equal(n, 0);
	h = "prosum_sessionx=1";
	assert_false(cookie_find(h, strlen(h), COOKIE_NAME, &v, &n));
	assert_false(cookie_find("", 0, COOKIE_NAME, &v, &n));
}

static void test_session_id_text(void **state)
{
	uint8_t id[COOKIE_ID_LEN], back[COOKIE_ID_LEN];
	char text[COOKIE_TEXT_LEN + 1], bad[COOKIE_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(cookie_new_id(id, text), 0);
	assert_int_equal(strlen(text), 43);
	assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 43);
	assert_int_equal(cookie_decode_id(text, 43, back), 0);
	assert_memory_equal(id, back, sizeof(id));
	/* Wrong length, a character outside base64url, or stray low bits: not an id. */
	assert_int_equal(cookie_decode_id(text, 42, back), -1);
	memcpy(bad, text, sizeof(bad));
	bad[5] = '+';
	assert_int_equal(cookie_decode_id(bad, 43, back), -1);
	memset(id, 0, sizeof(id));
	cookie_b64url(id, sizeof(id), bad);
	bad[42] = 'B'; /* the last character's two spare bits set */
	assert_int_equal(cookie_decode_id(bad, 43, back), -1);
}

static void test_csrf(void **state)
{
	uint8_t secret[PROSUM_SECRET_LEN] = {1}, other[PROSUM_SECRET_LEN] = {2};
	uint8_t id[COOKIE_ID_LEN] = {9}, h1[32], h2[32];
	char a[COOKIE_CSRF_LEN + 1], b[COOKIE_CSRF_LEN + 1];

	(void)state;
	cookie_csrf(secret, id, a);
	cookie_csrf(other, id, b);
	assert_int_equal(strlen(a), 43);
	assert_string_not_equal(a, b);
	assert_true(cookie_csrf_equal(a, strlen(a), a));
	assert_false(cookie_csrf_equal(b, strlen(b), a));
	assert_false(cookie_csrf_equal(a, strlen(a) - 1, a));
	assert_false(cookie_csrf_equal("", 0, a));
	/* The stored hash of a session depends on the secret too. */
	cookie_session_hash(secret, id, h1);
	cookie_session_hash(other, id, h2);
	assert_memory_not_equal(h1, h2, 32);
}

static void test_set_cookie_header(void **state)
{
	char h[256];

	(void)state;
	cookie_set_header(h, sizeof(h), "abc");
	assert_string_equal(h, "Set-Cookie: prosum_session=abc; Max-Age=2592000; HttpOnly; Secure; "
			       "SameSite=Strict; Path=/\r\n");
	cookie_set_header(h, sizeof(h), NULL);
	assert_string_equal(h, "Set-Cookie: prosum_session=; Max-Age=0; HttpOnly; Secure; "
			       "SameSite=Strict; Path=/\r\n");
}

static const http_limits lim = {8192, 32768, 64};

/* Parse a request head into req (its slices point into `text`). */
static void parse(http_request *req, const char *text)
{
	int status = 0;

	assert_int_equal(http_parse_head(req, text, strlen(text), &lim, &status),
			 (ssize_t)strlen(text));
}

static void test_request_credentials(void **state)
{
	static const uint8_t secret[AUTH_SECRET_LEN] = {3};
	uint8_t id[COOKIE_ID_LEN];
	char text[COOKIE_TEXT_LEN + 1], csrf[COOKIE_CSRF_LEN + 1], head[1024];
	http_request req;
	auth_creds c;

	(void)state;
	assert_int_equal(cookie_new_id(id, text), 0);
	cookie_csrf(secret, id, csrf);

	/* A GET with the cookie: signed in, nothing else needed. */
	snprintf(head, sizeof(head), "GET /x HTTP/1.1\r\nHost: h:1\r\nCookie: a=b; prosum_session=%s\r\n\r\n",
		 text);
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_true(c.has_session);
	assert_false(c.unsafe);
	assert_true(c.origin_ok);
	assert_string_equal(c.csrf, csrf);
	assert_true(auth_has_any(&c));

	/* A PATCH without the header, with a wrong one, with the right one. */
	snprintf(head, sizeof(head), "PATCH /x HTTP/1.1\r\nHost: h:1\r\nCookie: prosum_session=%s\r\n\r\n",
		 text);
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_true(c.unsafe);
	assert_false(c.csrf_ok);
	snprintf(head, sizeof(head),
		 "PATCH /x HTTP/1.1\r\nHost: h:1\r\nCookie: prosum_session=%s\r\nX-Prosum-CSRF: %.42s%c\r\n\r\n",
		 text, csrf, csrf[42] == 'A' ? 'B' : 'A');
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_false(c.csrf_ok);
	snprintf(head, sizeof(head),
		 "PATCH /x HTTP/1.1\r\nHost: h:1\r\nCookie: prosum_session=%s\r\nX-Prosum-CSRF: %s\r\n"
		 "Origin: https://h:1\r\n\r\n",
		 text, csrf);
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_true(c.csrf_ok);
	assert_true(c.origin_ok);

	/* Another site's Origin. */
	snprintf(head, sizeof(head),
		 "POST /x HTTP/1.1\r\nHost: h:1\r\nOrigin: https://evil.example\r\n\r\n");
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_false(c.origin_ok);
	assert_false(c.has_session);
	assert_false(auth_has_any(&c));
	snprintf(head, sizeof(head), "POST /x HTTP/1.1\r\nHost: h:1\r\nOrigin: http://h:1\r\n\r\n");
	parse(&req, head);
	auth_from_request(&c, &req, secret);
	assert_false(c.origin_ok);

	/* A cookie that is not an id is no session. */
	parse(&req, "GET /x HTTP/1.1\r\nHost: h\r\nCookie: prosum_session=nope\r\n\r\n");
	auth_from_request(&c, &req, secret);
	assert_false(c.has_session);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbkdf2_vector),
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_measure_cost),
		cmocka_unit_test(test_cookie_find),
		cmocka_unit_test(test_session_id_text),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_set_cookie_header),
		cmocka_unit_test(test_request_credentials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
