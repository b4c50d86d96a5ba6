/* test_e2e_encodings.c - request bodies in every content coding, chunked or not; CORS on the Sentry ingest paths only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "fixture.h"
#include "harness.h"

#define WAIT_MS 20000 /* generous: the machine may be loaded; only behaviour is asserted */

enum { GZIP, DEFLATE_ZLIB, DEFLATE_RAW, BR, ZSTD, NCODINGS };
static const char *const names[NCODINGS] = {"gzip", "deflate", "deflate", "br", "zstd"};

static int setup(void **state)
{
	return e2e_setup_started(state);
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* `n` bytes encoded with coding `k`; caller frees. */
static unsigned char *encode(int k, const void *in, size_t n, size_t *outlen)
{
	unsigned char *out;
	size_t cap;

	if (k == BR) {
		cap = BrotliEncoderMaxCompressedSize(n);
		out = malloc(cap);
		assert_non_null(out);
		*outlen = cap;
		assert_int_equal(BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n,
						       in, outlen, out),
				 BROTLI_TRUE);
	} else if (k == ZSTD) {
		cap = ZSTD_compressBound(n);
		out = malloc(cap);
		assert_non_null(out);
		*outlen = ZSTD_compress(out, cap, in, n, 3);
		assert_false(ZSTD_isError(*outlen));
	} else {
		z_stream zs;
		int wbits = k == GZIP ? 16 + MAX_WBITS : k == DEFLATE_RAW ? -MAX_WBITS : MAX_WBITS;

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
		cap = deflateBound(&zs, (uLong)n);
		out = malloc(cap);
		assert_non_null(out);
		zs.next_in = (Bytef *)(uintptr_t)in;
		zs.avail_in = (uInt)n;
		zs.next_out = out;
		zs.avail_out = (uInt)cap;
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		*outlen = zs.total_out;
		deflateEnd(&zs);
	}
	return out;
}

/* Send `head` (ending in the header lines, without the blank line) and `body`, with a
 * Content-Length or chunked in pieces of 7 bytes; the whole answer into `out`, its status. */
static long post_raw(e2e_server *s, const char *head, const void *body, size_t len, int chunked,
		     char *out, size_t outsz)
{
	size_t cap = strlen(head) + len * 2 + 1024, n, off;
	char *req = malloc(cap);
	ssize_t got;

	assert_non_null(req);
	if (chunked) {
		n = (size_t)snprintf(req, cap, "%sTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
				     head);
		for (off = 0; off < len; off += 7) {
			size_t piece = len - off < 7 ? len - off : 7;

			n += (size_t)snprintf(req + n, cap - n, "%zx\r\n", piece);
			memcpy(req + n, (const char *)body + off, piece);
			n += piece;
			memcpy(req + n, "\r\n", 2);
			n += 2;
		}
		n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	} else {
		n = (size_t)snprintf(req, cap, "%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
				     head, len);
		memcpy(req + n, body, len);
		n += len;
	}
	got = e2e_tls_exchange(s, req, n, out, outsz, WAIT_MS);
	free(req);
	assert_true(got > 12);
	assert_memory_equal(out, "HTTP/1.1 ", 9);
	return strtol(out + 9, NULL, 10);
}

/* The value of header `name` in an answer, "" when absent. */
static const char *head_value(const char *ans, const char *name, char *v, size_t vsz)
{
	size_t n = strlen(name);
	const char *p = ans, *end = strstr(ans, "\r\n\r\n");

	v[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL && (!end || p < end)) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *b = p + n + 1, *e;

			while (*b == ' ')
				b++;
			e = strstr(b, "\r\n");
			snprintf(v, vsz, "%.*s", (int)(e ? e - b : (long)strlen(b)), b);
			break;
		}
	}
	return v;
}

static void test_report_in_each_coding(void **state)
{
	e2e_server *s = *state;
	char head[512], out[16384], uuid[37], doc[1024], title[64], sql[160];
	int k, chunked;

	for (k = 0; k < NCODINGS; k++) {
		for (chunked = 0; chunked < 2; chunked++) {
			size_t zn;
			unsigned char *z;

			e2e_uuid(uuid);
			snprintf(title, sizeof(title), "coded %d %d", k, chunked);
			snprintf(doc, sizeof(doc),
				 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"title\":\"%s\","
				 "\"build\":{\"version\":\"1.0\"},\"tester\":{\"install_id\":\"i\"}}",
				 uuid, title);
			z = encode(k, doc, strlen(doc), &zn);
			snprintf(head, sizeof(head),
				 "POST /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
				 "X-Prosum-Key: %s\r\nContent-Type: application/json\r\n"
				 "Content-Encoding: %s\r\n",
				 s->key, names[k]);
			if (post_raw(s, head, z, zn, chunked, out, sizeof(out)) != 201)
				fail_msg("%s (chunked %d): %s", names[k], chunked, out);
			free(z);
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM reports WHERE title = '%s'",
				 title);
			assert_int_equal(e2e_sql_int(s, sql), 1);
		}
	}
}

static void test_malformed_and_bombs(void **state)
{
	e2e_server *s = *state;
	char head[512], out[16384];
	size_t n = 30u << 20, zn; /* past the 20 MiB body ceiling once decoded */
	char *zeros = calloc(1, n);
	int k;

	assert_non_null(zeros);
	for (k = 0; k < NCODINGS; k++) {
		unsigned char *z = encode(k, zeros, n, &zn), *cut;
		char want[64];

		snprintf(head, sizeof(head),
			 "POST /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
			 "X-Prosum-Key: %s\r\nContent-Type: application/json\r\n"
			 "Content-Encoding: %s\r\n",
			 s->key, names[k]);
		/* a small body that inflates past the ceiling */
		assert_true(zn < 100000);
		if (post_raw(s, head, z, zn, 0, out, sizeof(out)) != 413)
			fail_msg("%s bomb: %s", names[k], out);
		assert_non_null(strstr(out, "too_large"));
		/* cut short: 400 naming the coding */
		cut = encode(k, "{\"a\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}", 47, &zn);
		assert_int_equal(post_raw(s, head, cut, zn - 3, 1, out, sizeof(out)), 400);
		snprintf(want, sizeof(want), "not valid %s", names[k]);
		if (!strstr(out, want))
			fail_msg("no \"%s\" in %s", want, out);
		free(cut);
		free(z);
	}
	free(zeros);
	/* a coding we do not know is 501; two in turn as well */
	snprintf(head, sizeof(head),
		 "POST /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\nX-Prosum-Key: %s\r\n"
		 "Content-Type: application/json\r\nContent-Encoding: compress\r\n",
		 s->key);
	assert_int_equal(post_raw(s, head, "{}", 2, 0, out, sizeof(out)), 501);
	snprintf(head, sizeof(head),
		 "POST /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\nX-Prosum-Key: %s\r\n"
		 "Content-Type: application/json\r\nContent-Encoding: br, zstd\r\n",
		 s->key);
	assert_int_equal(post_raw(s, head, "{}", 2, 0, out, sizeof(out)), 501);
}

static void test_sentry_preflight(void **state)
{
	e2e_server *s = *state;
	char out[8192], v[256];
	const char *paths[] = {"/api/1/envelope/", "/api/42/store/"};
	size_t i;

	for (i = 0; i < 2; i++) {
		char req[512];
		ssize_t n;
		long status;

		snprintf(req, sizeof(req),
			 "OPTIONS %s HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
			 "Access-Control-Request-Method: POST\r\n"
			 "Access-Control-Request-Headers: content-type, x-sentry-auth\r\n"
			 "Connection: close\r\n\r\n",
			 paths[i]);
		n = e2e_tls_exchange(s, req, strlen(req), out, sizeof(out), WAIT_MS);
		assert_true(n > 12);
		status = strtol(out + 9, NULL, 10);
		assert_true(status == 200 || status == 204);
		assert_string_equal(head_value(out, "Access-Control-Allow-Origin", v, sizeof(v)), "*");
		assert_string_equal(head_value(out, "Access-Control-Allow-Methods", v, sizeof(v)),
				    "POST, OPTIONS");
		head_value(out, "Access-Control-Allow-Headers", v, sizeof(v));
		assert_non_null(strstr(v, "content-type"));
		assert_non_null(strstr(v, "x-sentry-auth"));
		assert_non_null(strstr(v, "sentry-trace"));
		assert_non_null(strstr(v, "baggage"));
		assert_non_null(strstr(v, "authentication"));
		assert_true(strtol(head_value(out, "Access-Control-Max-Age", v, sizeof(v)), NULL, 10) >
			    0);
		assert_non_null(strstr(head_value(out, "Access-Control-Expose-Headers", v, sizeof(v)),
				       "x-sentry-rate-limits"));
	}
}

/* Whatever answers a POST there (the intake route, or 404 without it), it carries the CORS
 * headers a browser needs to read it, and a decoding error is one of those answers. */
static void test_sentry_answers_carry_cors(void **state)
{
	e2e_server *s = *state;
	char out[8192], v[256];
	unsigned char *z;
	size_t zn;

	z = encode(ZSTD, "{}\n{}\n", 6, &zn);
	post_raw(s, "POST /api/7/envelope/ HTTP/1.1\r\nHost: x\r\nContent-Encoding: zstd\r\n", z,
		 zn, 1, out, sizeof(out));
	assert_string_equal(head_value(out, "Access-Control-Allow-Origin", v, sizeof(v)), "*");
	assert_string_equal(head_value(out, "Access-Control-Expose-Headers", v, sizeof(v)),
			    "x-sentry-error, x-sentry-rate-limits, retry-after");
	assert_int_equal(post_raw(s,
				  "POST /api/7/store/ HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\n",
				  "nope", 4, 0, out, sizeof(out)),
			 400);
	assert_non_null(strstr(out, "not valid br"));
	assert_string_equal(head_value(out, "Access-Control-Allow-Origin", v, sizeof(v)), "*");
	free(z);
}

/* Everything else keeps its same-origin rules: no CORS headers, cross-site cookies refused. */
static void test_other_paths_unchanged(void **state)
{
	e2e_server *s = *state;
	char out[8192], v[256];
	const char *reqs[] = {
		"OPTIONS /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
		"Origin: https://app.example\r\nConnection: close\r\n\r\n",
		"OPTIONS /api/x/envelope/ HTTP/1.1\r\nHost: x\r\n"
		"Origin: https://app.example\r\nConnection: close\r\n\r\n",
		"OPTIONS /api/1/envelope/extra HTTP/1.1\r\nHost: x\r\n"
		"Origin: https://app.example\r\nConnection: close\r\n\r\n",
		"GET /api/v1/session HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
		"Connection: close\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		ssize_t n = e2e_tls_exchange(s, reqs[i], strlen(reqs[i]), out, sizeof(out), WAIT_MS);

		assert_true(n > 12);
		if (head_value(out, "Access-Control-Allow-Origin", v, sizeof(v))[0])
			fail_msg("CORS on %s: %s", reqs[i], out);
		assert_string_equal(head_value(out, "Access-Control-Allow-Methods", v, sizeof(v)), "");
	}
	/* the reports endpoint still answers OPTIONS with its own methods */
	{
		ssize_t n = e2e_tls_exchange(s, reqs[0], strlen(reqs[0]), out, sizeof(out), WAIT_MS);

		assert_true(n > 12);
		assert_int_equal(strtol(out + 9, NULL, 10), 204);
		assert_string_equal(head_value(out, "Allow", v, sizeof(v)), "POST, GET, HEAD, OPTIONS");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_in_each_coding),
		cmocka_unit_test(test_malformed_and_bombs),
		cmocka_unit_test(test_sentry_preflight),
		cmocka_unit_test(test_sentry_answers_carry_cors),
		cmocka_unit_test(test_other_paths_unchanged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
