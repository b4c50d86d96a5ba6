/* static.c - the web app over HTTP: immutable assets, and the app's page for every other path. */
#include "web/static.h"

#include <stdio.h>
#include <string.h>

#include "api/router.h"
#include "net/conn.h"
#include "web/assets.h"

#define ASSETS_PREFIX "/assets/"

static int has_prefix(http_slice s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

int web_static_owns(const http_request *req)
{
	if (!http_slice_eq(req->method, "GET") && !http_slice_eq(req->method, "HEAD"))
		return 0;
	if (req->path.len == 0 || req->path.p[0] != '/')
		return 0; /* "*" of OPTIONS, never GET; kept out all the same */
	if (has_prefix(req->path, "/api/") || http_slice_eq(req->path, "/api") ||
	    http_slice_eq(req->path, "/healthz") || http_slice_eq(req->path, "/metrics"))
		return 0;
	return 1;
}

const web_asset *web_asset_find(const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < web_asset_count; i++) {
		if (strlen(web_assets[i].path) == len && memcmp(web_assets[i].path, path, len) == 0)
			return &web_assets[i];
	}
	return NULL;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* The q-value of one list member's parameters (";q=0.5"): 1 when absent, 0 when "q=0[.000]". */
static int q_positive(const char *p, const char *end)
{
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));

		if (!semi)
			return 1;
		p = semi + 1;
		while (p < end && is_ows(*p))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			if (p < end && *p == '1')
				return 1;
			while (p < end && (*p == '0' || *p == '.'))
				p++;
			return p < end && *p >= '1' && *p <= '9';
		}
	}
	return 1;
}

int web_accepts_gzip(const http_request *req)
{
	const http_header *h = http_find_header(req, "Accept-Encoding");
	const char *p, *end;

	if (!h)
		return 0;
	p = h->value.p;
	end = p + h->value.len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end, *tok_end;
		http_slice tok;

		while (p < item_end && is_ows(*p))
			p++;
		tok_end = p;
		while (tok_end < item_end && *tok_end != ';' && !is_ows(*tok_end))
			tok_end++;
		tok.p = p;
		tok.len = (size_t)(tok_end - p);
		if ((http_slice_eq_nocase(tok, "gzip") || http_slice_eq_nocase(tok, "x-gzip") ||
		     http_slice_eq(tok, "*")) &&
		    q_positive(tok_end, item_end))
			return 1;
		p = comma ? comma + 1 : end;
	}
	return 0;
}

int web_etag_matches(http_slice inm, const char *etag)
{
	const char *p = inm.p, *end = inm.p + inm.len;
	size_t elen = strlen(etag);

	while (p < end) {
		const char *q;

		while (p < end && (is_ows(*p) || *p == ','))
			p++;
		if (p == end)
			break;
		if (*p == '*')
			return 1;
		if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
			p += 2;
		if (p == end || *p != '"')
			return 0; /* malformed: match nothing, send the whole answer */
		q = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (!q)
			return 0;
		if ((size_t)(q + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = q + 1;
	}
	return 0;
}

#define CACHE_IMMUTABLE "Cache-Control: public, max-age=31536000, immutable\r\n"
#define CACHE_REVALIDATE "Cache-Control: no-cache\r\n"

static void serve(request *rq, const web_asset *a, const char *cache)
{
	const http_header *inm = http_find_header(rq->http, "If-None-Match");
	int gz = a->gz && web_accepts_gzip(rq->http);
	const char *etag = gz ? a->etag_gz : a->etag;
	char extra[512];

	snprintf(extra, sizeof(extra), "%sETag: %s\r\nVary: Accept-Encoding\r\n%s", cache, etag,
		 gz ? "Content-Encoding: gzip\r\n" : "");
	if (inm && web_etag_matches(inm->value, etag)) {
		conn_reply(rq->conn, 304, NULL, "", 0, extra);
		return;
	}
	conn_reply(rq->conn, 200, a->type, (const char *)(gz ? a->gz : a->data),
		   gz ? a->gzlen : a->len, extra);
}

void web_static_serve(request *rq)
{
	const web_asset *a;

	if (has_prefix(rq->http->path, ASSETS_PREFIX)) {
		a = web_asset_find(rq->http->path.p, rq->http->path.len);
		if (!a) {
			conn_reply_error(rq->conn, 404, "not_found", "no such asset", NULL);
			return;
		}
		serve(rq, a, CACHE_IMMUTABLE);
		return;
	}
	serve(rq, &web_index, CACHE_REVALIDATE);
}
