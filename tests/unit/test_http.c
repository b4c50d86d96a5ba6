/* test_http.c - unit tests of the HTTP/1.1 head parser, body decoders and response head writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/http.h"

/* A literal with its length, so inputs may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

static const http_limits lim_default = {8192, 32768, 64};

/* Deterministic pseudo-random numbers for split points (xorshift64). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static ssize_t parse(http_request *req, const char *in, size_t len, const http_limits *lim,
		     int *status)
{
	*status = -1;
	return http_parse_head(req, in, len, lim ? lim : &lim_default, status);
}

/* A slice must point inside the buffer it was parsed from. */
static void assert_slice_in(http_slice s, const char *in, size_t len)
{
	if (s.len == 0)
		return;
	assert_true(s.p >= in);
	assert_true(s.p + s.len <= in + len);
}

static void assert_slice(http_slice s, const char *want)
{
	if (!http_slice_eq(s, want))
		fail_msg("slice \"%.*s\" != \"%s\"", (int)s.len, s.p ? s.p : "", want);
}

/* ---- hostile and valid heads, table-driven ---- */

#define WHOLE 0 /* expected return: the whole input is the head */

typedef struct parse_case {
	const char *name;
	const char *in;
	size_t len;
	ssize_t ret;
	int status;
} parse_case;

/* clang-format off */
static const parse_case parse_cases[] = {
	{"minimal 1.1", S("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), WHOLE, 0},
	{"minimal 1.0", S("GET / HTTP/1.0\r\n\r\n"), WHOLE, 0},
	{"bare LF line ends", S("GET / HTTP/1.1\nHost: a\n\n"), WHOLE, 0},
	{"mixed line ends", S("GET / HTTP/1.1\r\nHost: a\n\r\n"), WHOLE, 0},
	{"leading empty lines skipped", S("\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), WHOLE, 0},
	{"extension method", S("PROPFIND /x HTTP/1.1\r\nHost: h\r\n\r\n"), WHOLE, 0},
	{"odd but valid tokens", S("M!#$%&'*+-.^_`|~9 / HTTP/1.1\r\nHost: h\r\nX!#$%&'*+-.^_`|~: v\r\n\r\n"),
	 WHOLE, 0},
	{"empty header value", S("GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Ws: \t \r\n\r\n"), WHOLE, 0},
	{"obs-text in value", S("GET / HTTP/1.1\r\nHost: h\r\nX-Name: Andr\xc3\xa9\r\n\r\n"), WHOLE, 0},
	{"tab inside value", S("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb\r\n\r\n"), WHOLE, 0},
	{"all visible bytes in target", S("GET /a-z_A.Z~0!$&'()*+,;=:@%20?q=/?#[] HTTP/1.1\r\nHost: h\r\n\r\n"),
	 WHOLE, 0},

	/* request line */
	{"empty input is incomplete", S(""), HTTP_INCOMPLETE, 0},
	{"no method", S(" / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"method not a token", S("GE(T / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"method with NUL", S("GE\0T / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"two spaces after method", S("GET  / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"tab as separator", S("GET\t/ HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"two spaces before version", S("GET /  HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"target not starting with /", S("GET foo HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"absolute-form target", S("GET http://a/ HTTP/1.1\r\n\r\n"), WHOLE, 0},
	{"absolute-form https with port", S("GET HTTPS://a.b:8443/x?y HTTP/1.1\r\nHost: h\r\n\r\n"),
	 WHOLE, 0},
	{"absolute-form other scheme", S("GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_ERROR,
	 400},
	{"absolute-form empty authority", S("GET https:///x HTTP/1.1\r\nHost: a\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"absolute-form userinfo", S("GET https://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_ERROR,
	 400},
	{"asterisk-form target", S("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), WHOLE, 0},
	{"asterisk-form with GET", S("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), HTTP_ERROR, 400},
	{"control byte in target", S("GET /a\x01z HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"NUL in target", S("GET /a\0z HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"DEL in target", S("GET /a\x7fz HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"raw UTF-8 in target", S("GET /\xc3\xa9 HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"HTTP/0.9 request", S("GET /\r\n\r\n"), HTTP_ERROR, 400},
	{"no target", S("GET HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"space after version", S("GET / HTTP/1.1 \r\n\r\n"), HTTP_ERROR, 400},
	{"lower-case version", S("GET / http/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"version without minor", S("GET / HTTP/1\r\n\r\n"), HTTP_ERROR, 400},
	{"version with junk", S("GET / HTTP/1.1x\r\n\r\n"), HTTP_ERROR, 400},
	{"version garbage", S("GET / FTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"version missing digits", S("GET / HTTP/.1\r\n\r\n"), HTTP_ERROR, 400},
	{"HTTP/2.0", S("GET / HTTP/2.0\r\n\r\n"), HTTP_ERROR, 505},
	{"HTTP/1.2", S("GET / HTTP/1.2\r\n\r\n"), HTTP_ERROR, 505},
	{"HTTP/0.9 version", S("GET / HTTP/0.9\r\n\r\n"), HTTP_ERROR, 505},
	{"HTTP/10.10", S("GET / HTTP/10.10\r\n\r\n"), HTTP_ERROR, 505},
	{"bad method before bad version", S("G@T / HTTP/2.0\r\n\r\n"), HTTP_ERROR, 400},
	{"bare CR in request line", S("GET / HTTP/1.1\rHost: a\r\n\r\n"), HTTP_ERROR, 400},
	{"CR before request line", S("\rGET / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},

	/* header lines */
	{"obsolete line folding", S("GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n"), HTTP_ERROR, 400},
	{"folding with tab", S("GET / HTTP/1.1\r\nX-A: b\r\n\tc\r\n\r\n"), HTTP_ERROR, 400},
	{"whitespace before first header", S("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), HTTP_ERROR,
	 400},
	{"space before colon", S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), HTTP_ERROR, 400},
	{"no colon", S("GET / HTTP/1.1\r\nHost a\r\n\r\n"), HTTP_ERROR, 400},
	{"empty name", S("GET / HTTP/1.1\r\n: a\r\n\r\n"), HTTP_ERROR, 400},
	{"name not a token", S("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n"), HTTP_ERROR, 400},
	{"NUL in name", S("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n"), HTTP_ERROR, 400},
	{"NUL in value", S("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n"), HTTP_ERROR, 400},
	{"ESC in value", S("GET / HTTP/1.1\r\nX-A: a\x1b[0m\r\n\r\n"), HTTP_ERROR, 400},
	{"DEL in value", S("GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n"), HTTP_ERROR, 400},
	{"bare CR in value", S("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n"), HTTP_ERROR, 400},
	{"bare CR ending a value", S("GET / HTTP/1.1\r\nX-A: a\r\r\n\r\n"), HTTP_ERROR, 400},
	{"bare CR as blank line", S("GET / HTTP/1.1\r\nX-A: a\r\n\r\r\n"), HTTP_ERROR, 400},
	{"CR CR LF as blank line", S("GET / HTTP/1.1\r\n\r\r\n"), HTTP_ERROR, 400},

	/* message framing */
	{"content-length", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"), WHOLE, 0},
	{"content-length leading zeros", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n"), WHOLE,
	 0},
	{"content-length int64 max",
	 S("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n"), WHOLE, 0},
	{"content-length overflow",
	 S("POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n"), HTTP_ERROR, 400},
	{"content-length huge",
	 S("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"), HTTP_ERROR, 400},
	{"content-length negative", S("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), HTTP_ERROR,
	 400},
	{"content-length plus sign", S("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"content-length empty", S("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), HTTP_ERROR, 400},
	{"content-length not numeric", S("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"content-length hex", S("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n"), HTTP_ERROR,
	 400},
	{"content-length inner space", S("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"content-length list", S("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"), HTTP_ERROR,
	 400},
	{"content-length twice, same",
	 S("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ncontent-length: 05\r\n\r\n"), WHOLE, 0},
	{"content-length twice, differing",
	 S("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), HTTP_ERROR, 400},
	{"content-length twice, second bad",
	 S("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: x\r\n\r\n"), HTTP_ERROR, 400},
	{"chunked", S("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), WHOLE, 0},
	{"chunked any case", S("POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding:  ChUnKeD \r\n\r\n"), WHOLE,
	 0},
	{"TE gzip", S("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), HTTP_ERROR, 400},
	{"TE gzip, chunked", S("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"TE chunked, chunked",
	 S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"), HTTP_ERROR, 400},
	{"TE identity", S("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n"), HTTP_ERROR,
	 400},
	{"TE empty", S("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n"), HTTP_ERROR, 400},
	{"TE chunked with junk", S("POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"TE twice",
	 S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"TE and CL (smuggling)",
	 S("POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"CL after TE (smuggling)",
	 S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"),
	 HTTP_ERROR, 400},
	{"TE in HTTP/1.0", S("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HTTP_ERROR,
	 400},

	/* content coding */
	{"gzip", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n\r\n"), WHOLE, 0},
	{"x-gzip", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: X-GZIP\r\n\r\n"), WHOLE, 0},
	{"identity", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: identity\r\n\r\n"), WHOLE, 0},
	{"identity, gzip", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: identity, gzip\r\n\r\n"), WHOLE,
	 0},
	{"br", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: br\r\n\r\n"), WHOLE, 0},
	{"deflate", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: deflate\r\n\r\n"), WHOLE, 0},
	{"zstd", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: zstd\r\n\r\n"), WHOLE, 0},
	{"compress", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: compress\r\n\r\n"), HTTP_ERROR,
	 501},
	{"gzip, br", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip, br\r\n\r\n"), HTTP_ERROR, 501},
	{"gzip twice", S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip, gzip\r\n\r\n"), HTTP_ERROR,
	 501},
	{"gzip in two headers",
	 S("POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Encoding: gzip\r\n\r\n"),
	 HTTP_ERROR, 501},
	{"400 wins over 501",
	 S("POST / HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: -1\r\n\r\n"), HTTP_ERROR,
	 400},

	/* other headers */
	{"host twice", S("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), HTTP_ERROR, 400},
	{"host twice, same", S("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), HTTP_ERROR, 400},
	{"no host in 1.1", S("GET / HTTP/1.1\r\n\r\n"), HTTP_ERROR, 400},
	{"no host in 1.0", S("GET / HTTP/1.0\r\n\r\n"), WHOLE, 0},
	{"host with port", S("GET / HTTP/1.1\r\nHost: example.org:8443\r\n\r\n"), WHOLE, 0},
	{"host IPv6 literal", S("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"), WHOLE, 0},
	{"host pct-encoded", S("GET / HTTP/1.1\r\nHost: a%2Db\r\n\r\n"), WHOLE, 0},
	{"host empty", S("GET / HTTP/1.1\r\nHost:\r\n\r\n"), HTTP_ERROR, 400},
	{"host with space", S("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), HTTP_ERROR, 400},
	{"host with userinfo", S("GET / HTTP/1.1\r\nHost: u@h\r\n\r\n"), HTTP_ERROR, 400},
	{"host port too big", S("GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n"), HTTP_ERROR, 400},
	{"host port not numeric", S("GET / HTTP/1.1\r\nHost: h:x\r\n\r\n"), HTTP_ERROR, 400},
	{"host only a port", S("GET / HTTP/1.1\r\nHost: :80\r\n\r\n"), HTTP_ERROR, 400},
	{"host bad in 1.0", S("GET / HTTP/1.0\r\nHost: a b\r\n\r\n"), HTTP_ERROR, 400},
	{"host bad pct", S("GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n"), HTTP_ERROR, 400},
	{"host bad, absolute-form", S("GET https://a/ HTTP/1.1\r\nHost: a b\r\n\r\n"), HTTP_ERROR,
	 400},
	{"no host, absolute-form", S("GET https://a:1/x HTTP/1.1\r\n\r\n"), WHOLE, 0},
	{"unknown expectation is ignored", S("GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n"), WHOLE,
	 0},
};
/* clang-format on */

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const parse_case *c = &parse_cases[i];
		ssize_t want = c->ret == WHOLE ? (ssize_t)c->len : c->ret;
		http_request req;
		int status;
		ssize_t got = parse(&req, c->in, c->len, NULL, &status);

		if (got != want || status != c->status)
			fail_msg("case \"%s\": got %zd/%d, want %zd/%d", c->name, got, status, want,
				 c->status);
	}
}

/* Every proper prefix of a valid head is incomplete, never an error. */
static void test_parse_table_prefixes(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const parse_case *c = &parse_cases[i];

		if (c->ret != WHOLE)
			continue;
		for (n = 0; n < c->len; n++) {
			http_request req;
			int status;
			ssize_t got = parse(&req, c->in, n, NULL, &status);

			if (got != HTTP_INCOMPLETE || status != 0)
				fail_msg("case \"%s\" prefix %zu: got %zd/%d", c->name, n, got,
					 status);
		}
	}
}

/* ---- limits ---- */

/* Build "GET /aaa...a HTTP/1.0" whose request line is exactly `n` bytes long. */
static size_t make_request_line(char *out, size_t n)
{
	size_t t = n - strlen("GET  HTTP/1.1");

	memcpy(out, "GET /", 5);
	memset(out + 5, 'a', t - 1);
	memcpy(out + 4 + t, " HTTP/1.0", 9); /* 1.0: no Host needed */
	return n;
}

static void test_limit_request_line(void **state)
{
	const http_limits lim = {64, 4096, 16};
	char in[256];
	size_t n;
	http_request req;
	int status;

	(void)state;
	/* exactly at the limit, CRLF and LF */
	n = make_request_line(in, 64);
	memcpy(in + n, "\r\n\r\n", 4);
	assert_int_equal(parse(&req, in, n + 4, &lim, &status), (ssize_t)n + 4);
	assert_int_equal(status, 0);
	memcpy(in + n, "\n\n", 2);
	assert_int_equal(parse(&req, in, n + 2, &lim, &status), (ssize_t)n + 2);

	/* one over, complete */
	n = make_request_line(in, 65);
	memcpy(in + n, "\r\n\r\n", 4);
	assert_int_equal(parse(&req, in, n + 4, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 414);

	/* one over, with only the line's own bytes so far: refused at once */
	assert_int_equal(parse(&req, in, 65, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 414);
	/* the CR of the line end does not count */
	n = make_request_line(in, 64);
	in[n] = '\r';
	assert_int_equal(parse(&req, in, n + 1, &lim, &status), HTTP_INCOMPLETE);
	assert_int_equal(status, 0);

	/* garbage that never ends is refused by size, not by content */
	memset(in, 'x', sizeof(in));
	assert_int_equal(parse(&req, in, 64, &lim, &status), HTTP_INCOMPLETE);
	assert_int_equal(parse(&req, in, 65, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 414);

	/* leading empty lines do not count towards the line, but do to the head */
	memset(in, '\n', 10);
	n = make_request_line(in + 10, 64);
	memcpy(in + 10 + n, "\r\n\r\n", 4);
	assert_int_equal(parse(&req, in, 10 + n + 4, &lim, &status), (ssize_t)(10 + n + 4));
}

/* A client streaming one endless request line is stopped exactly at the limit. */
static void test_limit_request_line_streamed(void **state)
{
	const http_limits lim = {100, 100000, 16};
	char in[200];
	size_t n;
	http_request req;
	int status;

	(void)state;
	memcpy(in, "GET /", 5);
	memset(in + 5, 'a', sizeof(in) - 5);
	for (n = 0; n <= 100; n++) {
		assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_INCOMPLETE);
		assert_int_equal(status, 0);
	}
	for (; n < sizeof(in); n++) {
		assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
		assert_int_equal(status, 414);
	}
}

/* A client streaming endless header bytes is stopped exactly at the head limit. */
static void test_limit_header_bytes_streamed(void **state)
{
	const http_limits lim = {1024, 1024, 64};
	static const char start[] = "GET / HTTP/1.1\r\nX-Long: ";
	char in[2048];
	size_t n;
	http_request req;
	int status;

	(void)state;
	memcpy(in, start, sizeof(start) - 1);
	memset(in + sizeof(start) - 1, 'v', sizeof(in) - (sizeof(start) - 1));
	for (n = 0; n < 1024; n++) {
		assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_INCOMPLETE);
		assert_int_equal(status, 0);
	}
	for (; n < sizeof(in); n++) {
		assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
		assert_int_equal(status, 431);
	}
}

/* Endless small headers and endless empty lines hit the head limit too. */
static void test_limit_header_bytes_many_lines(void **state)
{
	const http_limits lim = {1024, 1000, 128};
	char in[4096];
	size_t n, i;
	http_request req;
	int status;

	(void)state;
	n = (size_t)snprintf(in, sizeof(in), "GET / HTTP/1.1\r\n");
	/* 33-byte lines: the byte limit, not the count, is what trips */
	for (i = 0; n + 33 < sizeof(in); i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "X-Header-Name: %016zu\r\n", i);
	assert_int_equal(parse(&req, in, 999, &lim, &status), HTTP_INCOMPLETE);
	assert_int_equal(parse(&req, in, 1000, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);

	memset(in, '\n', sizeof(in));
	assert_int_equal(parse(&req, in, 999, &lim, &status), HTTP_INCOMPLETE);
	assert_int_equal(parse(&req, in, 1000, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
}

static void test_limit_header_bytes_exact(void **state)
{
	http_limits lim = {1024, 0, 64};
	static const char in[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
	size_t n = sizeof(in) - 1;
	http_request req;
	int status;

	(void)state;
	lim.max_header_bytes = n;
	assert_int_equal(parse(&req, in, n, &lim, &status), (ssize_t)n);
	lim.max_header_bytes = n - 1;
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
	/* the final LF alone would overflow: known when everything but it is here */
	assert_int_equal(parse(&req, in, n - 1, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
	assert_int_equal(parse(&req, in, n - 2, &lim, &status), HTTP_INCOMPLETE);
}

static size_t make_headers(char *out, size_t outsz, size_t count, int finish)
{
	size_t n = (size_t)snprintf(out, outsz, "GET / HTTP/1.1\r\n"), i;

	/* the first header is the Host an HTTP/1.1 request needs */
	for (i = 0; i < count; i++)
		n += (size_t)(i ? snprintf(out + n, outsz - n, "X-%zu: %zu\r\n", i, i)
				: snprintf(out + n, outsz - n, "Host: h\r\n"));
	if (finish)
		n += (size_t)snprintf(out + n, outsz - n, "\r\n");
	return n;
}

static void test_limit_header_count(void **state)
{
	http_limits lim = {1024, 65536, 8};
	char in[8192];
	size_t n;
	http_request req;
	int status;

	(void)state;
	n = make_headers(in, sizeof(in), 8, 1);
	assert_int_equal(parse(&req, in, n, &lim, &status), (ssize_t)n);
	assert_int_equal(req.nheaders, 8);

	n = make_headers(in, sizeof(in), 9, 1);
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);

	/* refused from the first byte of the ninth header, before its end */
	n = make_headers(in, sizeof(in), 8, 0);
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_INCOMPLETE);
	in[n] = 'X';
	assert_int_equal(parse(&req, in, n + 1, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
	/* but a CR there may be the end of the head */
	in[n] = '\r';
	assert_int_equal(parse(&req, in, n + 1, &lim, &status), HTTP_INCOMPLETE);

	/* a configured limit above the array size is held to HTTP_MAX_HEADERS_HARD */
	lim.max_headers = 100000;
	n = make_headers(in, sizeof(in), HTTP_MAX_HEADERS_HARD, 1);
	assert_int_equal(parse(&req, in, n, &lim, &status), (ssize_t)n);
	assert_int_equal(req.nheaders, HTTP_MAX_HEADERS_HARD);
	n = make_headers(in, sizeof(in), HTTP_MAX_HEADERS_HARD + 1, 1);
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);

	/* zero headers allowed at all (only HTTP/1.0 can do without Host) */
	lim.max_headers = 0;
	n = make_headers(in, sizeof(in), 0, 1);
	in[13] = '0';
	assert_int_equal(parse(&req, in, n, &lim, &status), (ssize_t)n);
	n = make_headers(in, sizeof(in), 1, 1);
	assert_int_equal(parse(&req, in, n, &lim, &status), HTTP_ERROR);
	assert_int_equal(status, 431);
}

/* ---- a valid request in every split ---- */

static const char full_request[] =
    "POST /api/v1/projects/demo/reports?kind=crash&q=a+b HTTP/1.1\r\n"
    "Host: 127.0.0.1:8443\r\n"
    "User-Agent: libprosum/0.1\r\n"
    "X-Prosum-Key:   k3y \t\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 14\r\n"
    "Expect: 100-continue\r\n"
    "Connection: keep-alive\r\n"
    "\r\n"
    "{\"kind\":\"bug\"}";

static void check_full_request(const http_request *req, const char *in, size_t len)
{
	size_t i;

	assert_slice(req->method, "POST");
	assert_slice(req->target, "/api/v1/projects/demo/reports?kind=crash&q=a+b");
	assert_slice(req->path, "/api/v1/projects/demo/reports");
	assert_slice(req->query, "kind=crash&q=a+b");
	assert_int_equal(req->minor_version, 1);
	assert_int_equal(req->nheaders, 7);
	assert_slice(req->headers[0].name, "Host");
	assert_slice(req->headers[0].value, "127.0.0.1:8443");
	assert_slice(req->headers[2].name, "X-Prosum-Key");
	assert_slice(req->headers[2].value, "k3y");
	assert_int_equal(req->content_length, 14);
	assert_int_equal(req->chunked, 0);
	assert_int_equal(req->gzip, 0);
	assert_int_equal(req->keep_alive, 1);
	assert_int_equal(req->expect_continue, 1);
	assert_slice(req->content_type, "application/json");
	assert_slice(req->host, "127.0.0.1:8443");
	assert_slice_in(req->method, in, len);
	assert_slice_in(req->target, in, len);
	assert_slice_in(req->query, in, len);
	assert_slice_in(req->content_type, in, len);
	for (i = 0; i < req->nheaders; i++) {
		assert_slice_in(req->headers[i].name, in, len);
		assert_slice_in(req->headers[i].value, in, len);
	}
}

static void test_every_split(void **state)
{
	const char *body = strstr(full_request, "\r\n\r\n") + 4;
	size_t head = (size_t)(body - full_request), total = sizeof(full_request) - 1, n;
	char *copy;
	http_request req;
	int status;

	(void)state;
	for (n = 0; n < head; n++) {
		/* a fresh heap copy of just the prefix lets ASan catch any over-read */
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, full_request, n);
		assert_int_equal(parse(&req, copy, n, NULL, &status), HTTP_INCOMPLETE);
		assert_int_equal(status, 0);
		free(copy);
	}
	for (n = head; n <= total; n++) {
		copy = malloc(n);
		assert_non_null(copy);
		memcpy(copy, full_request, n);
		assert_int_equal(parse(&req, copy, n, NULL, &status), (ssize_t)head);
		assert_int_equal(status, 0);
		check_full_request(&req, copy, n);
		free(copy);
	}
}

/* The same request with bare LF line ends, in every split. */
static void test_every_split_bare_lf(void **state)
{
	char in[sizeof(full_request)];
	size_t i, o = 0, head, n;
	http_request req;
	int status;

	(void)state;
	for (i = 0; full_request[i]; i++) {
		if (full_request[i] != '\r')
			in[o++] = full_request[i];
	}
	in[o] = '\0';
	head = (size_t)(strstr(in, "\n\n") - in) + 2;
	for (n = 0; n < head; n++)
		assert_int_equal(parse(&req, in, n, NULL, &status), HTTP_INCOMPLETE);
	assert_int_equal(parse(&req, in, o, NULL, &status), (ssize_t)head);
	check_full_request(&req, in, o);
}

/*
 * Random mutations of a valid request: whatever the parser answers must be a
 * documented status, a head it accepts must lie inside the buffer, and that
 * head alone must parse the same way.
 */
static void test_parse_mutations(void **state)
{
	static const unsigned char bytes[] = {'\r', '\n', ' ', '\t', ':', '\0', ',', ';',
					      0x7f, 0x80, 'A', '0',  '/', '?',  '%', '-'};
	size_t len = sizeof(full_request) - 1, round, k, i;
	char *in = malloc(len);
	http_request req, again;
	int status, status2;
	ssize_t ret;

	(void)state;
	assert_non_null(in);
	for (round = 0; round < 20000; round++) {
		size_t n = len;

		memcpy(in, full_request, len);
		for (k = 0; k < 1 + rng() % 4; k++) {
			size_t at = (size_t)(rng() % len);

			in[at] = rng() % 2 ? (char)bytes[rng() % sizeof(bytes)] : (char)rng();
		}
		if (rng() % 4 == 0)
			n = (size_t)(rng() % (len + 1));
		ret = parse(&req, in, n, NULL, &status);
		if (ret == HTTP_INCOMPLETE) {
			assert_int_equal(status, 0);
			continue;
		}
		if (ret == HTTP_ERROR) {
			if (status != 400 && status != 501 && status != 505)
				fail_msg("round %zu: status %d", round, status);
			continue;
		}
		assert_int_equal(status, 0);
		assert_true(ret > 0 && (size_t)ret <= n);
		assert_slice_in(req.method, in, (size_t)ret);
		assert_slice_in(req.target, in, (size_t)ret);
		assert_slice_in(req.content_type, in, (size_t)ret);
		assert_slice_in(req.host, in, (size_t)ret);
		for (i = 0; i < req.nheaders; i++) {
			assert_slice_in(req.headers[i].name, in, (size_t)ret);
			assert_slice_in(req.headers[i].value, in, (size_t)ret);
		}
		assert_int_equal(parse(&again, in, (size_t)ret, NULL, &status2), ret);
		assert_int_equal(again.nheaders, req.nheaders);
		assert_int_equal(again.content_length, req.content_length);
	}
	free(in);
}

/* ---- pipelining ---- */

static void test_pipelined(void **state)
{
	static const char in[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
				 "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
				 "\r\n" /* stray CRLF after a body, tolerated */
				 "GET /c?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	size_t off = 0, len = sizeof(in) - 1;
	http_request req;
	int status;
	ssize_t n;

	(void)state;
	n = parse(&req, in + off, len - off, NULL, &status);
	assert_int_equal(n, 28);
	assert_slice(req.method, "GET");
	assert_slice(req.path, "/a");
	assert_int_equal(req.content_length, -1);
	assert_int_equal(req.keep_alive, 1);
	off += (size_t)n;

	n = parse(&req, in + off, len - off, NULL, &status);
	assert_true(n > 0);
	assert_slice(req.method, "POST");
	assert_slice(req.path, "/b");
	assert_int_equal(req.content_length, 5);
	off += (size_t)n;
	assert_memory_equal(in + off, "hello", 5);
	off += 5;

	n = parse(&req, in + off, len - off, NULL, &status);
	assert_true(n > 0);
	assert_slice(req.method, "GET");
	assert_slice(req.path, "/c");
	assert_slice(req.query, "x=1");
	assert_int_equal(req.keep_alive, 0);
	off += (size_t)n;
	assert_int_equal(off, len);
	assert_int_equal(parse(&req, in + off, len - off, NULL, &status), HTTP_INCOMPLETE);
}

/* A chunked request, then the next one: the decoder hands back the next head. */
static void test_pipelined_chunked(void **state)
{
	static const char in[] = "POST /r HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "4\r\nabcd\r\n0\r\nX-T: 1\r\n\r\n"
				 "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	char work[sizeof(in)];
	http_chunked dec = {0};
	http_request req;
	int status;
	size_t blen;
	ssize_t n, follow;

	(void)state;
	memcpy(work, in, sizeof(in));
	n = parse(&req, work, sizeof(in) - 1, NULL, &status);
	assert_true(n > 0);
	assert_int_equal(req.chunked, 1);
	assert_int_equal(req.content_length, -1);
	blen = sizeof(in) - 1 - (size_t)n;
	follow = http_chunked_decode(&dec, work + n, &blen);
	assert_int_equal(follow, strlen("GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
	assert_int_equal(blen, 4);
	assert_memory_equal(work + n, "abcd", 4);
	assert_int_equal(parse(&req, work + n + blen, (size_t)follow, NULL, &status), follow);
	assert_slice(req.path, "/next");
}

/* ---- derived fields ---- */

typedef struct ka_case {
	const char *in;
	int keep_alive;
} ka_case;

static void test_keep_alive(void **state)
{
	/* clang-format off */
	static const ka_case cases[] = {
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade ,, close ,\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nConnection: close\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n", 1},
		{"GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n", 1},
		{"GET / HTTP/1.1\r\nHost: h\r\nX-Connection: close\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\n\r\n", 0},
		{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: foo,keep-alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0},
		{"GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", 0},
	};
	/* clang-format on */
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_request req;
		int status;
		size_t n = strlen(cases[i].in);

		assert_int_equal(parse(&req, cases[i].in, n, NULL, &status), (ssize_t)n);
		if (req.keep_alive != cases[i].keep_alive)
			fail_msg("case %zu: keep_alive %d", i, req.keep_alive);
	}
}

static void test_derived_fields(void **state)
{
	http_request req;
	int status;
	const char *in;

	(void)state;
	in = "GET / HTTP/1.0\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.content_length, -1);
	assert_int_equal(req.chunked, 0);
	assert_int_equal(req.gzip, 0);
	assert_int_equal(req.expect_continue, 0);
	assert_int_equal(req.content_type.len, 0);
	assert_int_equal(req.host.len, 0);
	assert_int_equal(req.query.len, 0);
	assert_slice(req.path, "/");
	assert_int_equal(req.nheaders, 0);

	in = "POST /x? HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n"
	     "content-encoding: identity, x-gzip\r\ncontent-type:  multipart/form-data ;"
	     "boundary=xyz\r\nContent-Type: text/plain\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.content_length, INT64_MAX);
	assert_int_equal(req.gzip, 1);
	assert_slice(req.content_type, "multipart/form-data");
	assert_slice(req.path, "/x");
	assert_int_equal(req.query.len, 0);

	in = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Type: ;x\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.chunked, 1);
	assert_int_equal(req.content_length, -1);
	assert_int_equal(req.content_type.len, 0);

	in = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-Continue\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.content_length, 0);
	assert_int_equal(req.expect_continue, 1);

	/* RFC 9110: an HTTP/1.0 client cannot wait for 100 Continue */
	in = "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.expect_continue, 0);
	assert_int_equal(req.minor_version, 0);

	/* a re-parse of another request forgets the previous one */
	in = "GET /q?a=1 HTTP/1.1\r\nHost: h\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.content_length, -1);
	assert_int_equal(req.expect_continue, 0);
	assert_int_equal(req.minor_version, 1);
	assert_slice(req.host, "h");
	assert_slice(req.query, "a=1");
}

/* RFC 9112 3.2: Host is checked, and the reason names the header. Absolute-form
 * and asterisk-form targets give a path the router understands. */
static void test_host_and_target_forms(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: u@h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: \r\n\r\n",
	};
	http_request req;
	int status;
	const char *in;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&req, bad[i], strlen(bad[i]), NULL, &status), HTTP_ERROR);
		assert_int_equal(status, 400);
		assert_non_null(req.error);
		assert_string_equal(req.error_field, "Host");
	}
	/* a framing error is told as such, not as a Host problem */
	in = "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), HTTP_ERROR);
	assert_null(req.error);

	in = "GET https://127.0.0.1:8443/healthz?a=1 HTTP/1.1\r\nHost: other\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_int_equal(req.absolute_form, 1);
	assert_slice(req.path, "/healthz");
	assert_slice(req.query, "a=1");
	assert_slice(req.host, "127.0.0.1:8443"); /* the authority wins over Host */
	assert_null(req.error);

	in = "GET http://h HTTP/1.1\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_slice(req.path, "/");
	assert_slice(req.host, "h");

	in = "GET https://u@h/x HTTP/1.1\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), HTTP_ERROR);
	assert_non_null(req.error);

	in = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_slice(req.path, "*");
	assert_int_equal(req.absolute_form, 0);

	/* the next parse forgets the error */
	in = "GET / HTTP/1.0\r\n\r\n";
	assert_int_equal(parse(&req, in, strlen(in), NULL, &status), (ssize_t)strlen(in));
	assert_null(req.error);
	assert_null(req.error_field);
}

static void test_find_header(void **state)
{
	static const char in[] = "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-b: 2\r\nX-a: 3\r\n\r\n";
	http_request req;
	const http_header *h;
	int status;

	(void)state;
	assert_int_equal(parse(&req, in, sizeof(in) - 1, NULL, &status), sizeof(in) - 1);
	h = http_find_header(&req, "x-a");
	assert_non_null(h);
	assert_slice(h->value, "1");
	h = http_find_header(&req, "X-B");
	assert_non_null(h);
	assert_slice(h->value, "2");
	assert_null(http_find_header(&req, "X-C"));
	assert_null(http_find_header(&req, "X-"));
	assert_null(http_find_header(&req, "X-AA"));
}

static void test_slice_eq(void **state)
{
	http_slice s = {"Chunked", 7}, e = {NULL, 0}, pre = {"Chunked", 5};

	(void)state;
	assert_true(http_slice_eq(s, "Chunked"));
	assert_false(http_slice_eq(s, "chunked"));
	assert_true(http_slice_eq_nocase(s, "chunked"));
	assert_true(http_slice_eq_nocase(s, "CHUNKED"));
	assert_false(http_slice_eq_nocase(s, "chunke"));
	assert_false(http_slice_eq_nocase(s, "chunkedx"));
	assert_true(http_slice_eq(e, ""));
	assert_true(http_slice_eq_nocase(e, ""));
	assert_false(http_slice_eq(e, "a"));
	assert_true(http_slice_eq(pre, "Chunk"));
	assert_false(http_slice_eq(pre, "Chunked"));
	/* only ASCII letters fold: '@' (0x40) and '`' (0x60) differ */
	assert_false(http_slice_eq_nocase((http_slice){"@", 1}, "`"));
}

/* ---- query parameters ---- */

typedef struct query_case {
	const char *query;
	const char *name;
	size_t outsz;
	int ret;
	const char *out;
	size_t outlen; /* when the value holds bytes strlen cannot measure; else 0 */
} query_case;

static void test_query_param(void **state)
{
	/* clang-format off */
	static const query_case cases[] = {
		{"a=1&b=2", "b", 64, 1, "2", 0},
		{"a=1&b=2", "a", 64, 1, "1", 0},
		{"a=1&a=2", "a", 64, 1, "1", 0},
		{"x=hello+world%21", "x", 64, 12, "hello world!", 0},
		{"q=%E2%82%ac", "q", 64, 3, "\xe2\x82\xac", 0},
		{"cursor=abc%2Fdef", "cursor", 64, 7, "abc/def", 0},
		{"q=%2b%2B", "q", 64, 2, "++", 0},
		{"q=a%25b", "q", 64, 3, "a%b", 0},
		{"a=1=2", "a", 64, 3, "1=2", 0},
		{"flag&b=1", "flag", 64, 0, "", 0},
		{"a=", "a", 64, 0, "", 0},
		{"&&a=1&", "a", 64, 1, "1", 0},
		{"a%62=1", "ab", 64, 1, "1", 0},
		{"a+b=1", "a b", 64, 1, "1", 0},
		{"k=%zz&a=1", "a", 64, 1, "1", 0},
		{"%zz=1&a=2", "a", 64, 1, "2", 0},
		{"a%00=1&a=2", "a", 64, 1, "2", 0},
		{"q=%zz", "q", 64, -2, NULL, 0},
		{"q=%4", "q", 64, -2, NULL, 0},
		{"q=%", "q", 64, -2, NULL, 0},
		{"q=a%0", "q", 64, -2, NULL, 0},
		{"q=%00", "q", 64, -2, NULL, 0},
		{"q=a%00b", "q", 64, -2, NULL, 0},
		{"q=%-1", "q", 64, -2, NULL, 0},
		{"q=%+1", "q", 64, -2, NULL, 0},
		{"", "a", 64, -1, NULL, 0},
		{"ab=1", "a", 64, -1, NULL, 0},
		{"a=1", "ab", 64, -1, NULL, 0},
		{"A=1", "a", 64, -1, NULL, 0},
		{"b=a=1", "a", 64, -1, NULL, 0},
		{"a=12345", "a", 6, 5, "12345", 0},
		{"a=12345", "a", 5, -2, NULL, 0},
		{"a=", "a", 1, 0, "", 0},
		{"a=", "a", 0, -2, NULL, 0},
		{"a=%41%42", "a", 3, 2, "AB", 0},
		{"a=%41%42", "a", 2, -2, NULL, 0},
		{"a=%ff", "a", 64, 1, "\xff", 0},
	};
	/* clang-format on */
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const query_case *c = &cases[i];
		http_slice q = {c->query, strlen(c->query)};
		char out[64];
		int got;

		memset(out, 'Z', sizeof(out));
		got = http_query_param(q, c->name, out, c->outsz);
		if (got != c->ret)
			fail_msg("case %zu (%s, %s): got %d, want %d", i, c->query, c->name, got,
				 c->ret);
		if (c->ret >= 0) {
			assert_int_equal(out[c->ret], '\0');
			assert_memory_equal(out, c->out, (size_t)c->ret);
		}
	}
	/* an empty query, as the parser leaves it, may have a NULL pointer */
	assert_int_equal(http_query_param((http_slice){NULL, 0}, "a", (char[4]){0}, 4), -1);
}

/* ---- chunked transfer coding ---- */

typedef struct chunk_result {
	ssize_t ret;
	char body[16384];
	size_t body_len;
	char follow[256];
	size_t follow_len;
} chunk_result;

/*
 * Feed `in` to a fresh decoder cut at the offsets in `cuts` (ascending), as a
 * connection would: new bytes are appended after the payload decoded so far.
 * Once the message ends, the rest of the input is the next request's.
 */
static void feed_chunked(const char *in, size_t n, const size_t *cuts, size_t ncuts,
			 chunk_result *res)
{
	char *work = malloc(n + 1);
	http_chunked dec = {0};
	size_t dlen = 0, a = 0, k;

	assert_non_null(work);
	res->ret = HTTP_INCOMPLETE;
	res->body_len = 0;
	res->follow_len = 0;
	for (k = 0; k <= ncuts && a < n; k++) {
		size_t b = k < ncuts ? cuts[k] : n, len = b - a;
		ssize_t ret;

		if (b <= a)
			continue;
		memcpy(work + dlen, in + a, len);
		ret = http_chunked_decode(&dec, work + dlen, &len);
		assert_true(len <= b - a);
		dlen += len;
		a = b;
		if (ret == HTTP_ERROR) {
			res->ret = ret;
			goto out;
		}
		if (ret >= 0) {
			assert_true((size_t)ret + (n - a) <= sizeof(res->follow));
			memcpy(res->follow, work + dlen, (size_t)ret);
			memcpy(res->follow + ret, in + a, n - a);
			res->follow_len = (size_t)ret + (n - a);
			res->ret = (ssize_t)res->follow_len;
			break;
		}
		assert_int_equal(ret, HTTP_INCOMPLETE);
	}
	assert_true(dlen <= sizeof(res->body));
	memcpy(res->body, work, dlen);
	res->body_len = dlen;
out:
	free(work);
}

typedef struct chunk_case {
	const char *name;
	const char *in;
	size_t len;
	const char *body; /* NULL: malformed */
	size_t body_len;
	const char *follow;
} chunk_case;

#define BAD NULL, 0, NULL

#define NEXT "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"

/* clang-format off */
static const chunk_case chunk_cases[] = {
	{"simple", S("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), S("hello world"), ""},
	{"empty body", S("0\r\n\r\n"), S(""), ""},
	{"one byte chunks", S("1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n"), S("abc"), ""},
	{"upper and lower hex", S("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n"),
	 S("0123456789abcdefghij"), ""},
	{"leading zeros", S("0005\r\nhello\r\n000\r\n\r\n"), S("hello"), ""},
	{"extensions", S("5;name=value;x\r\nhello\r\n0;last=\"yes\"\r\n\r\n"), S("hello"), ""},
	{"BWS before extension", S("5 \t;a=b\r\nhello\r\n0 ;z\r\n\r\n"), S("hello"), ""},
	{"binary and CRLF in data", S("6\r\n\r\n\0\xff\r\n\r\n0\r\n\r\n"), S("\r\n\0\xff\r\n"), ""},
	{"trailers", S("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-B: c\td\r\nX-E:\r\n\r\n"),
	 S("hello"), ""},
	{"next request follows", S("5\r\nhello\r\n0\r\n\r\n" NEXT), S("hello"), NEXT},
	{"trailers and next request", S("3\r\nabc\r\n0\r\nT: 1\r\n\r\n" NEXT), S("abc"), NEXT},

	{"bad hex digit", S("5x\r\nhello\r\n0\r\n\r\n"), BAD},
	{"no digits", S("\r\n"), BAD},
	{"extension without size", S(";a\r\n"), BAD},
	{"negative size", S("-5\r\nhello\r\n"), BAD},
	{"0x prefix", S("0x5\r\nhello\r\n"), BAD},
	{"space before size", S(" 5\r\nhello\r\n"), BAD},
	{"space not before ;", S("5 \r\nhello\r\n0\r\n\r\n"), BAD},
	{"space inside size", S("1 0\r\n"), BAD},
	{"bare LF after size", S("5\nhello\r\n0\r\n\r\n"), BAD},
	{"bare CR after size", S("5\rhello\r\n0\r\n\r\n"), BAD},
	{"control in extension", S("5;a\x01\r\nhello\r\n0\r\n\r\n"), BAD},
	{"LF in extension", S("5;a\nhello\r\n0\r\n\r\n"), BAD},
	{"data longer than size", S("5\r\nhelloX\r\n0\r\n\r\n"), BAD},
	{"data shorter than size", S("5\r\nhell\r\n0\r\n\r\n"), BAD},
	{"bare LF after data", S("5\r\nhello\n0\r\n\r\n"), BAD},
	{"bare CR after data", S("5\r\nhello\r0\r\n\r\n"), BAD},
	{"size over 2^40", S("10000000001\r\n"), BAD},
	{"size overflowing 64 bits", S("FFFFFFFFFFFFFFFFFFFFFFFF\r\n"), BAD},
	{"trailer folding", S("0\r\nA: b\r\n c\r\n\r\n"), BAD},
	{"trailer without colon", S("0\r\nAb\r\n\r\n"), BAD},
	{"trailer empty name", S("0\r\n: b\r\n\r\n"), BAD},
	{"trailer space before colon", S("0\r\nA : b\r\n\r\n"), BAD},
	{"trailer control byte", S("0\r\nA: \x01\r\n\r\n"), BAD},
	{"trailer bare LF", S("0\r\nA: b\n\r\n"), BAD},
	{"final bare LF", S("0\r\n\n"), BAD},
	{"final CR CR", S("0\r\n\r\r"), BAD},
};
/* clang-format on */

static void check_chunk_result(const chunk_case *c, const chunk_result *res, const char *how)
{
	size_t blen, flen;

	if (!c->body) {
		if (res->ret != HTTP_ERROR)
			fail_msg("case \"%s\" (%s): got %zd, want error", c->name, how, res->ret);
		return;
	}
	flen = strlen(c->follow);
	blen = c->body_len;
	if (res->ret != (ssize_t)flen)
		fail_msg("case \"%s\" (%s): got %zd, want %zu", c->name, how, res->ret, flen);
	assert_int_equal(res->body_len, blen);
	assert_memory_equal(res->body, c->body, blen);
	assert_int_equal(res->follow_len, flen);
	assert_memory_equal(res->follow, c->follow, flen);
}

static void test_chunked_whole(void **state)
{
	size_t i;
	chunk_result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(res);
	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		feed_chunked(chunk_cases[i].in, chunk_cases[i].len, NULL, 0, res);
		check_chunk_result(&chunk_cases[i], res, "whole");
	}
	free(res);
}

static void test_chunked_byte_at_a_time(void **state)
{
	size_t i, k, cuts[512];
	chunk_result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(res);
	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		const chunk_case *c = &chunk_cases[i];

		assert_true(c->len <= sizeof(cuts) / sizeof(cuts[0]));
		for (k = 0; k < c->len; k++)
			cuts[k] = k + 1;
		feed_chunked(c->in, c->len, cuts, c->len, res);
		check_chunk_result(c, res, "byte at a time");
	}
	free(res);
}

/* Every single cut and every pair of cuts. */
static void test_chunked_every_split(void **state)
{
	size_t i, a, b, cuts[2];
	chunk_result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(res);
	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		const chunk_case *c = &chunk_cases[i];

		for (a = 0; a <= c->len; a++) {
			cuts[0] = a;
			feed_chunked(c->in, c->len, cuts, 1, res);
			check_chunk_result(c, res, "one cut");
			for (b = a; b <= c->len; b++) {
				cuts[1] = b;
				feed_chunked(c->in, c->len, cuts, 2, res);
				check_chunk_result(c, res, "two cuts");
			}
		}
	}
	free(res);
}

static void test_chunked_random_splits(void **state)
{
	size_t i, k, round, ncuts, cuts[64];
	chunk_result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(res);
	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
			const chunk_case *c = &chunk_cases[i];

			ncuts = (size_t)(rng() % 64);
			for (k = 0; k < ncuts; k++)
				cuts[k] = (size_t)(rng() % (c->len + 1));
			/* sort the cut points: insertion sort is plenty for 64 */
			for (k = 1; k < ncuts; k++) {
				size_t v = cuts[k], j = k;

				for (; j > 0 && cuts[j - 1] > v; j--)
					cuts[j] = cuts[j - 1];
				cuts[j] = v;
			}
			feed_chunked(c->in, c->len, cuts, ncuts, res);
			check_chunk_result(c, res, "random cuts");
		}
	}
	free(res);
}

/* A large body with many chunks of random sizes, fed in random pieces. */
static void test_chunked_large_random(void **state)
{
	size_t round, k, n, blen, cuts[256], ncuts;
	char *in = malloc(65536), *body = malloc(16384);
	chunk_result *res = malloc(sizeof(*res));

	(void)state;
	assert_non_null(in);
	assert_non_null(body);
	assert_non_null(res);
	for (round = 0; round < 50; round++) {
		n = 0;
		blen = 0;
		while (blen < 12000) {
			size_t sz = (size_t)(rng() % 700) + 1;

			n += (size_t)snprintf(in + n, 65536 - n, "%zx%s\r\n", sz,
					      rng() % 3 ? "" : ";ext=1");
			for (k = 0; k < sz; k++)
				body[blen + k] = in[n + k] = (char)rng();
			n += sz;
			blen += sz;
			memcpy(in + n, "\r\n", 2);
			n += 2;
		}
		n += (size_t)snprintf(in + n, 65536 - n, "0\r\nX-Sum: %zu\r\n\r\n" NEXT, blen);
		ncuts = (size_t)(rng() % 256);
		for (k = 0; k < ncuts; k++)
			cuts[k] = (size_t)(rng() % (n + 1));
		for (k = 1; k < ncuts; k++) {
			size_t v = cuts[k], j = k;

			for (; j > 0 && cuts[j - 1] > v; j--)
				cuts[j] = cuts[j - 1];
			cuts[j] = v;
		}
		feed_chunked(in, n, cuts, ncuts, res);
		assert_int_equal(res->ret, strlen(NEXT));
		assert_int_equal(res->body_len, blen);
		assert_memory_equal(res->body, body, blen);
		assert_memory_equal(res->follow, NEXT, strlen(NEXT));
	}
	free(in);
	free(body);
	free(res);
}

/* Random mutations of chunked bodies decode the same whole and byte by byte. */
static void test_chunked_mutations(void **state)
{
	static const unsigned char bytes[] = {'\r', '\n', ' ', ';', ':', '0', '1', 'f', 'g', 0};
	size_t round, k, cuts[128];
	chunk_result *whole = malloc(sizeof(*whole)), *bytewise = malloc(sizeof(*bytewise));
	char in[128];

	(void)state;
	assert_non_null(whole);
	assert_non_null(bytewise);
	for (k = 0; k < 128; k++)
		cuts[k] = k + 1;
	for (round = 0; round < 20000; round++) {
		const chunk_case *c = &chunk_cases[rng() % 11]; /* the valid ones */

		assert_non_null(c->body);
		assert_true(c->len <= sizeof(in));
		memcpy(in, c->in, c->len);
		for (k = 0; k < 1 + rng() % 3; k++)
			in[rng() % c->len] = (char)bytes[rng() % sizeof(bytes)];
		feed_chunked(in, c->len, NULL, 0, whole);
		feed_chunked(in, c->len, cuts, c->len, bytewise);
		assert_int_equal(whole->ret, bytewise->ret);
		if (whole->ret >= 0) {
			assert_int_equal(whole->body_len, bytewise->body_len);
			assert_memory_equal(whole->body, bytewise->body, whole->body_len);
			assert_int_equal(whole->follow_len, bytewise->follow_len);
			assert_memory_equal(whole->follow, bytewise->follow, whole->follow_len);
		}
	}
	free(whole);
	free(bytewise);
}

/* Documented bounds: size line 1 KiB, trailers 8 KiB, chunk size 2^40. */
static void test_chunked_bounds(void **state)
{
	char *in = malloc(16384);
	chunk_result *res = malloc(sizeof(*res));
	size_t n, k;
	http_chunked dec = {0};
	ssize_t ret;

	(void)state;
	assert_non_null(in);
	assert_non_null(res);

	/* a size line of exactly 1024 bytes before its CRLF is fine, 1025 is not */
	memcpy(in, "5;", 2);
	memset(in + 2, 'a', 1022);
	n = 1024;
	n += (size_t)snprintf(in + n, 64, "\r\nhello\r\n0\r\n\r\n");
	feed_chunked(in, n, NULL, 0, res);
	assert_int_equal(res->ret, 0);
	assert_int_equal(res->body_len, 5);
	memcpy(in, "5;", 2);
	memset(in + 2, 'a', 1023);
	n = 1025;
	n += (size_t)snprintf(in + n, 64, "\r\nhello\r\n0\r\n\r\n");
	feed_chunked(in, n, NULL, 0, res);
	assert_int_equal(res->ret, HTTP_ERROR);
	/* an endless size line is refused without waiting for its end */
	memset(in, '0', 4096);
	feed_chunked(in, 4096, NULL, 0, res);
	assert_int_equal(res->ret, HTTP_ERROR);

	/* trailers of exactly 8 KiB (CRLFs included) are fine, one byte more is not */
	for (k = 0; k < 2; k++) {
		size_t t = 0;

		n = (size_t)snprintf(in, 64, "0\r\n");
		while (t + 100 <= 8192 - 2) {
			memcpy(in + n, "X-Pad: ", 7);
			memset(in + n + 7, 'p', 91);
			memcpy(in + n + 98, "\r\n", 2);
			n += 100;
			t += 100;
		}
		/* one last line fills up to 8192 - 2 (+k), then the final CRLF */
		{
			size_t last = 8192 - 2 - t + k;

			memcpy(in + n, "Y:", 2);
			memset(in + n + 2, 'q', last - 4);
			memcpy(in + n + last - 2, "\r\n", 2);
			n += last;
		}
		memcpy(in + n, "\r\n", 2);
		n += 2;
		feed_chunked(in, n, NULL, 0, res);
		assert_int_equal(res->ret, k == 0 ? 0 : HTTP_ERROR);
	}
	/* endless trailer lines are refused without waiting for their end */
	n = (size_t)snprintf(in, 64, "0\r\n");
	while (n + 4 < 16384) {
		memcpy(in + n, "A:\r\n", 4);
		n += 4;
	}
	feed_chunked(in, n, NULL, 0, res);
	assert_int_equal(res->ret, HTTP_ERROR);

	/* exactly 2^40 is a size we accept (the caller's body limit stops it) */
	n = (size_t)snprintf(in, 64, "10000000000\r\nabc");
	ret = http_chunked_decode(&dec, in, &n);
	assert_int_equal(ret, HTTP_INCOMPLETE);
	assert_int_equal(n, 3);
	assert_memory_equal(in, "abc", 3);

	free(in);
	free(res);
}

static void test_chunked_after_end_and_error(void **state)
{
	http_chunked dec = {0};
	char data[64];
	size_t len;

	(void)state;
	/* after the end, everything given is the next request's */
	memcpy(data, "0\r\n\r\n", 5);
	len = 5;
	assert_int_equal(http_chunked_decode(&dec, data, &len), 0);
	assert_int_equal(len, 0);
	memcpy(data, "GET", 3);
	len = 3;
	assert_int_equal(http_chunked_decode(&dec, data, &len), 3);
	assert_int_equal(len, 0);
	assert_memory_equal(data, "GET", 3);

	/* an error stays an error */
	memset(&dec, 0, sizeof(dec));
	memcpy(data, "zz\r\n", 4);
	len = 4;
	assert_int_equal(http_chunked_decode(&dec, data, &len), HTTP_ERROR);
	memcpy(data, "0\r\n\r\n", 5);
	len = 5;
	assert_int_equal(http_chunked_decode(&dec, data, &len), HTTP_ERROR);

	/* no input is no progress */
	memset(&dec, 0, sizeof(dec));
	len = 0;
	assert_int_equal(http_chunked_decode(&dec, data, &len), HTTP_INCOMPLETE);
	assert_int_equal(len, 0);
}

/* ---- gzip ---- */

/* Compress with a gzip wrapper; caller frees. */
static unsigned char *gz(const void *in, size_t n, size_t *outlen)
{
	z_stream zs;
	uLong bound;
	unsigned char *out;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	bound = deflateBound(&zs, (uLong)n);
	out = malloc(bound);
	assert_non_null(out);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static char *sample_text(size_t n)
{
	char *p = malloc(n);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = "the quick brown fox jumps over the lazy dog\n"[rng() % 44];
	return p;
}

static void test_gunzip_round_trip(void **state)
{
	size_t n = 200000, zn;
	char *text = sample_text(n);
	unsigned char *z = gz(text, n, &zn);
	buf out;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(http_gunzip((char *)z, zn, &out), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.p, text, n);

	/* appended after what the buffer held */
	buf_reset(&out);
	assert_int_equal(buf_puts(&out, "pre:"), BUF_OK);
	assert_int_equal(http_gunzip((char *)z, zn, &out), 0);
	assert_int_equal(out.len, 4 + n);
	assert_memory_equal(out.p, "pre:", 4);
	assert_memory_equal(out.p + 4, text, n);

	/* an output that is exactly the ceiling fits */
	buf_free(&out);
	buf_init(&out, n);
	assert_int_equal(http_gunzip((char *)z, zn, &out), 0);
	assert_int_equal(out.len, n);
	buf_free(&out);
	buf_init(&out, n - 1);
	assert_int_equal(http_gunzip((char *)z, zn, &out), BUF_TOO_LARGE);
	assert_int_equal(out.len, 0);

	buf_free(&out);
	free(z);
	free(text);
}

static void test_gunzip_members(void **state)
{
	size_t za, zb, ze;
	unsigned char *a = gz("hello, ", 7, &za), *b = gz("world", 5, &zb), *e = gz("", 0, &ze);
	unsigned char *cat = malloc(za + zb + ze);
	buf out;

	(void)state;
	assert_non_null(cat);
	memcpy(cat, a, za);
	memcpy(cat + za, e, ze);
	memcpy(cat + za + ze, b, zb);
	buf_init(&out, 1024);
	assert_int_equal(http_gunzip((char *)cat, za + ze + zb, &out), 0);
	assert_int_equal(out.len, 12);
	assert_memory_equal(out.p, "hello, world", 12);

	/* a member holding nothing */
	buf_reset(&out);
	assert_int_equal(http_gunzip((char *)e, ze, &out), 0);
	assert_int_equal(out.len, 0);

	buf_free(&out);
	free(cat);
	free(a);
	free(b);
	free(e);
}

/* 10 MB of zeros squeezed into ~10 KB must stop at the 1 MiB ceiling. */
static void test_gunzip_bomb(void **state)
{
	size_t n = 10 * 1000 * 1000, zn;
	char *zeros = calloc(1, n);
	unsigned char *z;
	buf out;

	(void)state;
	/* 413 and 400 must be told apart by the return value alone */
	assert_int_not_equal(BUF_TOO_LARGE, HTTP_ERROR);
	assert_int_not_equal(BUF_NOMEM, HTTP_ERROR);
	assert_non_null(zeros);
	z = gz(zeros, n, &zn);
	free(zeros);
	assert_true(zn < 20000);

	buf_init(&out, 1 << 20);
	assert_int_equal(buf_puts(&out, "keep"), BUF_OK);
	assert_int_equal(http_gunzip((char *)z, zn, &out), BUF_TOO_LARGE);
	/* the buffer is left as it was, and never grew past its ceiling */
	assert_int_equal(out.len, 4);
	assert_string_equal(out.p, "keep");
	assert_true(out.cap <= (1 << 20) + 1);
	buf_free(&out);

	/* the same stream is fine under a ceiling that holds it: the ceiling was the cause */
	buf_init(&out, 16 << 20);
	assert_int_equal(http_gunzip((char *)z, zn, &out), 0);
	assert_int_equal(out.len, n);
	buf_free(&out);
	free(z);
}

/* Corrupt data, under a ceiling far above any output: never BUF_TOO_LARGE. */
static void test_gunzip_corrupt(void **state)
{
	static const char plain[] = "{\"kind\":\"crash\",\"title\":\"boom\"}";
	size_t zn, n;
	unsigned char *z = gz(S(plain), &zn), *bad = malloc(zn + 16);
	buf out;

	(void)state;
	assert_non_null(bad);
	buf_init(&out, 64 << 20);
	assert_int_equal(buf_puts(&out, "keep"), BUF_OK);

	/* not gzip at all */
	assert_int_equal(http_gunzip(S(plain), &out), HTTP_ERROR);
	assert_int_equal(out.len, 4);
	/* nothing at all */
	assert_int_equal(http_gunzip("", 0, &out), HTTP_ERROR);
	/* a zlib stream is not a gzip one */
	{
		unsigned char zl[128];
		uLongf zl_len = sizeof(zl);

		assert_int_equal(compress2(zl, &zl_len, (const Bytef *)plain, sizeof(plain) - 1, 9),
				 Z_OK);
		assert_int_equal(http_gunzip((char *)zl, zl_len, &out), HTTP_ERROR);
	}
	/* every truncation */
	for (n = 0; n < zn; n++) {
		assert_int_equal(http_gunzip((char *)z, n, &out), HTTP_ERROR);
		assert_int_equal(out.len, 4);
		assert_string_equal(out.p, "keep");
	}
	/* wrong CRC-32, wrong length in the trailer */
	memcpy(bad, z, zn);
	bad[zn - 8] ^= 1;
	assert_int_equal(http_gunzip((char *)bad, zn, &out), HTTP_ERROR);
	memcpy(bad, z, zn);
	bad[zn - 4] ^= 1;
	assert_int_equal(http_gunzip((char *)bad, zn, &out), HTTP_ERROR);
	/* bad magic, bad method */
	memcpy(bad, z, zn);
	bad[0] = 0;
	assert_int_equal(http_gunzip((char *)bad, zn, &out), HTTP_ERROR);
	memcpy(bad, z, zn);
	bad[2] = 7;
	assert_int_equal(http_gunzip((char *)bad, zn, &out), HTTP_ERROR);
	/* every single flipped byte of the deflate data or trailer is caught */
	for (n = 10; n < zn; n++) {
		memcpy(bad, z, zn);
		bad[n] ^= 0x55;
		assert_int_equal(http_gunzip((char *)bad, zn, &out), HTTP_ERROR);
		assert_int_equal(out.len, 4);
	}
	/* garbage after a complete member */
	memcpy(bad, z, zn);
	memcpy(bad + zn, "garbage", 7);
	assert_int_equal(http_gunzip((char *)bad, zn + 7, &out), HTTP_ERROR);
	memset(bad + zn, 0, 16);
	assert_int_equal(http_gunzip((char *)bad, zn + 16, &out), HTTP_ERROR);
	assert_string_equal(out.p, "keep");

	buf_free(&out);
	free(bad);
	free(z);
}

/* ---- responses ---- */

static void test_reason(void **state)
{
	(void)state;
	assert_string_equal(http_reason(200), "OK");
	assert_string_equal(http_reason(201), "Created");
	assert_string_equal(http_reason(404), "Not Found");
	assert_string_equal(http_reason(413), "Content Too Large");
	assert_string_equal(http_reason(414), "URI Too Long");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(501), "Not Implemented");
	assert_string_equal(http_reason(505), "HTTP Version Not Supported");
	assert_string_equal(http_reason(299), "Unknown");
	assert_string_equal(http_reason(-1), "Unknown");
}

static void test_write_head(void **state)
{
	buf out;

	(void)state;
	buf_init(&out, 4096);
	assert_int_equal(http_write_head(&out, 200, "application/json", 17, 1, NULL), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 200 OK\r\n"
				   "Content-Type: application/json\r\n"
				   "Content-Length: 17\r\n"
				   "Connection: keep-alive\r\n"
				   "\r\n");

	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 503, NULL, 0, 0, "Retry-After: 5\r\n"), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Length: 0\r\n"
				   "Connection: close\r\n"
				   "Retry-After: 5\r\n"
				   "\r\n");

	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 204, "text/plain", 99, 1, NULL), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 204 No Content\r\n"
				   "Content-Type: text/plain\r\n"
				   "Connection: keep-alive\r\n"
				   "\r\n");

	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 100, "text/plain", 5, 1, NULL), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 100 Continue\r\n\r\n");

	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 299, NULL, (size_t)1 << 40, 1, NULL), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 299 Unknown\r\n"
				   "Content-Length: 1099511627776\r\n"
				   "Connection: keep-alive\r\n"
				   "\r\n");

	/* a content type that would split the head is replaced */
	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 200, "text/html\r\nSet-Cookie: a=b", 0, 1, NULL),
			 BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 200 OK\r\n"
				   "Content-Type: application/octet-stream\r\n"
				   "Content-Length: 0\r\n"
				   "Connection: keep-alive\r\n"
				   "\r\n");

	/* appended to what is there; on failure the buffer is left as it was */
	buf_free(&out);
	buf_init(&out, 40);
	assert_int_equal(buf_puts(&out, "body"), BUF_OK);
	assert_int_equal(http_write_head(&out, 200, "application/json", 17, 1, NULL),
			 BUF_TOO_LARGE);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.p, "body");
	buf_reset(&out);
	assert_int_equal(http_write_head(&out, 100, NULL, 0, 1, NULL), BUF_OK);
	assert_string_equal(out.p, "HTTP/1.1 100 Continue\r\n\r\n");
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_parse_table_prefixes),
	    cmocka_unit_test(test_host_and_target_forms),
	    cmocka_unit_test(test_limit_request_line),
	    cmocka_unit_test(test_limit_request_line_streamed),
	    cmocka_unit_test(test_limit_header_bytes_streamed),
	    cmocka_unit_test(test_limit_header_bytes_many_lines),
	    cmocka_unit_test(test_limit_header_bytes_exact),
	    cmocka_unit_test(test_limit_header_count),
	    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_every_split_bare_lf),
	    cmocka_unit_test(test_parse_mutations),
	    cmocka_unit_test(test_pipelined),
	    cmocka_unit_test(test_pipelined_chunked),
	    cmocka_unit_test(test_keep_alive),
	    cmocka_unit_test(test_derived_fields),
	    cmocka_unit_test(test_find_header),
	    cmocka_unit_test(test_slice_eq),
	    cmocka_unit_test(test_query_param),
	    cmocka_unit_test(test_chunked_whole),
	    cmocka_unit_test(test_chunked_byte_at_a_time),
	    cmocka_unit_test(test_chunked_every_split),
	    cmocka_unit_test(test_chunked_random_splits),
	    cmocka_unit_test(test_chunked_large_random),
	    cmocka_unit_test(test_chunked_mutations),
	    cmocka_unit_test(test_chunked_bounds),
	    cmocka_unit_test(test_chunked_after_end_and_error),
	    cmocka_unit_test(test_gunzip_round_trip),
	    cmocka_unit_test(test_gunzip_members),
	    cmocka_unit_test(test_gunzip_bomb),
	    cmocka_unit_test(test_gunzip_corrupt),
	    cmocka_unit_test(test_reason),
	    cmocka_unit_test(test_write_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
