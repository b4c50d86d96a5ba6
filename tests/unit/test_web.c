/* test_web.c - the web app's static serving: asset lookup, gzip negotiation, ETags, which paths are the app's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "net/conn.h"
#include "http/http.h"
#include "web/assets.h"
#include "web/static.h"

/* ---- an asset table of the test's own (the generated one changes with every build) ---- */

static const unsigned char js[] = "console.log(1)";
static const unsigned char js_gz[] = "GZ-OF-JS";
static const unsigned char page[] = "<!doctype html><title>t</title>";
static const unsigned char page_gz[] = "GZ-OF-PAGE";

const web_asset web_assets[] = {
    {"/assets/app.0123456789ab.js", "text/javascript; charset=utf-8", "\"0123456789ab\"",
     "\"0123456789ab.gz\"", js, sizeof(js) - 1, js_gz, sizeof(js_gz) - 1},
    {"/assets/icon.aaaaaaaaaaaa.svg", "image/svg+xml", "\"aaaaaaaaaaaa\"", "\"aaaaaaaaaaaa.gz\"",
     page, 3, NULL, 0},
};
const size_t web_asset_count = 2;
const web_asset web_index = {"/index.html",   "text/html; charset=utf-8",
			     "\"ffffffffffff\"", "\"ffffffffffff.gz\"",
			     page,            sizeof(page) - 1,
			     page_gz,         sizeof(page_gz) - 1};

/* ---- the connection, as the handler sees it: what it answered ---- */

static struct {
	int status;
	char type[128];
	char extra[1024];
	char body[256];
	size_t len;
	char code[64];
} answer;

void conn_reply(conn *c, int status, const char *content_type, const char *body,
		size_t len, const char *extra_headers)
{
	(void)c;
	answer.status = status;
	snprintf(answer.type, sizeof(answer.type), "%s", content_type ? content_type : "");
	snprintf(answer.extra, sizeof(answer.extra), "%s", extra_headers ? extra_headers : "");
	answer.len = len < sizeof(answer.body) - 1 ? len : sizeof(answer.body) - 1;
	memcpy(answer.body, body, answer.len);
	answer.body[answer.len] = '\0';
}

void conn_reply_error(conn *c, int status, const char *code, const char *message,
		      const char *field)
{
	(void)c;
	(void)message;
	(void)field;
	memset(&answer, 0, sizeof(answer));
	answer.status = status;
	snprintf(answer.type, sizeof(answer.type), "application/json");
	snprintf(answer.code, sizeof(answer.code), "%s", code);
}

/* Parse `head` (the whole request head) into *req; the text must outlive it. */
static void parse(http_request *req, const char *head)
{
	http_limits lim = {8192, 65536, 100};
	int status;

	assert_int_equal(http_parse_head(req, head, strlen(head), &lim, &status),
			 (ssize_t)strlen(head));
}

/* Serve one request and return the answer's status. */
static int serve(const char *head)
{
	static http_request req;
	request rq;

	memset(&answer, 0, sizeof(answer));
	memset(&rq, 0, sizeof(rq));
	parse(&req, head);
	rq.http = &req;
	assert_true(web_static_owns(&req));
	web_static_serve(&rq);
	return answer.status;
}

static void test_asset_find(void **state)
{
	const char *p = "/assets/app.0123456789ab.js";

	(void)state;
	assert_ptr_equal(web_asset_find(p, strlen(p)), &web_assets[0]);
	/* exact names only: no prefix, no longer name, no other case */
	assert_null(web_asset_find(p, strlen(p) - 1));
	assert_null(web_asset_find("/assets/app.0123456789ab.jsx", 28));
	assert_null(web_asset_find("/assets/APP.0123456789ab.js", strlen(p)));
	assert_null(web_asset_find("/assets/", 8));
	assert_null(web_asset_find("", 0));
}

static void test_owns(void **state)
{
	static const struct {
		const char *head;
		int owned;
	} cases[] = {
	    {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1},
	    {"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", 1},
	    {"GET /p/demo/groups?status=open HTTP/1.1\r\nHost: h\r\n\r\n", 1},
	    {"GET /assets/app.0123456789ab.js HTTP/1.1\r\nHost: h\r\n\r\n", 1},
	    {"GET /apix HTTP/1.1\r\nHost: h\r\n\r\n", 1},
	    {"GET /api/v1/nope HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"GET /api/1/envelope/ HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"GET /api HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", 0},
	    {"DELETE /account HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	    {"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_request req;

		parse(&req, cases[i].head);
		if (web_static_owns(&req) != cases[i].owned)
			fail_msg("case %zu: %s", i, cases[i].head);
	}
}

static void test_accepts_gzip(void **state)
{
	static const struct {
		const char *value; /* NULL: no header */
		int gzip;
	} cases[] = {
	    {NULL, 0},
	    {"", 0},
	    {"gzip", 1},
	    {"GZIP", 1},
	    {"x-gzip", 1},
	    {"gzip, deflate, br", 1},
	    {"br, gzip;q=0.8", 1},
	    {"deflate, br", 0},
	    {"identity", 0},
	    {"gzip;q=0", 0},
	    {"gzip; q=0.000", 0},
	    {"gzip;q=0.001", 1},
	    {"*", 1},
	    {"*;q=0", 0},
	    {"gzipper", 0},
	    {"  gzip  ;q=1", 1},
	};
	char head[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_request req;

		if (cases[i].value)
			snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: %s\r\n\r\n",
				 cases[i].value);
		else
			snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		parse(&req, head);
		if (web_accepts_gzip(&req) != cases[i].gzip)
			fail_msg("case %zu: \"%s\"", i, cases[i].value ? cases[i].value : "(none)");
	}
}

static void test_etag_matches(void **state)
{
	static const struct {
		const char *inm;
		int match;
	} cases[] = {
	    {"\"abc\"", 1},
	    {"W/\"abc\"", 1},
	    {"\"x\", \"abc\"", 1},
	    {"\"x\",W/\"abc\"", 1},
	    {"*", 1},
	    {"\"abcd\"", 0},
	    {"\"ab\"", 0},
	    {"abc", 0},
	    {"\"abc", 0},
	    {"", 0},
	    {" , ", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_slice s = {cases[i].inm, strlen(cases[i].inm)};

		if (web_etag_matches(s, "\"abc\"") != cases[i].match)
			fail_msg("case %zu: %s", i, cases[i].inm);
	}
}

static void test_serve_asset(void **state)
{
	(void)state;
	/* gzip when accepted, with its own ETag, cached for a year */
	assert_int_equal(serve("GET /assets/app.0123456789ab.js HTTP/1.1\r\nHost: h\r\n"
			       "Accept-Encoding: gzip, br\r\n\r\n"),
			 200);
	assert_string_equal(answer.type, "text/javascript; charset=utf-8");
	assert_string_equal(answer.body, "GZ-OF-JS");
	assert_string_equal(answer.extra, "Cache-Control: public, max-age=31536000, immutable\r\n"
					  "ETag: \"0123456789ab.gz\"\r\n"
					  "Vary: Accept-Encoding\r\n"
					  "Content-Encoding: gzip\r\n");
	/* the bytes as they are otherwise */
	assert_int_equal(serve("GET /assets/app.0123456789ab.js HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
	assert_string_equal(answer.body, "console.log(1)");
	assert_string_equal(answer.extra, "Cache-Control: public, max-age=31536000, immutable\r\n"
					  "ETag: \"0123456789ab\"\r\n"
					  "Vary: Accept-Encoding\r\n");
	/* an asset without a gzip form is sent as it is even when gzip is accepted */
	assert_int_equal(serve("GET /assets/icon.aaaaaaaaaaaa.svg HTTP/1.1\r\nHost: h\r\n"
			       "Accept-Encoding: gzip\r\n\r\n"),
			 200);
	assert_null(strstr(answer.extra, "Content-Encoding"));
	assert_int_equal(answer.len, 3);
	/* 304 for the tag of the representation asked for; the other tag does not match */
	assert_int_equal(serve("GET /assets/app.0123456789ab.js HTTP/1.1\r\nHost: h\r\n"
			       "Accept-Encoding: gzip\r\nIf-None-Match: \"0123456789ab.gz\"\r\n\r\n"),
			 304);
	assert_int_equal(answer.len, 0);
	assert_non_null(strstr(answer.extra, "ETag: \"0123456789ab.gz\"\r\n"));
	assert_int_equal(serve("GET /assets/app.0123456789ab.js HTTP/1.1\r\nHost: h\r\n"
			       "If-None-Match: \"0123456789ab.gz\"\r\n\r\n"),
			 200);
	/* an unknown asset is a JSON 404, never the page */
	assert_int_equal(serve("GET /assets/app.ffffffffffff.js HTTP/1.1\r\nHost: h\r\n\r\n"), 404);
	assert_string_equal(answer.code, "not_found");
	assert_string_equal(answer.type, "application/json");
	assert_int_equal(serve("GET /assets/ HTTP/1.1\r\nHost: h\r\n\r\n"), 404);
}

static void test_serve_page(void **state)
{
	static const char *const paths[] = {"/", "/signin", "/p/demo/groups/G-1?x=1", "/index.html",
					    "/assets", "/no/such/page"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char head[256];

		snprintf(head, sizeof(head), "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", paths[i]);
		assert_int_equal(serve(head), 200);
		assert_string_equal(answer.type, "text/html; charset=utf-8");
		assert_string_equal(answer.body, (const char *)page);
		assert_string_equal(answer.extra, "Cache-Control: no-cache\r\n"
						  "ETag: \"ffffffffffff\"\r\n"
						  "Vary: Accept-Encoding\r\n");
	}
	assert_int_equal(serve("GET /p/demo HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n"
			       "If-None-Match: \"ffffffffffff.gz\"\r\n\r\n"),
			 304);
	assert_non_null(strstr(answer.extra, "Cache-Control: no-cache\r\n"));
}

static void test_security_headers(void **state)
{
	(void)state;
	/* The policy the web app is written for (docs/web.md): nothing inline, nothing foreign. */
	assert_string_equal(HTTP_SECURITY_HEADERS,
			    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
			    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
			    "object-src 'none'; base-uri 'none'; form-action 'self'; "
			    "frame-ancestors 'none'\r\n"
			    "X-Content-Type-Options: nosniff\r\n"
			    "Referrer-Policy: no-referrer\r\n"
			    "X-Frame-Options: DENY\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_asset_find),   cmocka_unit_test(test_owns),
	    cmocka_unit_test(test_accepts_gzip), cmocka_unit_test(test_etag_matches),
	    cmocka_unit_test(test_serve_asset),  cmocka_unit_test(test_serve_page),
	    cmocka_unit_test(test_security_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
