/* decode.c - the request body codings behind one call: gzip (gunzip.c), deflate, brotli and zstd. */
#include "http/decode.h"
#include "http/http.h"

#include <string.h>

#define ZLIB_CONST
#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

/* Every codec writes through a window this size; `out`'s ceiling stops a bomb. */
#define WINDOW 16384

static const struct {
	const char *name;
	int coding;
} names[] = {
	{"identity", HTTP_CODING_IDENTITY}, {"gzip", HTTP_CODING_GZIP},
	{"x-gzip", HTTP_CODING_GZIP},       {"deflate", HTTP_CODING_DEFLATE},
	{"br", HTTP_CODING_BR},             {"zstd", HTTP_CODING_ZSTD},
};

const char *http_coding_name(int coding)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].coding == coding)
			return names[i].name;
	return "?";
}

int http_coding_of(const char *name, size_t len)
{
	size_t i, j;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != len)
			continue;
		for (j = 0; j < len; j++) {
			char c = name[j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != names[i].name[j])
				break;
		}
		if (j == len)
			return names[i].coding;
	}
	return -1;
}

/* "deflate" is zlib-wrapped by the RFC, raw in some clients: a zlib header
 * is CM 8 with a check that makes the first two bytes a multiple of 31. */
static int inflate_deflate(const unsigned char *in, size_t inlen, buf *out)
{
	int zlib = inlen >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 &&
		   ((unsigned)in[0] * 256 + in[1]) % 31 == 0;

	return http_inflate((const char *)in, inlen, zlib ? MAX_WBITS : -MAX_WBITS, out);
}

static int decode_brotli(const unsigned char *in, size_t inlen, buf *out)
{
	unsigned char chunk[WINDOW];
	BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	size_t avail_in = inlen;
	const uint8_t *next_in = in;
	int rc = HTTP_ERROR;

	if (!st)
		return BUF_NOMEM;
	for (;;) {
		size_t avail_out = sizeof(chunk);
		uint8_t *next_out = chunk;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(st, &avail_in, &next_in,
								      &avail_out, &next_out, NULL);
		size_t produced = sizeof(chunk) - avail_out;

		if (produced) {
			int brc = buf_append(out, chunk, produced);

			if (brc != BUF_OK) {
				rc = brc;
				goto out;
			}
		}
		if (r == BROTLI_DECODER_RESULT_SUCCESS) {
			if (avail_in == 0)
				rc = 0;
			goto out;
		}
		if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
			continue;
		/* NEEDS_MORE_INPUT with all of it given: truncated; ERROR: corrupt */
		if (r == BROTLI_DECODER_RESULT_ERROR &&
		    BrotliDecoderGetErrorCode(st) <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
		    BrotliDecoderGetErrorCode(st) >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES)
			rc = BUF_NOMEM;
		goto out;
	}
out:
	BrotliDecoderDestroyInstance(st);
	return rc;
}

static int decode_zstd(const unsigned char *in, size_t inlen, buf *out)
{
	unsigned char chunk[WINDOW];
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_inBuffer ib = {in, inlen, 0};
	size_t last = 1; /* 0 once a frame is complete */
	int rc = HTTP_ERROR;

	if (!dc)
		return BUF_NOMEM;
	/* A frame may ask for a window of up to 2 GiB: keep to 8 MiB (zstd's default limit is 128 MiB). */
	ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, 23);
	for (;;) {
		ZSTD_outBuffer ob = {chunk, sizeof(chunk), 0};
		size_t r = ZSTD_decompressStream(dc, &ob, &ib);

		if (ZSTD_isError(r))
			goto out;
		if (ob.pos) {
			int brc = buf_append(out, chunk, ob.pos);

			if (brc != BUF_OK) {
				rc = brc;
				goto out;
			}
		}
		last = r;
		/* Done when all input is read and the last frame ended with nothing held back. */
		if (ib.pos == ib.size && ob.pos < ob.size) {
			if (last == 0)
				rc = 0;
			goto out;
		}
	}
out:
	ZSTD_freeDCtx(dc);
	return rc;
}

int http_decode(int coding, const char *in, size_t inlen, buf *out)
{
	size_t orig = out->len;
	int rc;

	if (coding == HTTP_CODING_IDENTITY)
		return buf_append(out, in, inlen);
	if (coding == HTTP_CODING_GZIP)
		return http_gunzip(in, inlen, out); /* restores `out` itself */
	if (inlen == 0)
		return HTTP_ERROR; /* not even a header */
	if (coding == HTTP_CODING_DEFLATE)
		rc = inflate_deflate((const unsigned char *)in, inlen, out);
	else if (coding == HTTP_CODING_BR)
		rc = decode_brotli((const unsigned char *)in, inlen, out);
	else if (coding == HTTP_CODING_ZSTD)
		rc = decode_zstd((const unsigned char *)in, inlen, out);
	else
		rc = HTTP_ERROR;
	if (rc != 0) {
		out->len = orig;
		if (out->p)
			out->p[orig] = '\0';
	}
	return rc;
}
