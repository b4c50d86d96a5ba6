/* test_multipart.c - the multipart/form-data parser: valid, hostile, truncated, mutated bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http/multipart.h"

/* A literal with its length, so inputs may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

#define CT "multipart/form-data; boundary=XyZ"
#define CD "Content-Disposition: form-data; "
#define CAP 8

/* Deterministic pseudo-random numbers (xorshift64). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Parse a copy of body[0..len) held in a buffer of exactly len bytes, so that
 * AddressSanitizer catches any read past the end. On return *copy holds it
 * (the parts point into it); the caller frees it.
 */
static int parse_copy(char **copy, multipart_part *parts, size_t cap, size_t *n, const char *body,
		      size_t len, const char *ctype, char *err, size_t errlen)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	if (len)
		memcpy(*copy, body, len);
	return multipart_parse(parts, cap, n, *copy, len, ctype, strlen(ctype), err, errlen);
}

static void assert_slice_in(http_slice s, const char *in, size_t len)
{
	if (s.len == 0)
		return;
	assert_true(s.p >= in);
	assert_true(s.p + s.len <= in + len);
}

static void assert_decoded(http_slice raw, const char *want)
{
	char out[512];
	ssize_t n = multipart_unescape(out, sizeof(out), raw);

	assert_true(n >= 0);
	if (strcmp(out, want) != 0)
		fail_msg("decoded \"%s\" != \"%s\"", out, want);
	assert_int_equal((size_t)n, strlen(want));
}

/* Every slice of every part lies inside the body. */
static void assert_parts_in(const multipart_part *parts, size_t n, const char *body, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(parts[i].name.len > 0);
		assert_slice_in(parts[i].name, body, len);
		assert_slice_in(parts[i].filename, body, len);
		assert_slice_in(parts[i].content_type, body, len);
		assert_slice_in(parts[i].data, body, len);
		if (parts[i].data.len == 0)
			continue;
		assert_true(parts[i].data.p >= body && parts[i].data.p <= body + len);
	}
}

/* ---- valid bodies, table-driven ---- */

typedef struct want_part {
	const char *name;     /* decoded */
	const char *filename; /* decoded; NULL when absent */
	const char *ctype;    /* NULL when absent */
	const char *data;
	size_t data_len;
} want_part;

typedef struct valid_case {
	const char *what;
	const char *ctype;
	const char *body;
	size_t len;
	size_t nparts;
	want_part parts[3];
} valid_case;

#define B70 "0123456789012345678901234567890123456789012345678901234567890123456789"

/* clang-format off */
static const valid_case valid_cases[] = {
	{"report and a file", CT,
	 S("--XyZ\r\n" CD "name=\"report\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n"
	   "--XyZ\r\n" CD "name=\"file\"; filename=\"log.txt\"\r\nContent-Type: text/plain\r\n\r\n"
	   "hello\r\n--XyZ--\r\n"),
	 2, {{"report", NULL, "application/json", S("{\"a\":1}")},
	     {"file", "log.txt", "text/plain", S("hello")}}},
	{"preamble and epilogue ignored", CT,
	 S("This is a preamble.\r\n--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\r\nepilogue --XyZ\r\n"
	   "garbage\x01\x00"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"a boundary in the preamble without CRLF before it is preamble", CT,
	 S("preamble--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ\r\n" CD "name=b\r\n\r\nB\r\n--XyZ--"),
	 1, {{"b", NULL, NULL, S("B")}}},
	{"preamble that is only a CRLF", CT,
	 S("\r\n--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"no CRLF after the closing boundary", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"quoted boundary with spaces and specials",
	 "multipart/form-data; boundary=\"a b'()+_,-./:=?\"",
	 S("--a b'()+_,-./:=?\r\n" CD "name=a\r\n\r\nA\r\n--a b'()+_,-./:=?--\r\n"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"media type and parameter names in any case, other parameters",
	 " Multipart/Form-Data ; charset=utf-8;BOUNDARY=XyZ ; x=\"y\" ",
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\r\n"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"empty parameters in the Content-Type", "multipart/form-data;; boundary=XyZ;",
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\r\n"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"70-character boundary", "multipart/form-data; boundary=" B70,
	 S("--" B70 "\r\n" CD "name=a\r\n\r\nA\r\n--" B70 "--\r\n"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"one-character boundary", "multipart/form-data; boundary=-",
	 S("---\r\n" CD "name=a\r\n\r\n-A-\r\n-----\r\n"),
	 1, {{"a", NULL, NULL, S("-A-")}}},
	{"transport padding after boundaries", CT,
	 S("--XyZ \t \r\n" CD "name=a\r\n\r\nA\r\n--XyZ\t\r\n" CD "name=b\r\n\r\nB\r\n--XyZ-- \t\r\n"),
	 2, {{"a", NULL, NULL, S("A")}, {"b", NULL, NULL, S("B")}}},
	{"empty data", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\n\r\n--XyZ\r\n" CD "name=b; filename=\"\"\r\n\r\n\r\n--XyZ--"),
	 2, {{"a", NULL, NULL, S("")}, {"b", "", NULL, S("")}}},
	{"no data: the CRLF ending the headers starts the delimiter", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\n--XyZ\r\n" CD "name=b\r\n\r\n--XyZ--"),
	 2, {{"a", NULL, NULL, S("")}, {"b", NULL, NULL, S("")}}},
	{"boundary inside data without CRLF-- before it", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nx--XyZ\n--XyZ\r--XyZ\r\n-XyZ\r\n--XyY\r\n--Xy\r\n--XyZ--"),
	 1, {{"a", NULL, NULL, S("x--XyZ\n--XyZ\r--XyZ\r\n-XyZ\r\n--XyY\r\n--Xy")}}},
	{"binary data with NUL bytes and CRLFs", CT,
	 S("--XyZ\r\n" CD "name=bin; filename=core\r\nContent-Type: application/octet-stream\r\n\r\n"
	   "\x00\x01\xff\r\n\r\n\x00--\x00\r\n-\r\n--XyZ--\r\n"),
	 1, {{"bin", "core", "application/octet-stream", S("\x00\x01\xff\r\n\r\n\x00--\x00\r\n-")}}},
	{"escapes in quoted name and filename", CT,
	 S("--XyZ\r\n" CD "name=\"re\\port\"; filename=\"a \\\"b\\\\c.txt\"\r\n\r\nA\r\n--XyZ--"),
	 1, {{"report", "a \"b\\c.txt", NULL, S("A")}}},
	{"parameters in any case and order, unknown ones ignored", CT,
	 S("--XyZ\r\nconTent-disPosition: FORM-DATA;FILENAME=f.txt ; filename*=UTF-8''x;NAME=\"n\" ;\r\n"
	   "\r\nA\r\n--XyZ--"),
	 1, {{"n", "f.txt", NULL, S("A")}}},
	{"other headers ignored, identity transfer encodings", CT,
	 S("--XyZ\r\nX-Thing: 1\r\nContent-ID: <a@b>\r\n" CD "name=a\r\n"
	   "Content-Transfer-Encoding: binary\r\n\r\nA\r\n"
	   "--XyZ\r\n" CD "name=b\r\nContent-Transfer-Encoding: 8BIT\r\n\r\nB\r\n"
	   "--XyZ\r\nContent-Transfer-Encoding:7bit\r\n" CD "name=c\r\n\r\nC\r\n--XyZ--"),
	 3, {{"a", NULL, NULL, S("A")}, {"b", NULL, NULL, S("B")}, {"c", NULL, NULL, S("C")}}},
	{"OWS around header values, obs-text in a filename", CT,
	 S("--XyZ\r\nContent-Disposition:form-data;name=a;filename=\"caf\xc3\xa9\"  \r\n"
	   "Content-Type: \t text/plain; charset=utf-8 \t\r\n\r\nA\r\n--XyZ--"),
	 1, {{"a", "caf\xc3\xa9", "text/plain; charset=utf-8", S("A")}}},
	{"empty Content-Type value", CT,
	 S("--XyZ\r\n" CD "name=a\r\nContent-Type:\r\n\r\nA\r\n--XyZ--"),
	 1, {{"a", NULL, NULL, S("A")}}},
	{"names may repeat", CT,
	 S("--XyZ\r\n" CD "name=file; filename=a\r\n\r\nA\r\n--XyZ\r\n" CD "name=file; filename=b\r\n"
	   "\r\nB\r\n--XyZ--"),
	 2, {{"file", "a", NULL, S("A")}, {"file", "b", NULL, S("B")}}},
	{"no parts at all (an empty form)", CT, S("--XyZ--\r\n"), 0, {{0}}},
	{"data that looks like headers", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\n" CD "name=b\r\n\r\nx\r\n--XyZ--"),
	 1, {{"a", NULL, NULL, S(CD "name=b\r\n\r\nx")}}},
};
/* clang-format on */

/* Offset just after the last closing delimiter "--" boundary "--" of a case. */
static size_t close_end(const valid_case *c)
{
	char close[80];
	http_slice b;
	size_t n, end = 0;

	assert_int_equal(multipart_boundary(&b, c->ctype, strlen(c->ctype), NULL, 0), 0);
	n = (size_t)snprintf(close, sizeof(close), "--%.*s--", (int)b.len, b.p);
	for (size_t i = 0; i + n <= c->len; i++) {
		if (memcmp(c->body + i, close, n) == 0)
			end = i + n;
	}
	assert_true(end > 0);
	return end;
}

static void check_valid(const valid_case *c)
{
	multipart_part parts[CAP];
	char err[128], *copy;
	size_t n = 99;
	int rc;

	memset(parts, 0xa5, sizeof(parts));
	rc = parse_copy(&copy, parts, CAP, &n, c->body, c->len, c->ctype, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s: rc %d: %s", c->what, rc, err);
	assert_int_equal(n, c->nparts);
	assert_parts_in(parts, n, copy, c->len);
	for (size_t i = 0; i < n; i++) {
		const want_part *w = &c->parts[i];
		const multipart_part *p = &parts[i];
		assert_decoded(p->name, w->name);
		if (w->filename) {
			assert_true(p->has_filename);
			assert_non_null(p->filename.p);
			assert_decoded(p->filename, w->filename);
		} else {
			assert_false(p->has_filename);
			assert_null(p->filename.p);
			assert_int_equal(p->filename.len, 0);
		}
		if (w->ctype) {
			assert_int_equal(p->content_type.len, strlen(w->ctype));
			assert_memory_equal(p->content_type.p, w->ctype, strlen(w->ctype));
		} else {
			assert_null(p->content_type.p);
			assert_int_equal(p->content_type.len, 0);
		}
		if (p->data.len != w->data_len)
			fail_msg("%s: part %zu: data length %zu != %zu", c->what, i + 1,
				 p->data.len, w->data_len);
		if (w->data_len)
			assert_memory_equal(p->data.p, w->data, w->data_len);
	}
	free(copy);
}

static void test_valid(void **state)
{
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++)
		check_valid(&valid_cases[i]);
}

/* Every prefix that stops before the closing delimiter fails, with a message. */
static void test_every_truncation_fails(void **state)
{
	multipart_part parts[CAP];
	char err[128], *copy;
	size_t n;

	for (size_t k = 0; k < sizeof(valid_cases) / sizeof(valid_cases[0]); k++) {
		const valid_case *c = &valid_cases[k];
		size_t end = close_end(c);
		for (size_t len = 0; len <= c->len; len++) {
			int rc;
			err[0] = 'x';
			err[1] = '\0';
			rc = parse_copy(&copy, parts, CAP, &n, c->body, len, c->ctype, err,
					sizeof(err));
			if (len < end) {
				if (rc != MULTIPART_EINVAL)
					fail_msg("%s: prefix of %zu bytes: rc %d", c->what, len,
						 rc);
				assert_int_equal(n, 0);
				assert_true(strlen(err) > 1);
			} else if (rc == 0) {
				assert_int_equal(n, c->nparts);
				assert_parts_in(parts, n, copy, len);
			}
			free(copy);
		}
		/* The whole body and the body cut right after the closing
		 * delimiter are both complete. */
		assert_int_equal(
		    parse_copy(&copy, parts, CAP, &n, c->body, end, c->ctype, err, sizeof(err)), 0);
		free(copy);
	}
}

/* Random bytes changed, removed or inserted: a result or an error, never a crash. */
static void test_mutations_never_crash(void **state)
{
	multipart_part parts[CAP];
	char err[128], mut[1024];
	size_t n;
	static const char alphabet[] = "\r\n-XyZ\";=\\: \t\x00\x80";

	for (int iter = 0; iter < 30000; iter++) {
		const valid_case *c =
		    &valid_cases[rng() % (sizeof(valid_cases) / sizeof(valid_cases[0]))];
		size_t len = c->len, edits = 1 + rng() % 4;
		char *copy;
		int rc;

		assert_true(len + edits < sizeof(mut));
		memcpy(mut, c->body, len);
		for (size_t e = 0; e < edits && len > 0; e++) {
			size_t at = rng() % len;
			char ch = (rng() & 1) ? alphabet[rng() % (sizeof(alphabet) - 1)]
					      : (char)(rng() & 0xff);
			switch (rng() % 3) {
			case 0:
				mut[at] = ch;
				break;
			case 1:
				memmove(mut + at, mut + at + 1, len - at - 1);
				len--;
				break;
			default:
				memmove(mut + at + 1, mut + at, len - at);
				mut[at] = ch;
				len++;
				break;
			}
		}
		rc = parse_copy(&copy, parts, CAP, &n, mut, len, c->ctype, err, sizeof(err));
		if (rc == 0) {
			assert_true(n <= CAP);
			assert_parts_in(parts, n, copy, len);
		} else {
			assert_true(rc < 0);
			assert_int_equal(n, 0);
			assert_true(err[0] != '\0');
		}
		free(copy);
	}
}

/* ---- hostile bodies and headers, table-driven ---- */

typedef struct bad_case {
	const char *what;
	const char *ctype;
	const char *body;
	size_t len;
	int rc;
	const char *message;
} bad_case;

#define OK_BODY "--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\r\n"
#define PART(headers) "--XyZ\r\n" headers "\r\n\r\nA\r\n--XyZ--\r\n"
#define B71 B70 "x"

/* clang-format off */
static const bad_case bad_cases[] = {
	/* the request's Content-Type */
	{"JSON", "application/json", S(OK_BODY), MULTIPART_ECTYPE,
	 "the Content-Type is not multipart/form-data"},
	{"empty Content-Type", "", S(OK_BODY), MULTIPART_ECTYPE,
	 "the Content-Type is not multipart/form-data"},
	{"multipart/mixed", "multipart/mixed; boundary=XyZ", S(OK_BODY), MULTIPART_ECTYPE,
	 "the Content-Type is not multipart/form-data"},
	{"form-data with a suffix", "multipart/form-dataX; boundary=XyZ", S(OK_BODY),
	 MULTIPART_ECTYPE, "the Content-Type is not multipart/form-data"},
	{"no subtype", "multipart; boundary=XyZ", S(OK_BODY), MULTIPART_ECTYPE,
	 "the Content-Type is not multipart/form-data"},
	{"no boundary", "multipart/form-data", S(OK_BODY), MULTIPART_EBOUNDARY,
	 "the Content-Type has no boundary"},
	{"no boundary, other parameter", "multipart/form-data; charset=utf-8", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type has no boundary"},
	{"two boundaries", "multipart/form-data; boundary=XyZ; boundary=XyZ", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type has two boundary parameters"},
	{"empty quoted boundary", "multipart/form-data; boundary=\"\"", S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"empty token boundary", "multipart/form-data; boundary=", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"71-character boundary", "multipart/form-data; boundary=" B71, S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"boundary ending in a space", "multipart/form-data; boundary=\"XyZ \"", S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"token boundary with a non-bchar", "multipart/form-data; boundary=a!b", S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"quoted boundary with a non-bchar", "multipart/form-data; boundary=\"a@b\"", S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"quoted boundary with obs-text", "multipart/form-data; boundary=\"a\xc3\xa9\"", S(OK_BODY),
	 MULTIPART_EBOUNDARY,
	 "the boundary must be 1 to 70 characters of RFC 2046, not ending in a space"},
	{"escape in the boundary", "multipart/form-data; boundary=\"X\\yZ\"", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the boundary must not hold backslash escapes"},
	{"unterminated quoted boundary", "multipart/form-data; boundary=\"XyZ", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"space before '='", "multipart/form-data; boundary =XyZ", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"space after '='", "multipart/form-data; boundary= XyZ", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"no ';' between parameters", "multipart/form-data; boundary=XyZ charset=x", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"parameter without a value", "multipart/form-data; boundary", S(OK_BODY),
	 MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},
	{"control byte in the Content-Type", "multipart/form-data; boundary=\"Xy\x01\"",
	 S(OK_BODY), MULTIPART_EBOUNDARY, "the Content-Type parameters are malformed"},

	/* framing */
	{"empty body", CT, S(""), MULTIPART_EINVAL, "no opening boundary in the body"},
	{"no boundary in the body", CT, S("just some text\r\n"), MULTIPART_EINVAL,
	 "no opening boundary in the body"},
	{"other boundary in the body", CT, S("--XyY\r\n" CD "name=a\r\n\r\nA\r\n--XyY--"),
	 MULTIPART_EINVAL, "no opening boundary in the body"},
	{"missing closing boundary", CT, S("--XyZ\r\n" CD "name=a\r\n\r\nA"), MULTIPART_EINVAL,
	 "part 1: missing closing boundary"},
	{"missing closing boundary, second part", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ\r\n" CD "name=b\r\n\r\nB\r\n"),
	 MULTIPART_EINVAL, "part 2: missing closing boundary"},
	{"closing boundary without CRLF before it", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA--XyZ--"), MULTIPART_EINVAL,
	 "part 1: missing closing boundary"},
	{"closing boundary after a bare LF", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\n--XyZ--"), MULTIPART_EINVAL,
	 "part 1: missing closing boundary"},
	{"body ends after the opening boundary", CT, S("--XyZ"), MULTIPART_EINVAL,
	 "part 1: the body ends after a boundary"},
	{"body ends after a boundary and padding", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ  "), MULTIPART_EINVAL,
	 "part 2: the body ends after a boundary"},
	{"body ends after a boundary and CR", CT, S("--XyZ\r"), MULTIPART_EINVAL,
	 "part 1: the body ends after a boundary"},
	{"longer boundary in the body", CT, S("--XyZW\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--"),
	 MULTIPART_EINVAL, "part 1: unexpected bytes after the boundary"},
	{"bare LF after the boundary", CT, S("--XyZ\n" CD "name=a\r\n\r\nA\r\n--XyZ--"),
	 MULTIPART_EINVAL, "part 1: unexpected bytes after the boundary"},
	{"delimiter followed by other bytes in the data", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZabc\r\n--XyZ--"), MULTIPART_EINVAL,
	 "part 2: unexpected bytes after the boundary"},
	{"delimiter right after the headers followed by other bytes", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\n--XyZabc\r\n--XyZ--"), MULTIPART_EINVAL,
	 "part 2: unexpected bytes after the boundary"},
	{"one dash after the delimiter", CT, S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ-\r\n"),
	 MULTIPART_EINVAL, "part 2: unexpected bytes after the boundary"},
	{"bytes after the closing boundary", CT, S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--x"),
	 MULTIPART_EINVAL, "unexpected bytes after the closing boundary"},
	{"bare LF after the closing boundary", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\nepilogue"), MULTIPART_EINVAL,
	 "unexpected bytes after the closing boundary"},
	{"CR alone after the closing boundary", CT, S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ--\r"),
	 MULTIPART_EINVAL, "unexpected bytes after the closing boundary"},
	{"closing boundary alone followed by garbage", CT, S("--XyZ---"), MULTIPART_EINVAL,
	 "unexpected bytes after the closing boundary"},

	/* part headers */
	{"headers truncated", CT, S("--XyZ\r\n" CD "name=a\r\n"), MULTIPART_EINVAL,
	 "part 1: the body ends inside the headers"},
	{"headers truncated mid-line", CT, S("--XyZ\r\nContent-Disp"), MULTIPART_EINVAL,
	 "part 1: the body ends inside the headers"},
	{"headers truncated after CR", CT, S("--XyZ\r\n" CD "name=a\r\n\r"), MULTIPART_EINVAL,
	 "part 1: the body ends inside the headers"},
	{"no headers", CT, S("--XyZ\r\n\r\nA\r\n--XyZ--"), MULTIPART_EINVAL,
	 "part 1: no Content-Disposition"},
	{"no Content-Disposition", CT, S(PART("Content-Type: text/plain")), MULTIPART_EINVAL,
	 "part 1: no Content-Disposition"},
	{"bare LF ends a header line", CT, S("--XyZ\r\n" CD "name=a\n\r\nA\r\n--XyZ--"),
	 MULTIPART_EINVAL, "part 1: header line not ended by CRLF"},
	{"bare LF ends the header section", CT, S("--XyZ\r\n" CD "name=a\r\n\nA\r\n--XyZ--"),
	 MULTIPART_EINVAL, "part 1: header line not ended by CRLF"},
	{"bare CR inside a header line", CT, S(PART(CD "name=a\rX-A: b")), MULTIPART_EINVAL,
	 "part 1: bare CR in a header line"},
	{"folded header line", CT, S(PART(CD "name=a\r\n filename=b")), MULTIPART_EINVAL,
	 "part 1: folded header line"},
	{"header line starting with a tab", CT, S(PART("\t" CD "name=a")), MULTIPART_EINVAL,
	 "part 1: folded header line"},
	{"header without a colon", CT, S(PART(CD "name=a\r\nNoColon")), MULTIPART_EINVAL,
	 "part 1: malformed header line"},
	{"space before the colon", CT, S(PART("Content-Disposition : form-data; name=a")),
	 MULTIPART_EINVAL, "part 1: malformed header line"},
	{"empty header name", CT, S(PART(CD "name=a\r\n: x")), MULTIPART_EINVAL,
	 "part 1: malformed header line"},
	{"NUL in a header name", CT, S(PART(CD "name=a\r\nX\x00Y: z")), MULTIPART_EINVAL,
	 "part 1: malformed header line"},
	{"control byte in a header value", CT, S(PART(CD "name=\"a\x01\"")), MULTIPART_EINVAL,
	 "part 1: control byte in a header"},
	{"NUL in a header value", CT, S(PART(CD "name=a\r\nX-A: \x00")), MULTIPART_EINVAL,
	 "part 1: control byte in a header"},
	{"DEL in a header value", CT, S(PART(CD "name=a\r\nX-A: \x7f")), MULTIPART_EINVAL,
	 "part 1: control byte in a header"},
	{"two Content-Disposition headers", CT, S(PART(CD "name=a\r\n" CD "name=b")),
	 MULTIPART_EINVAL, "part 1: two Content-Disposition headers"},
	{"two Content-Type headers", CT,
	 S(PART(CD "name=a\r\nContent-Type: a/b\r\ncontent-type: a/b")), MULTIPART_EINVAL,
	 "part 1: two Content-Type headers"},
	{"base64 transfer encoding", CT, S(PART(CD "name=a\r\nContent-Transfer-Encoding: base64")),
	 MULTIPART_EINVAL, "part 1: unsupported Content-Transfer-Encoding"},
	{"empty transfer encoding", CT, S(PART(CD "name=a\r\nContent-Transfer-Encoding:")),
	 MULTIPART_EINVAL, "part 1: unsupported Content-Transfer-Encoding"},
	{"two transfer encodings", CT,
	 S(PART(CD "name=a\r\nContent-Transfer-Encoding: binary\r\nContent-Transfer-Encoding: binary")),
	 MULTIPART_EINVAL, "part 1: two Content-Transfer-Encoding headers"},

	/* Content-Disposition */
	{"attachment, not form-data", CT, S(PART("Content-Disposition: attachment; name=a")),
	 MULTIPART_EINVAL, "part 1: Content-Disposition is not form-data"},
	{"empty Content-Disposition", CT, S(PART("Content-Disposition:")), MULTIPART_EINVAL,
	 "part 1: Content-Disposition is not form-data"},
	{"form-data with a suffix", CT, S(PART("Content-Disposition: form-datax; name=a")),
	 MULTIPART_EINVAL, "part 1: Content-Disposition is not form-data"},
	{"quoted disposition type", CT, S(PART("Content-Disposition: \"form-data\"; name=a")),
	 MULTIPART_EINVAL, "part 1: Content-Disposition is not form-data"},
	{"no name", CT, S(PART("Content-Disposition: form-data")), MULTIPART_EINVAL,
	 "part 1: no name in Content-Disposition"},
	{"only a filename", CT, S(PART(CD "filename=\"x.txt\"")), MULTIPART_EINVAL,
	 "part 1: no name in Content-Disposition"},
	{"a name* only", CT, S(PART(CD "name*=UTF-8''a")), MULTIPART_EINVAL,
	 "part 1: no name in Content-Disposition"},
	{"empty name", CT, S(PART(CD "name=\"\"")), MULTIPART_EINVAL,
	 "part 1: empty name in Content-Disposition"},
	{"two names", CT, S(PART(CD "name=a; name=a")), MULTIPART_EINVAL,
	 "part 1: two names in Content-Disposition"},
	{"two names in different case", CT, S(PART(CD "name=a; NAME=b")), MULTIPART_EINVAL,
	 "part 1: two names in Content-Disposition"},
	{"two filenames", CT, S(PART(CD "name=a; filename=x; filename=y")), MULTIPART_EINVAL,
	 "part 1: two filenames in Content-Disposition"},
	{"unterminated quoted name", CT, S(PART(CD "name=\"a")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"escape at the end of a value", CT, S(PART(CD "name=\"a\\")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"escaped quote then the end", CT, S(PART(CD "name=\"a\\\"")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"unquoted value with a space", CT, S(PART(CD "name=a b")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"unquoted empty value", CT, S(PART(CD "name=")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"unquoted value with a slash", CT, S(PART(CD "name=a; filename=a/b")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"space around '='", CT, S(PART(CD "name = a")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"no ';' after the type", CT, S(PART("Content-Disposition: form-data name=a")),
	 MULTIPART_EINVAL, "part 1: malformed Content-Disposition parameters"},
	{"bytes after a quoted value", CT, S(PART(CD "name=\"a\"b")), MULTIPART_EINVAL,
	 "part 1: malformed Content-Disposition parameters"},
	{"the third part is at fault", CT,
	 S("--XyZ\r\n" CD "name=a\r\n\r\nA\r\n--XyZ\r\n" CD "name=b\r\n\r\nB\r\n"
	   "--XyZ\r\n" CD "filename=c\r\n\r\nC\r\n--XyZ--"),
	 MULTIPART_EINVAL, "part 3: no name in Content-Disposition"},
};
/* clang-format on */

static void test_hostile(void **state)
{
	multipart_part parts[CAP];
	char err[128], *copy;
	size_t n;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const bad_case *c = &bad_cases[i];
		int rc;

		n = 99;
		rc = parse_copy(&copy, parts, CAP, &n, c->body, c->len, c->ctype, err, sizeof(err));
		if (rc != c->rc || strcmp(err, c->message) != 0)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", c->what, rc, err, c->rc,
				 c->message);
		assert_int_equal(n, 0);
		/* The same without a message buffer. */
		assert_int_equal(multipart_parse(parts, CAP, &n, copy, c->len, c->ctype,
						 strlen(c->ctype), NULL, 0),
				 c->rc);
		free(copy);
	}
}

/* ---- limits ---- */

/* A body of `count` parts named p1..pN. */
static char *body_of_parts(size_t count, size_t *len)
{
	size_t cap = count * 80 + 16, n = 0;
	char *b = malloc(cap);

	assert_non_null(b);
	for (size_t i = 0; i < count; i++)
		n += (size_t)snprintf(b + n, cap - n, "--XyZ\r\n" CD "name=p%zu\r\n\r\n%zu\r\n",
				      i + 1, i);
	n += (size_t)snprintf(b + n, cap - n, "--XyZ--\r\n");
	*len = n;
	return b;
}

static void test_too_many_parts(void **state)
{
	multipart_part parts[PROSUM_MAX_ATTACHMENTS + 1];
	char err[128];
	size_t len, n;
	char *b;

	/* Exactly the capacity. */
	b = body_of_parts(PROSUM_MAX_ATTACHMENTS + 1, &len);
	assert_int_equal(multipart_parse(parts, PROSUM_MAX_ATTACHMENTS + 1, &n, b, len, CT,
					 strlen(CT), err, sizeof(err)),
			 0);
	assert_int_equal(n, PROSUM_MAX_ATTACHMENTS + 1);
	assert_decoded(parts[16].name, "p17");
	assert_memory_equal(parts[16].data.p, "16", 2);
	free(b);

	/* One more. */
	b = body_of_parts(PROSUM_MAX_ATTACHMENTS + 2, &len);
	assert_int_equal(multipart_parse(parts, PROSUM_MAX_ATTACHMENTS + 1, &n, b, len, CT,
					 strlen(CT), err, sizeof(err)),
			 MULTIPART_ETOOMANY);
	assert_string_equal(err, "more than 17 parts");
	assert_int_equal(n, 0);
	free(b);

	/* Thousands: refused at the limit, the rest is not looked at. */
	b = body_of_parts(5000, &len);
	assert_int_equal(multipart_parse(parts, 2, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 MULTIPART_ETOOMANY);
	assert_string_equal(err, "more than 2 parts");
	free(b);

	/* Capacity 0: any part is one too many, but an empty form is fine. */
	b = body_of_parts(1, &len);
	assert_int_equal(multipart_parse(NULL, 0, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 MULTIPART_ETOOMANY);
	assert_string_equal(err, "more than 0 parts");
	free(b);
	assert_int_equal(
	    multipart_parse(NULL, 0, &n, S("--XyZ--"), CT, strlen(CT), err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

/* A part whose header section is `total` bytes long, blank line included. */
static char *body_with_header_bytes(size_t total, int terminated, size_t *len)
{
	static const char head[] = "--XyZ\r\n" CD "name=a\r\nX-Pad: ";
	static const char tail[] = "\r\n\r\nA\r\n--XyZ--\r\n";
	size_t fixed = sizeof(CD "name=a\r\nX-Pad: ") - 1 + 4; /* with the two CRLFs */
	size_t pad = total - fixed, n = 0;
	char *b = malloc(sizeof(head) + pad + sizeof(tail));

	assert_true(total > fixed);
	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memset(b + n, 'p', pad);
	n += pad;
	if (terminated) {
		memcpy(b + n, tail, sizeof(tail) - 1);
		n += sizeof(tail) - 1;
	}
	*len = n;
	return b;
}

static void test_header_limit(void **state)
{
	multipart_part parts[CAP];
	char err[128], *b;
	size_t len, n;

	/* At the limit. */
	b = body_with_header_bytes(PROSUM_MAX_PART_HEADER_BYTES, 1, &len);
	assert_int_equal(multipart_parse(parts, CAP, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_memory_equal(parts[0].data.p, "A", 1);
	free(b);

	/* One byte over. */
	b = body_with_header_bytes(PROSUM_MAX_PART_HEADER_BYTES + 1, 1, &len);
	assert_int_equal(multipart_parse(parts, CAP, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 MULTIPART_EHEADERS);
	assert_string_equal(err, "part 1: headers exceed 8192 bytes");
	free(b);

	/* A megabyte header without an end: refused at the limit. */
	b = body_with_header_bytes(1024 * 1024, 0, &len);
	assert_int_equal(multipart_parse(parts, CAP, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 MULTIPART_EHEADERS);
	assert_string_equal(err, "part 1: headers exceed 8192 bytes");
	free(b);

	/* Many short header lines add up. */
	{
		size_t cap = 20000, k = 0;
		b = malloc(cap);
		assert_non_null(b);
		k += (size_t)snprintf(b + k, cap - k, "--XyZ\r\n" CD "name=a\r\n");
		while (k < 9000)
			k += (size_t)snprintf(b + k, cap - k, "X: y\r\n");
		k += (size_t)snprintf(b + k, cap - k, "\r\nA\r\n--XyZ--\r\n");
		assert_int_equal(
		    multipart_parse(parts, CAP, &n, b, k, CT, strlen(CT), err, sizeof(err)),
		    MULTIPART_EHEADERS);
		free(b);
	}
}

/* A 20 MiB body full of near-misses parses in linear time. */
static void test_large_body(void **state)
{
	static const char head[] = "--XyZ\r\n" CD "name=big; filename=big.bin\r\n\r\n";
	static const char tail[] = "\r\n--XyZ--\r\n";
	size_t data_len = PROSUM_MAX_BODY - 256, len;
	static const char noise[] = "\r\n--XyY--XyZ\r\n-XyZ\r\n--Xy";
	multipart_part parts[CAP];
	char err[128], *b = malloc(PROSUM_MAX_BODY);
	size_t n;

	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	for (size_t i = 0; i < data_len; i++)
		b[sizeof(head) - 1 + i] = noise[i % (sizeof(noise) - 1)];
	memcpy(b + sizeof(head) - 1 + data_len, tail, sizeof(tail) - 1);
	len = sizeof(head) - 1 + data_len + sizeof(tail) - 1;
	assert_int_equal(multipart_parse(parts, CAP, &n, b, len, CT, strlen(CT), err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(parts[0].data.len, data_len);
	assert_ptr_equal(parts[0].data.p, b + sizeof(head) - 1);
	/* The same without its closing boundary. */
	assert_int_equal(multipart_parse(parts, CAP, &n, b, len - (sizeof(tail) - 1), CT,
					 strlen(CT), err, sizeof(err)),
			 MULTIPART_EINVAL);
	assert_string_equal(err, "part 1: missing closing boundary");
	free(b);
}

/* ---- helpers ---- */

static void test_boundary(void **state)
{
	http_slice b;
	char err[128];
	const char *ct = "multipart/form-data; boundary=\"a b\"";

	assert_int_equal(multipart_boundary(&b, ct, strlen(ct), err, sizeof(err)), 0);
	assert_int_equal(b.len, 3);
	assert_ptr_equal(b.p, ct + strlen(ct) - 4); /* points into the header value */
	/* Only the given length is read: the boundary stops where the value does. */
	assert_int_equal(multipart_boundary(&b, CT "QQ", strlen(CT), err, sizeof(err)), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "XyZ", 3);
	/* On failure the slice is empty. */
	assert_int_equal(multipart_boundary(&b, "text/plain", 10, NULL, 0), MULTIPART_ECTYPE);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	/* A tiny message buffer is cut, still terminated. */
	assert_int_equal(multipart_boundary(&b, "text/plain", 10, err, 8), MULTIPART_ECTYPE);
	assert_string_equal(err, "the Con");
}

static void test_find_one(void **state)
{
	static const char body[] = "--XyZ\r\n" CD "name=\"r\\eport\"\r\n\r\n{}\r\n"
				   "--XyZ\r\n" CD "name=file; filename=a\r\n\r\nA\r\n"
				   "--XyZ\r\n" CD "name=file; filename=b\r\n\r\nB\r\n"
				   "--XyZ\r\n" CD "name=reports\r\n\r\nx\r\n"
				   "--XyZ\r\n" CD "name=repor\r\n\r\nx\r\n--XyZ--\r\n";
	multipart_part parts[CAP];
	const multipart_part *p = (const multipart_part *)1;
	size_t n;

	assert_int_equal(
	    multipart_parse(parts, CAP, &n, body, sizeof(body) - 1, CT, strlen(CT), NULL, 0), 0);
	assert_int_equal(n, 5);
	assert_true(parts[0].name_escaped);
	assert_false(parts[1].name_escaped);
	assert_int_equal(multipart_find_one(&p, parts, n, "report"), 0);
	assert_ptr_equal(p, &parts[0]);
	assert_int_equal(multipart_find_one(&p, parts, n, "file"), MULTIPART_EDUPLICATE);
	assert_ptr_equal(p, &parts[1]);
	assert_int_equal(multipart_find_one(&p, parts, n, "Report"), MULTIPART_ENOTFOUND);
	assert_null(p);
	assert_int_equal(multipart_find_one(&p, parts, n, "repo"), MULTIPART_ENOTFOUND);
	assert_int_equal(multipart_find_one(&p, parts, n, ""), MULTIPART_ENOTFOUND);
	assert_int_equal(multipart_find_one(&p, parts, 0, "report"), MULTIPART_ENOTFOUND);
}

static void test_unescape(void **state)
{
	char out[8];
	http_slice plain = {"abc", 3}, esc = {"a\\\"b\\\\", 6}, empty = {"", 0};
	http_slice long7 = {"abcdefg", 7}, long8 = {"abcdefgh", 8},
		   esc8 = {"\\a\\b\\c\\d\\e\\f\\g", 14};

	assert_int_equal(multipart_unescape(out, sizeof(out), plain), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(multipart_unescape(out, sizeof(out), esc), 4);
	assert_string_equal(out, "a\"b\\");
	assert_int_equal(multipart_unescape(out, sizeof(out), empty), 0);
	assert_string_equal(out, "");
	assert_int_equal(multipart_unescape(out, sizeof(out), long7), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(multipart_unescape(out, sizeof(out), esc8), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(multipart_unescape(out, sizeof(out), long8), MULTIPART_ERANGE);
	assert_string_equal(out, "");
	assert_int_equal(multipart_unescape(out, 0, plain), MULTIPART_ERANGE);
	assert_int_equal(multipart_unescape(out, 1, empty), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_every_truncation_fails),
	    cmocka_unit_test(test_mutations_never_crash),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_too_many_parts),
	    cmocka_unit_test(test_header_limit),
	    cmocka_unit_test(test_large_body),
	    cmocka_unit_test(test_boundary),
	    cmocka_unit_test(test_find_one),
	    cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
