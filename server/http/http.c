/* http.c - incremental HTTP/1.1 request parser, query strings and percent-decoding. */
#include "http/http.h"
#include "http/http_chars.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <limits.h>
#define INT_LIMIT ((size_t)INT_MAX)
#define SSIZE_LIMIT ((size_t)SSIZE_MAX)

/* ---- character classes (ASCII only, never the locale) ---- */

/* A byte allowed in the request target: visible ASCII only (non-ASCII must be
 * percent-encoded by the client). */
static int is_target_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* ---- slices ---- */

int http_slice_eq(http_slice s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && (n == 0 || memcmp(s.p, str, n) == 0);
}

int http_slice_eq_nocase(http_slice s, const char *str)
{
	size_t i, n = strlen(str);

	if (s.len != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)str[i]))
			return 0;
	}
	return 1;
}

static http_slice trim_ows(http_slice s)
{
	while (s.len && is_ows(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_ows(s.p[s.len - 1]))
		s.len--;
	return s;
}

/*
 * Next element of the comma-separated list `s`, starting at *pos, with OWS
 * trimmed. Empty elements ("a, ,b") are skipped as RFC 9110 5.6.1 asks.
 * Returns 0 when the list is exhausted.
 */
static int next_list_item(http_slice s, size_t *pos, http_slice *item)
{
	while (*pos < s.len) {
		const char *comma = memchr(s.p + *pos, ',', s.len - *pos);
		size_t end = comma ? (size_t)(comma - s.p) : s.len;
		http_slice it = {s.p + *pos, end - *pos};

		*pos = comma ? end + 1 : s.len;
		it = trim_ows(it);
		if (it.len) {
			*item = it;
			return 1;
		}
	}
	return 0;
}

/* ---- request head ---- */

/* One line of the head: content [start, end) without its terminator; `next`
 * is the index just after the LF. */
typedef struct line {
	size_t start;
	size_t end;
	size_t next;
} line;

/* Find the LF ending the line that starts at `pos`, looking at in[pos..lim).
 * Returns 0 when it is not there (yet). */
static int next_line(const char *in, size_t pos, size_t lim, line *ln)
{
	const char *lf;
	size_t e;

	if (pos >= lim)
		return 0;
	lf = memchr(in + pos, '\n', lim - pos);
	if (!lf)
		return 0;
	e = (size_t)(lf - in);
	ln->start = pos;
	ln->next = e + 1;
	ln->end = (e > pos && in[e - 1] == '\r') ? e - 1 : e;
	return 1;
}

/* RFC 9112 2.2: ignore empty lines before the request line (some clients send
 * an extra CRLF after a body). They still count towards the head limit. */
static size_t skip_blank_lines(const char *in, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		if (in[pos] == '\n')
			pos++;
		else if (in[pos] == '\r' && pos + 1 < len && in[pos + 1] == '\n')
			pos += 2;
		else
			break;
	}
	return pos;
}

/* "HTTP/" 1*DIGIT "." 1*DIGIT: a version we could name but do not speak. */
static int version_shaped(const char *p, size_t n)
{
	size_t i = 5, d;

	if (n < 8 || memcmp(p, "HTTP/", 5) != 0)
		return 0;
	for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == d || i >= n || p[i] != '.')
		return 0;
	for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	return i > d && i == n;
}

/* Length of "http://" or "https://" (any case) at the start of t[0..n), or 0. */
static size_t scheme_len(const char *t, size_t n)
{
	http_slice s = {t, 0};

	s.len = n < 7 ? n : 7;
	if (http_slice_eq_nocase(s, "http://"))
		return 7;
	s.len = n < 8 ? n : 8;
	return http_slice_eq_nocase(s, "https://") ? 8 : 0;
}

/* An unreserved or sub-delims byte of RFC 3986, as reg-name allows. */
static int is_regname_byte(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=", c) != NULL;
}

/*
 * uri-host [":" port] (RFC 9110 7.2, RFC 3986 3.2.2): a reg-name (unreserved,
 * sub-delims, %XX) or an IP literal in brackets, then an optional port of
 * 0-65535. No userinfo, no spaces; the host may not be empty, since an
 * http(s) URI always has one (RFC 9110 4.2.1).
 */
static int host_ok(http_slice h)
{
	size_t i = 0, n = h.len, digits;
	unsigned long port = 0;
	const unsigned char *p = (const unsigned char *)h.p;

	if (n == 0)
		return 0;
	if (p[0] == '[') {
		for (i = 1; i < n && p[i] != ']'; i++) {
			if (!is_regname_byte(p[i]) && p[i] != ':')
				return 0;
		}
		if (i == n || i == 1)
			return 0;
		i++;
	} else {
		while (i < n && p[i] != ':') {
			if (p[i] == '%') {
				if (n - i < 3 || hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
					return 0;
				i += 3;
				continue;
			}
			if (!is_regname_byte(p[i]))
				return 0;
			i++;
		}
		if (i == 0)
			return 0;
	}
	if (i == n)
		return 1;
	if (p[i] != ':')
		return 0;
	for (i++, digits = 0; i < n; i++, digits++) {
		if (p[i] < '0' || p[i] > '9' || digits == 5)
			return 0;
		port = port * 10 + (p[i] - '0');
	}
	return port <= 65535;
}

/* method SP request-target SP HTTP-version, single spaces, nothing else.
 * Returns 0 or the status to answer. */
static int parse_request_line(http_request *req, const char *in, const line *ln)
{
	const char *p = in + ln->start, *end = in + ln->end, *tok, *q;

	tok = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if (p == tok || p == end || *p != ' ')
		return 400;
	req->method.p = tok;
	req->method.len = (size_t)(p - tok);

	tok = ++p;
	while (p < end && is_target_byte((unsigned char)*p))
		p++;
	if (p == tok || p == end || *p != ' ')
		return 400;
	req->target.p = tok;
	req->target.len = (size_t)(p - tok);
	if (req->target.len == 1 && *tok == '*') {
		/* asterisk-form: the server as a whole, for OPTIONS alone (RFC 9112 3.2.4) */
		if (!http_slice_eq(req->method, "OPTIONS"))
			return 400;
		req->path = req->target;
	} else {
		const char *path = tok;

		if (*tok != '/') {
			/* absolute-form (RFC 9112 3.2.2): what we serve is http(s) only */
			size_t skip = scheme_len(tok, (size_t)(p - tok));
			const char *auth = tok + skip;

			if (!skip)
				return 400;
			path = auth;
			while (path < p && *path != '/' && *path != '?' && *path != '#')
				path++;
			req->host.p = auth;
			req->host.len = (size_t)(path - auth);
			req->absolute_form = 1;
		}
		q = memchr(path, '?', (size_t)(p - path));
		req->path.p = path;
		req->path.len = q ? (size_t)(q - path) : (size_t)(p - path);
		if (req->path.len == 0) {
			static const char root[] = "/";

			req->path.p = root; /* "https://host" and "https://host?q" mean "/" */
			req->path.len = 1;
		}
		if (q) {
			req->query.p = q + 1;
			req->query.len = (size_t)(p - (q + 1));
		}
	}

	p++;
	if (end - p == 8 && memcmp(p, "HTTP/1.", 7) == 0 && (p[7] == '0' || p[7] == '1')) {
		req->minor_version = p[7] - '0';
		return 0;
	}
	return version_shaped(p, (size_t)(end - p)) ? 505 : 400;
}

/* field-name ":" OWS field-value OWS. A line starting with whitespace (obsolete
 * line folding) has an empty name and is refused here. */
static int parse_header_line(const char *in, const line *ln, http_header *h)
{
	const char *p = in + ln->start, *end = in + ln->end, *name = p, *v;

	while (p < end && is_tchar((unsigned char)*p))
		p++;
	if (p == name || p == end || *p != ':')
		return 400;
	h->name.p = name;
	h->name.len = (size_t)(p - name);
	v = ++p;
	for (; p < end; p++) {
		if (!is_field_byte((unsigned char)*p))
			return 400; /* control bytes, bare CR among them */
	}
	h->value.p = v;
	h->value.len = (size_t)(end - v);
	h->value = trim_ows(h->value);
	return 0;
}

/* Content-Length: 1*DIGIT, no sign, no list, fits in int64_t. */
static int parse_content_length(http_slice v, int64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v.len == 0)
		return -1;
	for (i = 0; i < v.len; i++) {
		unsigned d = (unsigned char)v.p[i] - '0';

		if (d > 9)
			return -1;
		if (n > ((uint64_t)INT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = (int64_t)n;
	return 0;
}

/* Fill the derived fields. Returns 0, 400 for framing errors or 501 for a
 * content coding we do not know; 400 wins when both apply. */
static int derive_fields(http_request *req)
{
	int bad = 0, unsupported = 0, te = 0, host = 0, ctype = 0, codings = 0;
	int coding = HTTP_CODING_IDENTITY;
	const char *hostbad = NULL, *hostfield = "Host";
	int conn_close = 0, conn_keep = 0;
	size_t i, pos;
	http_slice item;

	for (i = 0; i < req->nheaders; i++) {
		const http_header *h = &req->headers[i];

		if (http_slice_eq_nocase(h->name, "content-length")) {
			int64_t v;

			if (parse_content_length(h->value, &v) < 0)
				bad = 1;
			else if (req->content_length >= 0 && req->content_length != v)
				bad = 1;
			else
				req->content_length = v;
		} else if (http_slice_eq_nocase(h->name, "transfer-encoding")) {
			/* A second header would make "chunked, chunked". */
			if (te || !http_slice_eq_nocase(h->value, "chunked"))
				bad = 1;
			te = 1;
		} else if (http_slice_eq_nocase(h->name, "content-encoding")) {
			pos = 0;
			while (next_list_item(h->value, &pos, &item)) {
				int k = http_coding_of(item.p, item.len);

				if (k < 0)
					unsupported = 1;
				else if (k != HTTP_CODING_IDENTITY) {
					coding = k;
					codings++;
				}
			}
		} else if (http_slice_eq_nocase(h->name, "connection")) {
			pos = 0;
			while (next_list_item(h->value, &pos, &item)) {
				if (http_slice_eq_nocase(item, "close"))
					conn_close = 1;
				else if (http_slice_eq_nocase(item, "keep-alive"))
					conn_keep = 1;
			}
		} else if (http_slice_eq_nocase(h->name, "expect")) {
			/* RFC 9110 10.1.1: ignored in HTTP/1.0 requests */
			if (req->minor_version == 1 &&
			    http_slice_eq_nocase(h->value, "100-continue"))
				req->expect_continue = 1;
		} else if (http_slice_eq_nocase(h->name, "content-type")) {
			if (!ctype) {
				const char *semi = memchr(h->value.p, ';', h->value.len);

				req->content_type = h->value;
				if (semi)
					req->content_type.len = (size_t)(semi - h->value.p);
				req->content_type = trim_ows(req->content_type);
				ctype = 1;
			}
		} else if (http_slice_eq_nocase(h->name, "host")) {
			if (!host_ok(h->value))
				hostbad = "invalid Host header: a host name or address and an "
					  "optional port";
			if (!req->absolute_form)
				req->host = h->value;
			host++;
		}
	}
	/* RFC 9112 3.2: each of these MUST be answered with 400. */
	if (host > 1)
		hostbad = "more than one Host header";
	else if (!host && req->minor_version == 1 && !req->absolute_form)
		hostbad = "an HTTP/1.1 request needs a Host header";
	if (req->absolute_form && !host_ok(req->host) && !hostbad) {
		hostbad = "invalid authority in the request target: a host name or address and "
			  "an optional port";
		hostfield = NULL;
	}
	/* Both framings at once is how requests are smuggled past a proxy; and
	 * HTTP/1.0 has no chunked coding, so TE there means faulty framing. */
	if (te && (req->content_length >= 0 || req->minor_version == 0))
		bad = 1;
	if (codings > 1)
		unsupported = 1; /* nested codings are not worth a second decoding pass */
	req->chunked = te;
	req->coding = codings == 1 ? coding : HTTP_CODING_IDENTITY;
	req->gzip = req->coding == HTTP_CODING_GZIP;
	req->keep_alive = req->minor_version == 1 ? !conn_close : (conn_keep && !conn_close);
	if (bad)
		return 400;
	if (hostbad) {
		req->error = hostbad;
		req->error_field = hostfield;
		return 400;
	}
	return unsupported ? 501 : 0;
}

static void reset_request(http_request *req)
{
	static const http_slice empty = {NULL, 0};

	req->method = empty;
	req->target = empty;
	req->path = empty;
	req->query = empty;
	req->minor_version = 0;
	req->nheaders = 0;
	req->content_length = -1;
	req->chunked = 0;
	req->gzip = 0;
	req->coding = HTTP_CODING_IDENTITY;
	req->keep_alive = 0;
	req->expect_continue = 0;
	req->content_type = empty;
	req->host = empty;
	req->absolute_form = 0;
	req->error = NULL;
	req->error_field = NULL;
}

ssize_t http_parse_head(http_request *req, const char *in, size_t len, const http_limits *lim,
			int *status)
{
	size_t pos, window, max_headers;
	ssize_t ret = HTTP_ERROR;
	int st = 400;
	line ln;

	assert(req && lim && status && (in || len == 0));
	reset_request(req);
	max_headers =
	    lim->max_headers < HTTP_MAX_HEADERS_HARD ? lim->max_headers : HTTP_MAX_HEADERS_HARD;

	/*
	 * Limits are checked before syntax and before completeness: a head that
	 * cannot fit is refused as soon as that is certain, so a client that
	 * streams an endless line or endless headers is stopped at the limit.
	 * If no LF is in sight the line is at least as long as what we have
	 * (minus a CR that may be the start of its CRLF), and the head is at
	 * least one byte longer than the buffer.
	 */
	pos = skip_blank_lines(in, len);
	if (pos >= lim->max_header_bytes) {
		/* Blank lines count towards the head too: the verdict must not depend on
		 * how much of an endless run of them has arrived. */
		st = 431;
		goto out;
	}
	if (!next_line(in, pos, len, &ln)) {
		/*
		 * The byte count at which a sender going byte by byte meets each
		 * limit: the request line's (a final CR may still start its CRLF) and
		 * the head's. The first one met is the answer, however the bytes came.
		 */
		size_t at414 = pos + lim->max_request_line + 1, at431 = lim->max_header_bytes;

		if (at414 <= len && in[at414 - 1] == '\r')
			at414++;
		if (at414 <= len && at414 <= at431)
			st = 414;
		else if (at431 <= len)
			st = 431;
		else
			ret = HTTP_INCOMPLETE;
		goto out;
	}
	if (ln.end - ln.start > lim->max_request_line) {
		/*
		 * Both limits may be passed: answer the one a client sending byte by
		 * byte would have met first (see the incomplete case above), so the
		 * verdict does not depend on how the bytes arrived.
		 */
		size_t at = ln.start + lim->max_request_line + 1;

		if (in[at - 1] == '\r')
			at++;
		st = at > lim->max_header_bytes ? 431 : 414;
		goto out;
	}
	if (ln.next > lim->max_header_bytes) {
		st = 431;
		goto out;
	}
	st = parse_request_line(req, in, &ln);
	if (st)
		goto out;

	pos = ln.next;
	window = len < lim->max_header_bytes ? len : lim->max_header_bytes;
	for (;;) {
		http_header h;

		/* One header too many is known from its first byte. */
		if (req->nheaders == max_headers && pos < len && in[pos] != '\r' &&
		    in[pos] != '\n') {
			st = 431;
			goto out;
		}
		if (!next_line(in, pos, window, &ln)) {
			if (len >= lim->max_header_bytes) {
				st = 431;
			} else {
				st = 0;
				ret = HTTP_INCOMPLETE;
			}
			goto out;
		}
		if (ln.start == ln.end)
			break;
		st = parse_header_line(in, &ln, &h);
		if (st)
			goto out;
		if (req->nheaders == max_headers) {
			st = 431;
			goto out;
		}
		req->headers[req->nheaders++] = h;
		pos = ln.next;
	}

	st = derive_fields(req);
	if (st)
		goto out;
	assert(ln.next <= lim->max_header_bytes && ln.next <= SSIZE_LIMIT);
	ret = (ssize_t)ln.next;
out:
	*status = ret == HTTP_ERROR ? st : 0;
	return ret;
}

const http_header *http_find_header(const http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		if (http_slice_eq_nocase(req->headers[i].name, name))
			return &req->headers[i];
	}
	return NULL;
}

/* ---- query strings ---- */

/* Does the form-encoded key k[0..n) decode to `name`? A malformed key matches nothing. */
static int key_matches(const char *k, size_t n, const char *name, size_t nlen)
{
	size_t i = 0, j = 0;

	while (i < n) {
		unsigned char c = (unsigned char)k[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return 0;
			hi = hexval((unsigned char)k[i + 1]);
			lo = hexval((unsigned char)k[i + 2]);
			if (hi < 0 || lo < 0)
				return 0;
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			if (c == '+')
				c = ' ';
			i++;
		}
		if (j == nlen || c == '\0' || (unsigned char)name[j] != c)
			return 0;
		j++;
	}
	return j == nlen;
}

/* Percent-decode; '+' is a space in query values (plus = 1) but not in paths. */
static int decode_value(const char *v, size_t n, char *out, size_t outsz, int plus)
{
	size_t i = 0, o = 0;

	if (outsz == 0)
		return -2;
	while (i < n) {
		unsigned char c = (unsigned char)v[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -2;
			hi = hexval((unsigned char)v[i + 1]);
			lo = hexval((unsigned char)v[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return -2; /* malformed, or a NUL that would cut a C string */
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			if (c == '+' && plus)
				c = ' ';
			i++;
		}
		if (o + 1 >= outsz || o >= INT_LIMIT)
			return -2;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (int)o;
}

int http_query_param(http_slice query, const char *name, char *out, size_t outsz)
{
	size_t pos = 0, nlen = strlen(name);

	while (pos < query.len) {
		const char *amp = memchr(query.p + pos, '&', query.len - pos);
		size_t end = amp ? (size_t)(amp - query.p) : query.len;
		const char *eq = memchr(query.p + pos, '=', end - pos);
		size_t kend = eq ? (size_t)(eq - query.p) : end;

		if (end > pos && key_matches(query.p + pos, kend - pos, name, nlen)) {
			size_t vstart = eq ? kend + 1 : end;

			return decode_value(query.p + vstart, end - vstart, out, outsz, 1);
		}
		pos = end + 1;
	}
	return -1;
}

ssize_t http_percent_decode(char *out, size_t outsz, http_slice in)
{
	int n = decode_value(in.p, in.len, out, outsz, 0);

	return n < 0 ? -1 : n;
}
