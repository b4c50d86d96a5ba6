/* fuzz_multipart.c - fuzz harness of the multipart/form-data body parser. */
#include <string.h>

#include "fuzz.h"
#include "http/multipart.h"

/*
 * Input: the Content-Type header value up to the first LF, then the body.
 * Each lives in a heap block of exactly its size, so reading past either is
 * caught.
 */

#define CAP 16 /* parts a report request may carry: the report and its files */
#define ERRLEN 128

static int inside(http_slice s, const char *base, size_t n)
{
	if (s.p == NULL)
		return s.len == 0;
	return s.p >= base && s.p <= base + n && s.len <= (size_t)(base + n - s.p);
}

/* A message for a JSON body: printable ASCII, NUL-terminated, not cut. */
static void check_message(const char *err)
{
	size_t n = strnlen(err, ERRLEN);

	FUZZ_CHECK(n > 0 && n < ERRLEN - 1);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(err[i] >= 0x20 && err[i] < 0x7f);
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* multipart_unescape() of a name or filename: bounds, and what the value may hold.
 * Returns the decoded value (owned by the caller). */
static char *check_unescape(http_slice raw, int escaped)
{
	char *out = malloc(raw.len + 1), *small;
	ssize_t n, r;

	FUZZ_CHECK(out != NULL);
	n = multipart_unescape(out, raw.len + 1, raw);
	FUZZ_CHECK(n >= 0 && (size_t)n <= raw.len && out[n] == '\0');
	FUZZ_CHECK(strlen(out) == (size_t)n);
	for (ssize_t i = 0; i < n; i++)
		FUZZ_CHECK(out[i] == '\t' || (unsigned char)out[i] >= 0x20);
	for (ssize_t i = 0; i < n; i++)
		FUZZ_CHECK(out[i] != 0x7f);
	if (!escaped)
		FUZZ_CHECK((size_t)n == raw.len && memcmp(out, raw.p, raw.len) == 0);
	/* Room for the value and its NUL is enough; one byte less is not. */
	small = malloc((size_t)n + 1);
	FUZZ_CHECK(small != NULL);
	r = multipart_unescape(small, (size_t)n + 1, raw);
	FUZZ_CHECK(r == n && strcmp(small, out) == 0);
	r = multipart_unescape(small, (size_t)n, raw);
	FUZZ_CHECK(r == MULTIPART_ERANGE && (n == 0 || small[0] == '\0'));
	free(small);
	return out;
}

static void check_parts(const multipart_part *parts, size_t nparts, const char *body, size_t len,
			http_slice bnd)
{
	char delim[4 + 70];
	size_t dlen = 4 + bnd.len;
	const char *prev_end = body;

	FUZZ_CHECK(bnd.len >= 1 && bnd.len <= 70);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, bnd.p, bnd.len);
	for (size_t i = 0; i < nparts; i++) {
		const multipart_part *p = &parts[i];
		const multipart_part *first;
		char *name;
		int rc;

		FUZZ_CHECK(p->name.len > 0 && inside(p->name, body, len));
		FUZZ_CHECK(inside(p->filename, body, len) && inside(p->content_type, body, len));
		FUZZ_CHECK(inside(p->data, body, len) && p->data.p != NULL);
		FUZZ_CHECK(p->has_filename == (p->filename.p != NULL));
		FUZZ_CHECK(p->name_escaped == 0 || p->name_escaped == 1);
		FUZZ_CHECK(p->filename_escaped == 0 || p->filename_escaped == 1);
		FUZZ_CHECK(p->name_escaped || memchr(p->name.p, '\\', p->name.len) == NULL);
		FUZZ_CHECK(p->content_type.len == 0 ||
			   (!is_ows(p->content_type.p[0]) &&
			    !is_ows(p->content_type.p[p->content_type.len - 1])));
		/* Parts come in order: headers, then data, then the next part. */
		FUZZ_CHECK(p->name.p >= prev_end && p->name.p + p->name.len <= p->data.p);
		FUZZ_CHECK(p->content_type.p == NULL || p->content_type.p < p->data.p);
		FUZZ_CHECK(p->filename.p == NULL || p->filename.p < p->data.p);
		prev_end = p->data.p + p->data.len;
		/* The data never holds a delimiter, and one ends it. */
		FUZZ_CHECK(memmem(p->data.p, p->data.len, delim, dlen) == NULL);
		if (p->data.len > 0)
			FUZZ_CHECK((size_t)(body + len - prev_end) >= dlen &&
				   memcmp(prev_end, delim, dlen) == 0);

		name = check_unescape(p->name, p->name_escaped);
		if (p->has_filename)
			free(check_unescape(p->filename, p->filename_escaped));
		/* Looking the part up by its name finds it, or an earlier one of that name. */
		rc = multipart_find_one(&first, parts, nparts, name);
		FUZZ_CHECK(rc == 0 || rc == MULTIPART_EDUPLICATE);
		FUZZ_CHECK(first != NULL && first >= parts && first <= p);
		FUZZ_CHECK(rc == MULTIPART_EDUPLICATE || first == p);
		free(name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *lf = memchr(data, '\n', size);
	size_t ctlen = lf ? (size_t)(lf - data) : size;
	size_t len = lf ? size - ctlen - 1 : 0;
	char *ctype = malloc(ctlen ? ctlen : 1), *body = malloc(len ? len : 1);
	multipart_part *parts = malloc(CAP * sizeof(*parts));
	char err[ERRLEN];
	http_slice bnd;
	size_t nparts, again;
	int rc, brc;

	FUZZ_CHECK(ctype != NULL && body != NULL && parts != NULL);
	if (ctlen)
		memcpy(ctype, data, ctlen);
	if (len)
		memcpy(body, lf + 1, len);

	brc = multipart_boundary(&bnd, ctype, ctlen, err, sizeof(err));
	FUZZ_CHECK(brc == 0 || brc == MULTIPART_ECTYPE || brc == MULTIPART_EBOUNDARY);
	if (brc == 0) {
		FUZZ_CHECK(bnd.len >= 1 && bnd.len <= 70 && inside(bnd, ctype, ctlen));
		FUZZ_CHECK(bnd.p[bnd.len - 1] != ' ');
	} else {
		check_message(err);
	}

	nparts = 12345;
	memset(err, 'x', sizeof(err));
	rc = multipart_parse(parts, CAP, &nparts, body, len, ctlen ? ctype : NULL, ctlen, err,
			     sizeof(err));
	FUZZ_CHECK(rc == MULTIPART_OK || rc == MULTIPART_EINVAL || rc == MULTIPART_ECTYPE ||
		   rc == MULTIPART_EBOUNDARY || rc == MULTIPART_ETOOMANY ||
		   rc == MULTIPART_EHEADERS);
	/* The Content-Type is judged first, the same way as on its own. */
	FUZZ_CHECK(brc == 0 ? (rc != MULTIPART_ECTYPE && rc != MULTIPART_EBOUNDARY) : rc == brc);
	if (rc != 0) {
		FUZZ_CHECK(nparts == 0);
		check_message(err);
	} else {
		FUZZ_CHECK(nparts <= CAP);
		check_parts(parts, nparts, body, len, bnd);
		/* Exactly as much room is enough; one part less is too little. */
		if (nparts > 0) {
			rc = multipart_parse(parts, nparts, &again, body, len, ctype, ctlen, NULL,
					     0);
			FUZZ_CHECK(rc == 0 && again == nparts);
			rc = multipart_parse(parts, nparts - 1, &again, body, len, ctype, ctlen,
					     err, sizeof(err));
			FUZZ_CHECK(rc == MULTIPART_ETOOMANY && again == 0);
		}
	}
	free(parts);
	free(ctype);
	free(body);
	return 0;
}
