/* test_decode.c - request body codings: deflate (zlib and raw), brotli and zstd round trips, truncations, bombs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include "http/decode.h"
#include "http/http.h"

/* Encode `n` bytes with `coding` (deflate: zlib-wrapped, or raw when `raw`); caller frees. */
static unsigned char *encode(int coding, int raw, const void *in, size_t n, size_t *outlen)
{
	unsigned char *out = NULL;
	size_t cap;

	if (coding == HTTP_CODING_DEFLATE || coding == HTTP_CODING_GZIP) {
		z_stream zs;
		int wbits = coding == HTTP_CODING_GZIP ? 16 + MAX_WBITS : raw ? -MAX_WBITS : MAX_WBITS;

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
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
	} else if (coding == HTTP_CODING_BR) {
		cap = BrotliEncoderMaxCompressedSize(n);
		out = malloc(cap);
		assert_non_null(out);
		*outlen = cap;
		assert_int_equal(BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n,
						       in, outlen, out),
				 BROTLI_TRUE);
	} else {
		cap = ZSTD_compressBound(n);
		out = malloc(cap);
		assert_non_null(out);
		*outlen = ZSTD_compress(out, cap, in, n, 3);
		assert_false(ZSTD_isError(*outlen));
	}
	return out;
}

static char *sample_text(size_t n)
{
	char *p = malloc(n);
	uint32_t x = 12345;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = "the quick brown fox jumps over the lazy dog\n"[(x >> 16) % 44];
	}
	return p;
}

static const struct {
	int coding, raw;
} cases[] = {
	{HTTP_CODING_GZIP, 0},
	{HTTP_CODING_DEFLATE, 0},
	{HTTP_CODING_DEFLATE, 1},
	{HTTP_CODING_BR, 0},
	{HTTP_CODING_ZSTD, 0},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(http_coding_of("GZIP", 4), HTTP_CODING_GZIP);
	assert_int_equal(http_coding_of("x-gzip", 6), HTTP_CODING_GZIP);
	assert_int_equal(http_coding_of("Deflate", 7), HTTP_CODING_DEFLATE);
	assert_int_equal(http_coding_of("br", 2), HTTP_CODING_BR);
	assert_int_equal(http_coding_of("zstd", 4), HTTP_CODING_ZSTD);
	assert_int_equal(http_coding_of("identity", 8), HTTP_CODING_IDENTITY);
	assert_int_equal(http_coding_of("compress", 8), -1);
	assert_int_equal(http_coding_of("b", 1), -1);
	assert_int_equal(http_coding_of("brr", 3), -1);
	assert_string_equal(http_coding_name(HTTP_CODING_BR), "br");
	assert_string_equal(http_coding_name(HTTP_CODING_ZSTD), "zstd");
	assert_string_equal(http_coding_name(HTTP_CODING_DEFLATE), "deflate");
}

/* Each coding's request header sets the coding; two codings in turn are refused. */
static void test_header(void **state)
{
	static const struct {
		const char *head;
		int coding, status;
	} hs[] = {
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: br\r\n\r\n", HTTP_CODING_BR, 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: ZSTD\r\n\r\n", HTTP_CODING_ZSTD, 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: identity, deflate\r\n\r\n",
		 HTTP_CODING_DEFLATE, 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n\r\n", HTTP_CODING_GZIP, 0},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: br, zstd\r\n\r\n", -1, 501},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: compress\r\n\r\n", -1, 501},
	};
	http_limits lim = {0};
	size_t i;

	(void)state;
	lim.max_request_line = 8192;
	lim.max_header_bytes = 8192;
	lim.max_headers = 64;
	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		http_request req;
		int status = -7;
		ssize_t n = http_parse_head(&req, hs[i].head, strlen(hs[i].head), &lim, &status);

		if (hs[i].status) {
			assert_int_equal(n, HTTP_ERROR);
			assert_int_equal(status, hs[i].status);
		} else {
			assert_int_equal(n, (ssize_t)strlen(hs[i].head));
			assert_int_equal(req.coding, hs[i].coding);
			assert_int_equal(req.gzip, hs[i].coding == HTTP_CODING_GZIP);
		}
	}
}

static void test_round_trip(void **state)
{
	size_t n = 200000, zn, i;
	char *text = sample_text(n);
	buf out;

	(void)state;
	for (i = 0; i < NCASES; i++) {
		unsigned char *z = encode(cases[i].coding, cases[i].raw, text, n, &zn);

		buf_init(&out, 1 << 20);
		assert_int_equal(buf_puts(&out, "pre:"), BUF_OK);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), 0);
		assert_int_equal(out.len, 4 + n);
		assert_memory_equal(out.p + 4, text, n);
		buf_free(&out);
		/* exactly the ceiling fits; one byte less is 413 */
		buf_init(&out, n);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), 0);
		buf_free(&out);
		buf_init(&out, n - 1);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), BUF_TOO_LARGE);
		assert_int_equal(out.len, 0);
		buf_free(&out);
		free(z);
	}
	/* a small body, as a Sentry envelope would be */
	for (i = 0; i < NCASES; i++) {
		static const char env[] = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n";
		unsigned char *z = encode(cases[i].coding, cases[i].raw, env, sizeof(env) - 1, &zn);

		buf_init(&out, 1024);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), 0);
		assert_string_equal(out.p, env);
		buf_free(&out);
		free(z);
	}
	free(text);
}

/* Every truncation, garbage, and bytes after the end are malformed, never 413. */
static void test_malformed(void **state)
{
	static const char plain[] = "{\"kind\":\"crash\",\"title\":\"boom\",\"message\":\"boom boom\"}";
	size_t i, n, zn;
	buf out;

	(void)state;
	buf_init(&out, 64 << 20);
	assert_int_equal(buf_puts(&out, "keep"), BUF_OK);
	for (i = 0; i < NCASES; i++) {
		unsigned char *z = encode(cases[i].coding, cases[i].raw, plain, sizeof(plain) - 1, &zn);
		unsigned char *more = malloc(zn + 4);

		for (n = 0; n < zn; n++) {
			assert_int_equal(http_decode(cases[i].coding, (char *)z, n, &out), HTTP_ERROR);
			assert_int_equal(out.len, 4);
			assert_string_equal(out.p, "keep");
		}
		assert_non_null(more);
		memcpy(more, z, zn);
		memcpy(more + zn, "junk", 4);
		assert_int_equal(http_decode(cases[i].coding, (char *)more, zn + 4, &out), HTTP_ERROR);
		assert_int_equal(out.len, 4);
		free(more);
		free(z);
	}
	assert_int_equal(http_decode(HTTP_CODING_BR, "\xff\xff\xff\xff garbage", 12, &out),
			 HTTP_ERROR);
	assert_int_equal(http_decode(HTTP_CODING_ZSTD, "hello", 5, &out), HTTP_ERROR);
	assert_int_equal(out.len, 4);
	buf_free(&out);
}

/* 10 MB of zeros squeezed small stops at a 1 MiB ceiling, for every coding. */
static void test_bomb(void **state)
{
	size_t n = 10 * 1000 * 1000, zn, i;
	char *zeros = calloc(1, n);
	buf out;

	(void)state;
	assert_non_null(zeros);
	for (i = 0; i < NCASES; i++) {
		unsigned char *z = encode(cases[i].coding, cases[i].raw, zeros, n, &zn);

		assert_true(zn < 20000);
		buf_init(&out, 1 << 20);
		assert_int_equal(buf_puts(&out, "keep"), BUF_OK);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), BUF_TOO_LARGE);
		assert_int_equal(out.len, 4);
		assert_true(out.cap <= (1 << 20) + 1);
		buf_free(&out);
		/* under a ceiling that holds it, the same stream decodes: the ceiling was the cause */
		buf_init(&out, 16 << 20);
		assert_int_equal(http_decode(cases[i].coding, (char *)z, zn, &out), 0);
		assert_int_equal(out.len, n);
		buf_free(&out);
		free(z);
	}
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),     cmocka_unit_test(test_header),
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
