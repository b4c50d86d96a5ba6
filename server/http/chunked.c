/* chunked.c - incremental decoder of the chunked transfer coding (RFC 9112 7.1). */
#include "http/http.h"
#include "http/http_chars.h"

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#define SSIZE_LIMIT ((size_t)SSIZE_MAX)

#define CHUNK_SIZE_MAX ((uint64_t)1 << 40)
#define CHUNK_LINE_MAX 1024    /* chunk-size line, extensions included */
#define CHUNK_TRAILER_MAX 8192 /* whole trailer section, CRLFs included */

enum {
	CH_SIZE = 0, /* hex digits of a chunk size (zero state: the first one) */
	CH_SIZE_WS,  /* BWS after the size, only before ';' */
	CH_EXT,      /* chunk extensions, ignored up to CR */
	CH_SIZE_LF,  /* CR of the size line seen */
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER, /* start of a trailer line, or of the final CRLF */
	CH_TRAILER_NAME,
	CH_TRAILER_VALUE,
	CH_TRAILER_LF,
	CH_END_LF,
	CH_DONE,
	CH_ERROR,
};

/*
 * Framing inside a chunked body must use CRLF: unlike the head, bare LF is
 * not accepted here, because lenient chunk-line endings are a known way to
 * make a front proxy and this server disagree on where a body ends.
 * In trailer states `remaining` counts the trailer bytes; in size states
 * `line_len` counts the bytes of the size line.
 */
ssize_t http_chunked_decode(http_chunked *dec, char *data, size_t *len)
{
	size_t r = 0, w = 0, n = *len, follow;
	int st = dec->state;

	if (st == CH_ERROR)
		return HTTP_ERROR;
	if (st == CH_DONE) {
		follow = n;
		*len = 0;
		return (ssize_t)follow;
	}
	while (r < n && st != CH_DONE) {
		unsigned char c = (unsigned char)data[r];
		int d;

		if (st == CH_DATA) {
			size_t take = n - r;

			if ((uint64_t)take > dec->remaining)
				take = (size_t)dec->remaining;
			if (w != r)
				memmove(data + w, data + r, take);
			w += take;
			r += take;
			dec->remaining -= take;
			if (dec->remaining == 0)
				st = CH_DATA_CR;
			continue;
		}
		r++;
		if (st >= CH_TRAILER && st <= CH_END_LF && ++dec->remaining > CHUNK_TRAILER_MAX)
			goto fail;
		if (st <= CH_EXT && ++dec->line_len > CHUNK_LINE_MAX + 1) /* + its CR */
			goto fail;
		switch (st) {
		case CH_SIZE:
			d = hexval(c);
			if (d >= 0) {
				dec->remaining = dec->remaining << 4 | (uint64_t)d;
				if (dec->remaining > CHUNK_SIZE_MAX)
					goto fail;
				break;
			}
			if (dec->line_len == 1)
				goto fail; /* no digit at all */
			if (c == ';')
				st = CH_EXT;
			else if (c == ' ' || c == '\t')
				st = CH_SIZE_WS;
			else if (c == '\r')
				st = CH_SIZE_LF;
			else
				goto fail;
			break;
		case CH_SIZE_WS:
			if (c == ';')
				st = CH_EXT;
			else if (c != ' ' && c != '\t')
				goto fail;
			break;
		case CH_EXT:
			if (c == '\r')
				st = CH_SIZE_LF;
			else if (!is_field_byte(c))
				goto fail;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				goto fail;
			dec->line_len = 0;
			st = dec->remaining ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA_CR:
			if (c != '\r')
				goto fail;
			st = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (c != '\n')
				goto fail;
			dec->line_len = 0;
			dec->remaining = 0;
			st = CH_SIZE;
			break;
		case CH_TRAILER:
			if (c == '\r') {
				st = CH_END_LF;
			} else if (is_tchar(c)) {
				st = CH_TRAILER_NAME;
			} else {
				goto fail; /* includes obsolete line folding */
			}
			break;
		case CH_TRAILER_NAME:
			if (c == ':')
				st = CH_TRAILER_VALUE;
			else if (!is_tchar(c))
				goto fail;
			break;
		case CH_TRAILER_VALUE:
			if (c == '\r')
				st = CH_TRAILER_LF;
			else if (!is_field_byte(c))
				goto fail;
			break;
		case CH_TRAILER_LF:
			if (c != '\n')
				goto fail;
			st = CH_TRAILER;
			break;
		case CH_END_LF:
			if (c != '\n')
				goto fail;
			st = CH_DONE;
			break;
		default:
			assert(!"unreachable chunked state");
			goto fail;
		}
	}
	dec->state = st;
	*len = w;
	if (st != CH_DONE)
		return HTTP_INCOMPLETE;
	follow = n - r;
	if (follow && w != r)
		memmove(data + w, data + r, follow);
	assert(follow <= SSIZE_LIMIT);
	return (ssize_t)follow;
fail:
	dec->state = CH_ERROR;
	*len = w;
	return HTTP_ERROR;
}
