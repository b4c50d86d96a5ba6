/* multipart.c - parser of multipart/form-data request bodies (RFC 7578, RFC 2046). */
#include "http/multipart.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define BOUNDARY_MAX 70 /* RFC 2046 5.1.1 */

/* ---- character classes (ASCII only, never the locale) ---- */

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_tchar(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 2046 bcharsnospace. */
static int is_bchar_nospace(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("'()+_,-./:=?", c) != NULL);
}

/* A byte allowed in a header value: visible ASCII, SP, HTAB and obs-text. */
static int is_field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* qdtext of RFC 9110 5.6.4: a field byte but DQUOTE and backslash. */
static int is_qdtext(unsigned char c)
{
	return is_field_byte(c) && c != '"' && c != '\\';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int eq_nocase(const char *p, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lit[i] == '\0' || lower((unsigned char)p[i]) != lower((unsigned char)lit[i]))
			return 0;
	}
	return lit[i] == '\0';
}

static size_t skip_ows(const char *p, size_t len, size_t i)
{
	while (i < len && is_ows(p[i]))
		i++;
	return i;
}

static size_t skip_token(const char *p, size_t len, size_t i)
{
	while (i < len && is_tchar((unsigned char)p[i]))
		i++;
	return i;
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write the message (when there is room for one) and return `code`. */
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- parameters (RFC 9110 5.6.6) ---- */

typedef struct param {
	http_slice name;
	http_slice value; /* a token, or a quoted-string's contents with its escapes */
	int escaped;      /* value holds quoted-pairs */
	int quoted;
} param;

/*
 * The next parameter of v[0..len) from *pos, which is just after the media
 * type or the previous parameter: *( OWS ";" OWS [ name "=" value ] ) OWS.
 * Returns 1 with *out, 0 at the end of the value, -1 when malformed.
 */
static int next_param(const char *v, size_t len, size_t *pos, param *out)
{
	size_t i = *pos, start;

	memset(out, 0, sizeof(*out));
	for (;;) {
		i = skip_ows(v, len, i);
		if (i == len) {
			*pos = i;
			return 0;
		}
		if (v[i] != ';')
			return -1;
		i = skip_ows(v, len, i + 1);
		if (i < len && v[i] != ';')
			break;
		/* An empty parameter (";;" or a trailing ';'): allowed by RFC 9110. */
	}
	start = i;
	i = skip_token(v, len, i);
	if (i == start || i == len || v[i] != '=')
		return -1;
	out->name.p = v + start;
	out->name.len = i - start;
	i++;
	if (i < len && v[i] == '"') {
		start = ++i;
		for (;;) {
			if (i == len)
				return -1; /* no closing quote */
			if (v[i] == '"')
				break;
			if (v[i] == '\\') {
				if (i + 1 == len || !is_field_byte((unsigned char)v[i + 1]))
					return -1;
				out->escaped = 1;
				i += 2;
				continue;
			}
			if (!is_qdtext((unsigned char)v[i]))
				return -1;
			i++;
		}
		out->value.p = v + start;
		out->value.len = i - start;
		out->quoted = 1;
		i++;
	} else {
		start = i;
		i = skip_token(v, len, i);
		if (i == start)
			return -1;
		out->value.p = v + start;
		out->value.len = i - start;
	}
	*pos = i;
	return 1;
}

/* Does the raw (possibly escaped) value `raw` decode to the C string `s`? */
static int raw_eq(http_slice raw, const char *s)
{
	size_t i = 0, j = 0;

	while (i < raw.len) {
		char c = raw.p[i];
		if (c == '\\' && i + 1 < raw.len)
			c = raw.p[++i];
		if (s[j] == '\0' || s[j] != c)
			return 0;
		i++;
		j++;
	}
	return s[j] == '\0';
}

/* ---- the Content-Type of the request ---- */

int multipart_boundary(http_slice *out, const char *ctype, size_t ctlen, char *err, size_t errlen)
{
	size_t i, t0, t1, s0, s1;
	http_slice bnd = {NULL, 0};
	int found = 0, r;
	param prm;

	out->p = NULL;
	out->len = 0;
	i = skip_ows(ctype, ctlen, 0);
	t0 = i;
	t1 = skip_token(ctype, ctlen, t0);
	if (t1 == ctlen || ctype[t1] != '/')
		return fail(err, errlen, MULTIPART_ECTYPE,
			    "the Content-Type is not multipart/form-data");
	s0 = t1 + 1;
	s1 = skip_token(ctype, ctlen, s0);
	if (!eq_nocase(ctype + t0, t1 - t0, "multipart") ||
	    !eq_nocase(ctype + s0, s1 - s0, "form-data"))
		return fail(err, errlen, MULTIPART_ECTYPE,
			    "the Content-Type is not multipart/form-data");
	i = s1;
	for (;;) {
		r = next_param(ctype, ctlen, &i, &prm);
		if (r < 0)
			return fail(err, errlen, MULTIPART_EBOUNDARY,
				    "the Content-Type parameters are malformed");
		if (r == 0)
			break;
		if (!eq_nocase(prm.name.p, prm.name.len, "boundary"))
			continue;
		if (found)
			return fail(err, errlen, MULTIPART_EBOUNDARY,
				    "the Content-Type has two boundary parameters");
		found = 1;
		bnd = prm.value;
		if (prm.escaped)
			return fail(err, errlen, MULTIPART_EBOUNDARY,
				    "the boundary must not hold backslash escapes");
	}
	if (!found)
		return fail(err, errlen, MULTIPART_EBOUNDARY, "the Content-Type has no boundary");
	if (bnd.len < 1 || bnd.len > BOUNDARY_MAX || bnd.p[bnd.len - 1] == ' ')
		goto bad;
	for (i = 0; i < bnd.len; i++) {
		unsigned char c = (unsigned char)bnd.p[i];
		if (!is_bchar_nospace(c) && c != ' ')
			goto bad;
	}
	*out = bnd;
	return 0;
bad:
	return fail(err, errlen, MULTIPART_EBOUNDARY,
		    "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space");
}

/* ---- one part's headers ---- */

typedef struct part_state {
	multipart_part *part;
	size_t index; /* 1-based, for messages */
	int have_cd, have_ct, have_cte;
	char *err;
	size_t errlen;
} part_state;

static int parse_disposition(part_state *st, const char *v, size_t len)
{
	multipart_part *part = st->part;
	size_t i = skip_token(v, len, 0);
	int have_name = 0, r;
	param prm;

	if (!eq_nocase(v, i, "form-data"))
		return fail(st->err, st->errlen, MULTIPART_EINVAL,
			    "part %zu: Content-Disposition is not form-data", st->index);
	for (;;) {
		r = next_param(v, len, &i, &prm);
		if (r < 0)
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: malformed Content-Disposition parameters",
				    st->index);
		if (r == 0)
			break;
		if (eq_nocase(prm.name.p, prm.name.len, "name")) {
			if (have_name)
				return fail(st->err, st->errlen, MULTIPART_EINVAL,
					    "part %zu: two names in Content-Disposition",
					    st->index);
			have_name = 1;
			part->name = prm.value;
			part->name_escaped = prm.escaped;
		} else if (eq_nocase(prm.name.p, prm.name.len, "filename")) {
			if (part->has_filename)
				return fail(st->err, st->errlen, MULTIPART_EINVAL,
					    "part %zu: two filenames in Content-Disposition",
					    st->index);
			part->has_filename = 1;
			part->filename = prm.value;
			part->filename_escaped = prm.escaped;
		}
	}
	if (!have_name)
		return fail(st->err, st->errlen, MULTIPART_EINVAL,
			    "part %zu: no name in Content-Disposition", st->index);
	if (part->name.len == 0)
		return fail(st->err, st->errlen, MULTIPART_EINVAL,
			    "part %zu: empty name in Content-Disposition", st->index);
	return 0;
}

/* One header line, line[0..len) without its CRLF. */
static int parse_header_line(part_state *st, const char *line, size_t len)
{
	size_t colon, v0, v1;

	if (is_ows(line[0]))
		return fail(st->err, st->errlen, MULTIPART_EINVAL, "part %zu: folded header line",
			    st->index);
	colon = skip_token(line, len, 0);
	if (colon == 0 || colon == len || line[colon] != ':')
		return fail(st->err, st->errlen, MULTIPART_EINVAL,
			    "part %zu: malformed header line", st->index);
	for (size_t i = colon + 1; i < len; i++) {
		if (!is_field_byte((unsigned char)line[i]))
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: control byte in a header", st->index);
	}
	v0 = skip_ows(line, len, colon + 1);
	v1 = len;
	while (v1 > v0 && is_ows(line[v1 - 1]))
		v1--;
	if (eq_nocase(line, colon, "content-disposition")) {
		if (st->have_cd)
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: two Content-Disposition headers", st->index);
		st->have_cd = 1;
		return parse_disposition(st, line + v0, v1 - v0);
	}
	if (eq_nocase(line, colon, "content-type")) {
		if (st->have_ct)
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: two Content-Type headers", st->index);
		st->have_ct = 1;
		if (v1 > v0) {
			st->part->content_type.p = line + v0;
			st->part->content_type.len = v1 - v0;
		}
		return 0;
	}
	if (eq_nocase(line, colon, "content-transfer-encoding")) {
		/* Deprecated by RFC 7578 4.7; only the identity encodings are
		 * accepted, since nothing is decoded here. */
		if (st->have_cte)
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: two Content-Transfer-Encoding headers", st->index);
		st->have_cte = 1;
		if (!eq_nocase(line + v0, v1 - v0, "binary") &&
		    !eq_nocase(line + v0, v1 - v0, "8bit") &&
		    !eq_nocase(line + v0, v1 - v0, "7bit"))
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: unsupported Content-Transfer-Encoding", st->index);
		return 0;
	}
	return 0; /* other headers are allowed and ignored */
}

/*
 * The header section of a part, from *pos (just after the boundary line) to
 * and including its blank line; *pos moves to the first byte of the data.
 */
static int parse_headers(part_state *st, const char *body, size_t len, size_t *pos)
{
	size_t start = *pos, i = start, limit, eol = start;
	const char *nl;
	int rc;

	limit =
	    len - start > PROSUM_MAX_PART_HEADER_BYTES ? start + PROSUM_MAX_PART_HEADER_BYTES : len;
	for (;;) {
		nl = memchr(body + i, '\n', limit - i);
		if (!nl) {
			if (limit - start == PROSUM_MAX_PART_HEADER_BYTES)
				return fail(st->err, st->errlen, MULTIPART_EHEADERS,
					    "part %zu: headers exceed %d bytes", st->index,
					    PROSUM_MAX_PART_HEADER_BYTES);
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: the body ends inside the headers", st->index);
		}
		eol = (size_t)(nl - body);
		if (eol == i || body[eol - 1] != '\r')
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: header line not ended by CRLF", st->index);
		if (eol - 1 == i)
			break; /* the blank line */
		if (memchr(body + i, '\r', eol - 1 - i))
			return fail(st->err, st->errlen, MULTIPART_EINVAL,
				    "part %zu: bare CR in a header line", st->index);
		rc = parse_header_line(st, body + i, eol - 1 - i);
		if (rc)
			return rc;
		i = eol + 1;
	}
	if (!st->have_cd)
		return fail(st->err, st->errlen, MULTIPART_EINVAL,
			    "part %zu: no Content-Disposition", st->index);
	*pos = eol + 1;
	return 0;
}

/* ---- the body ---- */

int multipart_parse(multipart_part *parts, size_t cap, size_t *nparts, const char *body, size_t len,
		    const char *ctype, size_t ctlen, char *err, size_t errlen)
{
	char delim[4 + BOUNDARY_MAX]; /* CRLF "--" boundary */
	size_t dlen, pos, n = 0;
	http_slice b;
	const char *hit;
	part_state st;
	int rc;

	*nparts = 0;
	if (err && errlen > 0)
		err[0] = '\0';
	rc = multipart_boundary(&b, ctype, ctlen, err, errlen);
	if (rc)
		goto out;
	assert(b.len >= 1 && b.len <= BOUNDARY_MAX);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b.p, b.len);
	dlen = 4 + b.len;

	/* The first boundary starts the body, or follows a preamble and its CRLF. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		pos = dlen - 2;
	} else {
		hit = len > 0 ? memmem(body, len, delim, dlen) : NULL;
		if (!hit) {
			rc = fail(err, errlen, MULTIPART_EINVAL, "no opening boundary in the body");
			goto out;
		}
		pos = (size_t)(hit - body) + dlen;
	}

	/* pos is just after a "--" boundary. */
	for (;;) {
		if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-') {
			pos = skip_ows(body, len, pos + 2);
			if (pos == len ||
			    (len - pos >= 2 && body[pos] == '\r' && body[pos + 1] == '\n'))
				break; /* the rest is the epilogue */
			rc = fail(err, errlen, MULTIPART_EINVAL,
				  "unexpected bytes after the closing boundary");
			goto out;
		}
		pos = skip_ows(body, len, pos);
		if (len - pos < 2) {
			rc = fail(err, errlen, MULTIPART_EINVAL,
				  "part %zu: the body ends after a boundary", n + 1);
			goto out;
		}
		if (body[pos] != '\r' || body[pos + 1] != '\n') {
			rc = fail(err, errlen, MULTIPART_EINVAL,
				  "part %zu: unexpected bytes after the boundary", n + 1);
			goto out;
		}
		pos += 2;
		if (n == cap) {
			rc = fail(err, errlen, MULTIPART_ETOOMANY, "more than %zu parts", cap);
			goto out;
		}
		memset(&parts[n], 0, sizeof(parts[n]));
		st = (part_state){.part = &parts[n], .index = n + 1, .err = err, .errlen = errlen};
		rc = parse_headers(&st, body, len, &pos);
		if (rc)
			goto out;
		parts[n].data.p = body + pos;
		/* The CRLF ending the headers may also start the delimiter: a part
		 * without data (RFC 2046: body-part := MIME-part-headers [CRLF *OCTET]). */
		if (len - pos >= dlen - 2 && memcmp(body + pos, delim + 2, dlen - 2) == 0) {
			pos += dlen - 2;
			n++;
			continue;
		}
		hit = len > pos ? memmem(body + pos, len - pos, delim, dlen) : NULL;
		if (!hit) {
			rc = fail(err, errlen, MULTIPART_EINVAL,
				  "part %zu: missing closing boundary", n + 1);
			goto out;
		}
		parts[n].data.len = (size_t)(hit - (body + pos));
		pos = (size_t)(hit - body) + dlen;
		n++;
	}
	*nparts = n;
	rc = 0;
out:
	return rc;
}

/* ---- helpers for callers ---- */

int multipart_find_one(const multipart_part **out, const multipart_part *parts, size_t nparts,
		       const char *name)
{
	size_t found = 0;

	*out = NULL;
	for (size_t i = 0; i < nparts; i++) {
		if (!raw_eq(parts[i].name, name))
			continue;
		if (found++ == 0)
			*out = &parts[i];
	}
	if (found == 0)
		return MULTIPART_ENOTFOUND;
	return found == 1 ? 0 : MULTIPART_EDUPLICATE;
}

ssize_t multipart_unescape(char *out, size_t outsz, http_slice raw)
{
	size_t i = 0, n = 0;

	if (outsz == 0)
		return MULTIPART_ERANGE;
	while (i < raw.len) {
		char c = raw.p[i];
		if (c == '\\' && i + 1 < raw.len)
			c = raw.p[++i];
		if (n + 1 >= outsz) {
			out[0] = '\0';
			return MULTIPART_ERANGE;
		}
		out[n++] = c;
		i++;
	}
	out[n] = '\0';
	return (ssize_t)n;
}
