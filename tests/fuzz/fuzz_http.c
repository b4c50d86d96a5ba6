/* fuzz_http.c - fuzz harness of the HTTP request head parser, query parameters and gzip bodies. */
#include <string.h>

#include "common/buf.h"
#include "config.h"
#include "fuzz.h"
#include "http/http.h"

#define GUNZIP_CEILING (1024 * 1024)

/* Small limits so that short inputs reach every limit; roomy ones to compare with. */
static const http_limits tight = {48, 256, 6};
static const http_limits roomy = {PROSUM_MAX_REQUEST_LINE, PROSUM_MAX_HEADER_BYTES, 1000};

/* Names the handlers ask for, plus a space (sent as '+' or %20) and the empty key. */
static const char *const query_names[] = {"q", "limit", "cursor", "kind", "a b", ""};

/* A slice lies inside in[0, n): empty slices may point anywhere up to its end, or nowhere. */
static int inside(http_slice s, const char *in, size_t n)
{
	if (s.len == 0)
		return s.p == NULL || (s.p >= in && s.p <= in + n);
	return s.p >= in && s.p <= in + n && s.len <= (size_t)(in + n - s.p);
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* What the header of http.h promises about a request the parser accepted. */
static void check_request(const http_request *req, const char *in, size_t head,
			  const http_limits *lim)
{
	size_t max_headers =
	    lim->max_headers < HTTP_MAX_HEADERS_HARD ? lim->max_headers : HTTP_MAX_HEADERS_HARD;

	FUZZ_CHECK(head <= lim->max_header_bytes);
	FUZZ_CHECK(in[head - 1] == '\n');
	FUZZ_CHECK(req->method.len > 0 && inside(req->method, in, head));
	FUZZ_CHECK(req->target.len > 0 && inside(req->target, in, head));
	FUZZ_CHECK(memchr(req->path.p, '?', req->path.len) == NULL);
	FUZZ_CHECK(inside(req->query, in, head));
	if (req->target.p[0] == '/') {
		/* origin-form */
		FUZZ_CHECK(!req->absolute_form);
		FUZZ_CHECK(req->path.p == req->target.p && req->path.len <= req->target.len);
		if (req->query.len > 0) {
			FUZZ_CHECK(req->query.p == req->path.p + req->path.len + 1);
			FUZZ_CHECK(req->path.len + 1 + req->query.len == req->target.len);
		}
	} else if (req->target.len == 1 && req->target.p[0] == '*') {
		/* asterisk-form: OPTIONS alone */
		FUZZ_CHECK(!req->absolute_form && http_slice_eq(req->method, "OPTIONS"));
		FUZZ_CHECK(req->path.p == req->target.p && req->path.len == 1 && req->query.len == 0);
	} else {
		/* absolute-form: a path of its own ("/" when none), the authority as host */
		FUZZ_CHECK(req->absolute_form);
		FUZZ_CHECK(req->path.len > 0 && req->path.p[0] == '/');
		FUZZ_CHECK(req->host.len > 0 && inside(req->host, req->target.p, req->target.len));
		FUZZ_CHECK(inside(req->path, req->target.p, req->target.len) || req->path.len == 1);
		if (req->query.len > 0)
			FUZZ_CHECK(req->query.p + req->query.len == req->target.p + req->target.len);
	}
	/* RFC 9112 3.2: an HTTP/1.1 request names its host */
	FUZZ_CHECK(req->minor_version == 0 || req->host.len > 0);
	for (size_t i = 0; i < req->target.len; i++)
		FUZZ_CHECK(req->target.p[i] > 0x20 && req->target.p[i] < 0x7f);
	FUZZ_CHECK(req->minor_version == 0 || req->minor_version == 1);
	FUZZ_CHECK(req->nheaders <= max_headers);
	for (size_t i = 0; i < req->nheaders; i++) {
		const http_header *h = &req->headers[i];
		const http_header *first;
		char name[PROSUM_MAX_HEADER_BYTES + 1];

		FUZZ_CHECK(h->name.len > 0 && inside(h->name, in, head));
		FUZZ_CHECK(inside(h->value, in, head));
		FUZZ_CHECK(h->value.len == 0 ||
			   (!is_ows(h->value.p[0]) && !is_ows(h->value.p[h->value.len - 1])));
		for (size_t k = 0; k < h->value.len; k++)
			FUZZ_CHECK(h->value.p[k] != '\r' && h->value.p[k] != '\n' &&
				   h->value.p[k] != '\0');
		/* http_find_header() gives the first header of that name, in any case. */
		FUZZ_CHECK(h->name.len < sizeof(name));
		memcpy(name, h->name.p, h->name.len);
		name[h->name.len] = '\0';
		first = http_find_header(req, name);
		FUZZ_CHECK(first != NULL && first <= h && http_slice_eq_nocase(first->name, name));
	}
	FUZZ_CHECK(req->content_length >= -1);
	FUZZ_CHECK(req->chunked == 0 || req->chunked == 1);
	FUZZ_CHECK(!req->chunked || (req->content_length == -1 && req->minor_version == 1));
	FUZZ_CHECK(req->gzip == 0 || req->gzip == 1);
	FUZZ_CHECK(req->keep_alive == 0 || req->keep_alive == 1);
	FUZZ_CHECK(req->expect_continue == 0 || req->expect_continue == 1);
	FUZZ_CHECK(!req->expect_continue || req->minor_version == 1);
	FUZZ_CHECK(inside(req->content_type, in, head));
	FUZZ_CHECK(req->content_type.len == 0 ||
		   (!is_ows(req->content_type.p[0]) &&
		    !is_ows(req->content_type.p[req->content_type.len - 1])));
	FUZZ_CHECK(memchr(req->content_type.p ? req->content_type.p : "", ';',
			  req->content_type.len) == NULL);
	FUZZ_CHECK(inside(req->host, in, head));
}

/* Parse and check the result's shape; returns what http_parse_head() returned. */
static ssize_t parse(http_request *req, const char *in, size_t len, const http_limits *lim,
		     int *status)
{
	ssize_t ret;

	*status = -1;
	ret = http_parse_head(req, in, len, lim, status);
	if (ret == HTTP_INCOMPLETE) {
		FUZZ_CHECK(*status == 0);
	} else if (ret == HTTP_ERROR) {
		FUZZ_CHECK(*status == 400 || *status == 414 || *status == 431 || *status == 501 ||
			   *status == 505);
	} else {
		FUZZ_CHECK(ret > 0 && (size_t)ret <= len);
		FUZZ_CHECK(*status == 0);
		check_request(req, in, (size_t)ret, lim);
	}
	return ret;
}

/* A copy of in[0, n) in a block of exactly that size, so reading past it is caught. */
static char *copy(const char *in, size_t n)
{
	char *p = malloc(n ? n : 1);

	FUZZ_CHECK(p != NULL);
	if (n)
		memcpy(p, in, n);
	return p;
}

/* The head alone, and any prefix, must give the same verdict as the whole input. */
static void check_head(const char *in, size_t len)
{
	http_request req, again;
	int st, st2;
	ssize_t ret, ret2;
	char *part;
	size_t cuts[3];

	ret = parse(&req, in, len, &tight, &st);

	/*
	 * Once the bytes given decide the head, more bytes do not change the
	 * verdict: the answer must not depend on how the request was split into
	 * reads. Cut in the middle, where the first byte says, and at the head
	 * limit, where the order of the limit checks matters most.
	 */
	cuts[0] = len / 2;
	cuts[1] = len ? (size_t)(unsigned char)in[0] * len / 255 : 0;
	cuts[2] = len < tight.max_header_bytes ? len : tight.max_header_bytes;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		part = copy(in, cuts[i]);
		ret2 = parse(&again, part, cuts[i], &tight, &st2);
		if (ret2 != HTTP_INCOMPLETE)
			FUZZ_CHECK(ret2 == ret && st2 == st);
		free(part);
	}

	if (ret > 0) {
		part = copy(in, (size_t)ret);
		ret2 = parse(&again, part, (size_t)ret, &tight, &st2);
		FUZZ_CHECK(ret2 == ret);
		FUZZ_CHECK(again.nheaders == req.nheaders &&
			   again.content_length == req.content_length &&
			   again.chunked == req.chunked && again.gzip == req.gzip &&
			   again.keep_alive == req.keep_alive &&
			   again.expect_continue == req.expect_continue);
		ret2 = parse(&again, part, (size_t)ret - 1, &tight, &st2);
		FUZZ_CHECK(ret2 == HTTP_INCOMPLETE);
		free(part);
	}

	/* Looser limits never refuse what tight ones accepted, nor for another reason. */
	ret2 = parse(&again, in, len, &roomy, &st2);
	if (ret > 0 || ret == HTTP_INCOMPLETE)
		FUZZ_CHECK(ret2 == ret);
	else if (st != 414 && st != 431)
		FUZZ_CHECK(ret2 == ret && st2 == st);
}

/* http_query_param() on one name: bounds, termination and the size of `out` it needs. */
static void check_query(http_slice query, const char *name, int from_parser)
{
	size_t big = query.len + 1;
	char *out = malloc(big), *small;
	int r, r2;

	FUZZ_CHECK(out != NULL);
	r = http_query_param(query, name, out, big);
	FUZZ_CHECK(r >= -2);
	if (r >= 0) {
		FUZZ_CHECK((size_t)r <= query.len && out[r] == '\0');
		/* A target holds visible ASCII only and %00 is refused: a C string. */
		if (from_parser)
			FUZZ_CHECK(strlen(out) == (size_t)r);
		small = malloc((size_t)r + 1);
		FUZZ_CHECK(small != NULL);
		r2 = http_query_param(query, name, small, (size_t)r + 1);
		FUZZ_CHECK(r2 == r && memcmp(small, out, (size_t)r + 1) == 0);
		r2 = http_query_param(query, name, small, (size_t)r);
		FUZZ_CHECK(r2 == -2);
		free(small);
	} else {
		char tiny[1];

		r2 = http_query_param(query, name, tiny, sizeof(tiny));
		FUZZ_CHECK(r2 == r);
	}
	free(out);
}

/* http_gunzip() appends within the ceiling and restores `out` on every failure. */
static void check_gunzip(const char *in, size_t len)
{
	static const char prefix[] = "kept";
	const size_t plen = sizeof(prefix) - 1;
	buf out, again;
	int rc;

	buf_init(&out, GUNZIP_CEILING);
	FUZZ_CHECK(buf_append(&out, prefix, plen) == BUF_OK);
	rc = http_gunzip(in, len, &out);
	FUZZ_CHECK(rc == 0 || rc == BUF_TOO_LARGE || rc == BUF_NOMEM || rc == HTTP_ERROR);
	FUZZ_CHECK(out.len <= GUNZIP_CEILING && out.p[out.len] == '\0');
	FUZZ_CHECK(memcmp(out.p, prefix, plen) == 0);
	if (rc != 0)
		FUZZ_CHECK(out.len == plen);
	if (rc == 0 && out.len > plen) {
		/* The same body fits a ceiling of exactly its size, not one byte less. */
		buf_init(&again, out.len);
		FUZZ_CHECK(buf_append(&again, prefix, plen) == BUF_OK);
		FUZZ_CHECK(http_gunzip(in, len, &again) == 0);
		FUZZ_CHECK(again.len == out.len && memcmp(again.p, out.p, out.len) == 0);
		buf_free(&again);
		buf_init(&again, out.len - 1);
		FUZZ_CHECK(buf_append(&again, prefix, plen) == BUF_OK);
		FUZZ_CHECK(http_gunzip(in, len, &again) == BUF_TOO_LARGE);
		FUZZ_CHECK(again.len == plen && again.p[plen] == '\0');
		buf_free(&again);
	}
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_request req;
	const char *in = (const char *)data;
	http_slice whole = {in, size};
	ssize_t head;
	int st;

	check_head(in, size);

	head = http_parse_head(&req, in, size, &tight, &st);
	for (size_t i = 0; i < sizeof(query_names) / sizeof(query_names[0]); i++) {
		if (head > 0)
			check_query(req.query, query_names[i], 1);
		check_query(whole, query_names[i], 0);
	}

	/* A body after an accepted head, else the whole input, as a gzip body. */
	if (head > 0)
		check_gunzip(in + head, size - (size_t)head);
	else
		check_gunzip(in, size);
	return 0;
}
