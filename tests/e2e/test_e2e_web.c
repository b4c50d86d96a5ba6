/* test_e2e_web.c - the web app from a real prosumd: the page for every app path, immutable gzip assets, security headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "fixture.h"
#include "harness.h"

/* One raw answer: the head as text, the body as bytes. */
typedef struct answer {
	char raw[256 * 1024];
	size_t len;
	int status;
	const char *body;
	size_t body_len;
} answer;

/* Send "METHOD PATH" with `headers` (CRLF-ended lines, may be "") and read the whole answer
 * (the connection closes after it). The bound is generous for a loaded machine. */
static void exchange(e2e_server *s, const char *method, const char *path, const char *headers,
		     answer *a)
{
	char req[2048];
	char *end;
	ssize_t n;

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n",
		 method, path, headers);
	n = e2e_tls_exchange(s, req, strlen(req), a->raw, sizeof(a->raw), 30000);
	assert_true(n > 12);
	a->len = (size_t)n;
	a->status = (int)strtol(a->raw + 9, NULL, 10);
	end = strstr(a->raw, "\r\n\r\n");
	assert_non_null(end);
	a->body = end + 4;
	a->body_len = a->len - (size_t)(a->body - a->raw);
}

/* The value of header `name` in the answer's head (into out), or NULL when absent. */
static const char *header(const answer *a, const char *name, char *out, size_t outsz)
{
	const char *p = strstr(a->raw, "\r\n") + 2;
	size_t nlen = strlen(name);

	while (p < a->body - 2) {
		const char *eol = strstr(p, "\r\n");

		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;

			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(eol - v), v);
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

static void assert_header(const answer *a, const char *name, const char *value)
{
	char v[1024];

	if (!header(a, name, v, sizeof(v)))
		fail_msg("no %s header in:\n%.*s", name, (int)(a->body - a->raw), a->raw);
	assert_string_equal(v, value);
}

#define CSP                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "             \
	"frame-ancestors 'none'"

static void assert_security_headers(const answer *a)
{
	assert_header(a, "Content-Security-Policy", CSP);
	assert_header(a, "X-Content-Type-Options", "nosniff");
	assert_header(a, "Referrer-Policy", "no-referrer");
	assert_header(a, "X-Frame-Options", "DENY");
}

/* The app's page: HTML naming its script and style by hashed name, nothing inline. */
static void assert_app_page(const answer *a)
{
	char body[8192];

	assert_int_equal(a->status, 200);
	assert_header(a, "Content-Type", "text/html; charset=utf-8");
	assert_header(a, "Cache-Control", "no-cache");
	assert_security_headers(a);
	assert_true(a->body_len < sizeof(body));
	memcpy(body, a->body, a->body_len);
	body[a->body_len] = '\0';
	assert_non_null(strstr(body, "<script type=\"module\" src=\"/assets/app."));
	assert_non_null(strstr(body, "<link rel=\"stylesheet\" href=\"/assets/app."));
	assert_non_null(strstr(body, "<noscript>"));
	/* no inline script or style for the CSP to refuse */
	assert_null(strstr(body, "<script>"));
	assert_null(strstr(body, "<style"));
	assert_null(strstr(body, "style="));
}

/* "/assets/app.HASH.js" (ext "js": the script's src) or the style sheet's href ("css"). */
static void asset_path(const answer *page, const char *ext, char *out, size_t outsz)
{
	const char *p = strstr(page->body, strcmp(ext, "js") == 0 ? "src=\"/assets/app." :
								    "href=\"/assets/app.");
	const char *q;

	assert_non_null(p);
	p = strchr(p, '"') + 1;
	q = strchr(p, '"');
	snprintf(out, outsz, "%.*s", (int)(q - p), p);
	assert_true(strlen(out) > strlen(ext) + 1 &&
		    strcmp(out + strlen(out) - strlen(ext), ext) == 0);
}

static void test_app_page_everywhere(void **state)
{
	e2e_server *s = *state;
	static const char *const paths[] = {"/", "/signin", "/welcome", "/p/demo/reports/R-1?q=x%20y",
					    "/admin/people", "/no/such/page"};
	answer *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	char etag[128];
	size_t i;

	assert_non_null(a);
	assert_non_null(b);
	exchange(s, "GET", "/", "", a);
	assert_app_page(a);
	assert_non_null(header(a, "ETag", etag, sizeof(etag)));
	/* deep links answer the same page, so the app's own router shows them */
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		exchange(s, "GET", paths[i], "", b);
		assert_app_page(b);
		assert_int_equal(b->body_len, a->body_len);
		assert_memory_equal(b->body, a->body, a->body_len);
	}
	/* HEAD: the same head, no body */
	exchange(s, "HEAD", "/p/demo", "", b);
	assert_int_equal(b->status, 200);
	assert_header(b, "Cache-Control", "no-cache");
	assert_int_equal(b->body_len, 0);
	/* revalidation of the page */
	{
		char inm[200];

		snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", etag);
		exchange(s, "GET", "/p/demo/groups", inm, b);
		assert_int_equal(b->status, 304);
		assert_int_equal(b->body_len, 0);
		assert_security_headers(b);
	}
	free(a);
	free(b);
}

static void test_assets(void **state)
{
	e2e_server *s = *state;
	answer *page = malloc(sizeof(*page)), *plain = malloc(sizeof(*plain)),
	       *gz = malloc(sizeof(*gz));
	char path[128], etag[128], inm[200];
	const char *ext[] = {"js", "css"};
	size_t i;

	assert_non_null(page);
	assert_non_null(plain);
	assert_non_null(gz);
	exchange(s, "GET", "/", "", page);
	for (i = 0; i < 2; i++) {
		unsigned char *inflated;
		uLongf out_len;
		z_stream z;

		asset_path(page, ext[i], path, sizeof(path));
		exchange(s, "GET", path, "", plain);
		assert_int_equal(plain->status, 200);
		assert_header(plain, "Content-Type",
			      i == 0 ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
		assert_header(plain, "Cache-Control", "public, max-age=31536000, immutable");
		assert_header(plain, "Vary", "Accept-Encoding");
		assert_null(header(plain, "Content-Encoding", etag, sizeof(etag)));
		assert_security_headers(plain);
		assert_true(plain->body_len > 100);

		exchange(s, "GET", path, "Accept-Encoding: br, gzip;q=0.9\r\n", gz);
		assert_int_equal(gz->status, 200);
		assert_header(gz, "Content-Encoding", "gzip");
		assert_header(gz, "Cache-Control", "public, max-age=31536000, immutable");
		assert_header(gz, "Vary", "Accept-Encoding");
		assert_security_headers(gz);
		assert_true(gz->body_len < plain->body_len);
		/* the gzip body is the same file */
		out_len = (uLongf)plain->body_len;
		inflated = malloc(out_len + 1);
		assert_non_null(inflated);
		memset(&z, 0, sizeof(z));
		assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
		z.next_in = (Bytef *)gz->body;
		z.avail_in = (uInt)gz->body_len;
		z.next_out = inflated;
		z.avail_out = (uInt)out_len + 1;
		assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
		assert_int_equal(z.total_out, plain->body_len);
		assert_memory_equal(inflated, plain->body, plain->body_len);
		inflateEnd(&z);
		free(inflated);

		/* its ETag: 304 without a body; each representation has its own tag */
		assert_non_null(header(gz, "ETag", etag, sizeof(etag)));
		snprintf(inm, sizeof(inm), "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", etag);
		exchange(s, "GET", path, inm, gz);
		assert_int_equal(gz->status, 304);
		assert_int_equal(gz->body_len, 0);
		assert_header(gz, "ETag", etag);
		assert_header(gz, "Cache-Control", "public, max-age=31536000, immutable");
		snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", etag);
		exchange(s, "GET", path, inm, gz);
		assert_int_equal(gz->status, 200);
	}
	free(page);
	free(plain);
	free(gz);
}

static void test_not_the_app(void **state)
{
	e2e_server *s = *state;
	answer *a = malloc(sizeof(*a));

	assert_non_null(a);
	/* an unknown asset is a JSON 404, never the page */
	exchange(s, "GET", "/assets/app.000000000000.js", "", a);
	assert_int_equal(a->status, 404);
	assert_header(a, "Content-Type", "application/json");
	assert_non_null(strstr(a->body, "\"not_found\""));
	assert_security_headers(a);
	/* the API keeps its own 404 */
	exchange(s, "GET", "/api/nope", "", a);
	assert_int_equal(a->status, 404);
	assert_header(a, "Content-Type", "application/json");
	assert_non_null(strstr(a->body, "\"not_found\""));
	assert_security_headers(a);
	exchange(s, "GET", "/api/v1/projects/demo/nothing-here", "", a);
	assert_int_equal(a->status, 404);
	assert_header(a, "Content-Type", "application/json");
	/* health stays plain text, with the headers too */
	exchange(s, "GET", "/healthz", "", a);
	assert_int_equal(a->status, 200);
	assert_string_equal(a->body, "ok\n");
	assert_security_headers(a);
	/* only GET and HEAD are the app's */
	exchange(s, "POST", "/p/demo", "Content-Length: 0\r\n", a);
	assert_int_equal(a->status, 404);
	assert_header(a, "Content-Type", "application/json");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_app_page_everywhere),
	    cmocka_unit_test(test_assets),
	    cmocka_unit_test(test_not_the_app),
	};

	return cmocka_run_group_tests(tests, e2e_setup_started, e2e_teardown_stopped);
}
