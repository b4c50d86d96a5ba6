/* fuzz_chunked.c - fuzz harness of the resumable chunked transfer-coding decoder. */
#include <string.h>

#include "fuzz.h"
#include "http/http.h"

/* What a decoder made of an input fed in pieces. */
typedef struct outcome {
	ssize_t verdict; /* HTTP_ERROR, HTTP_INCOMPLETE, or 0 when the body ended */
	char *payload;   /* decoded bytes, in order */
	size_t npayload;
	char *follow; /* bytes after the end of the body */
	size_t nfollow;
} outcome;

/*
 * Feed in[0, size) to a fresh decoder in pieces ending at cuts[0..ncuts) (the
 * last cut is `size`). Each piece sits in a block of exactly its size, so the
 * decoder reading or writing past it is caught.
 */
static void feed(const uint8_t *in, size_t size, const size_t *cuts, size_t ncuts, outcome *o)
{
	http_chunked dec;
	size_t from = 0;

	memset(&dec, 0, sizeof(dec));
	memset(o, 0, sizeof(*o));
	o->verdict = HTTP_INCOMPLETE;
	o->payload = malloc(size + 1);
	o->follow = malloc(size + 1);
	FUZZ_CHECK(o->payload != NULL && o->follow != NULL);
	for (size_t c = 0; c < ncuts; c++) {
		size_t plen = cuts[c] - from, n = plen;
		char *piece = malloc(plen ? plen : 1);
		ssize_t r;

		FUZZ_CHECK(piece != NULL);
		if (plen)
			memcpy(piece, in + from, plen);
		r = http_chunked_decode(&dec, piece, &n);
		if (o->verdict == HTTP_ERROR) {
			/* After an error, every call is an error. */
			FUZZ_CHECK(r == HTTP_ERROR);
		} else if (r == HTTP_ERROR) {
			o->verdict = HTTP_ERROR;
		} else if (o->verdict == 0) {
			/* After the end, everything given is following data, left in place. */
			FUZZ_CHECK(r >= 0 && (size_t)r == plen && n == 0);
			FUZZ_CHECK(plen == 0 || memcmp(piece, in + from, plen) == 0);
			memcpy(o->follow + o->nfollow, piece, plen);
			o->nfollow += plen;
		} else if (r == HTTP_INCOMPLETE) {
			FUZZ_CHECK(n <= plen);
			FUZZ_CHECK(plen > 0 || n == 0);
			memcpy(o->payload + o->npayload, piece, n);
			o->npayload += n;
		} else {
			FUZZ_CHECK(r >= 0 && n <= plen && (size_t)r <= plen - n);
			/* The end needs at least "0\r\n\r\n" after the payload. */
			FUZZ_CHECK(o->npayload + n + (size_t)r + 5 <= size);
			memcpy(o->payload + o->npayload, piece, n);
			o->npayload += n;
			memcpy(o->follow, piece + n, (size_t)r);
			o->nfollow = (size_t)r;
			/* What follows the body is the input's tail, unchanged. */
			FUZZ_CHECK(memcmp(o->follow, in + cuts[c] - (size_t)r, (size_t)r) == 0);
			o->verdict = 0;
		}
		free(piece);
		from = cuts[c];
	}
	/* Decoding never makes data: payload and what follows fit in the input. */
	FUZZ_CHECK(o->npayload + o->nfollow <= size);
}

static void release(outcome *o)
{
	free(o->payload);
	free(o->follow);
}

/* Splitting the input must not change the verdict, the payload or what follows. */
static void same(const outcome *a, const outcome *b)
{
	FUZZ_CHECK(a->verdict == b->verdict);
	if (a->verdict == HTTP_ERROR)
		return; /* how much was decoded before an error is not part of the contract */
	FUZZ_CHECK(a->npayload == b->npayload);
	FUZZ_CHECK(memcmp(a->payload, b->payload, a->npayload) == 0);
	FUZZ_CHECK(a->nfollow == b->nfollow);
	FUZZ_CHECK(memcmp(a->follow, b->follow, a->nfollow) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	outcome whole, halves, bytes;
	size_t cuts[2], *each;

	/* One call with everything. */
	cuts[0] = size;
	feed(data, size, cuts, 1, &whole);

	/* Two calls, split where the first byte says (anywhere from 0 to size). */
	cuts[0] = size ? (size_t)data[0] * size / 255 : 0;
	cuts[1] = size;
	feed(data, size, cuts, 2, &halves);
	same(&whole, &halves);

	/* One byte per call, the slowest network there is. */
	each = malloc((size + 1) * sizeof(*each));
	FUZZ_CHECK(each != NULL);
	for (size_t i = 0; i < size; i++)
		each[i] = i + 1;
	feed(data, size, each, size, &bytes);
	same(&whole, &bytes);
	free(each);

	release(&whole);
	release(&halves);
	release(&bytes);
	return 0;
}
