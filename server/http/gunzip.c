/* gunzip.c - inflating a zlib-family request body: gzip, and deflate (zlib-wrapped or raw). */
#include "http/http.h"

#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

int http_inflate(const char *in, size_t inlen, int window_bits, buf *out)
{
	unsigned char chunk[16384];
	size_t orig = out->len, left = inlen;
	z_stream zs;
	int rc = HTTP_ERROR, zrc;

	memset(&zs, 0, sizeof(zs));
	zrc = inflateInit2(&zs, window_bits);
	if (zrc != Z_OK)
		return zrc == Z_MEM_ERROR ? BUF_NOMEM : HTTP_ERROR;
	zs.next_in = (const Bytef *)in;
	if (inlen == 0)
		goto out; /* not even a header */
	for (;;) {
		size_t produced;

		if (zs.avail_in == 0 && left) {
			uInt feed = left > (uInt)-1 ? (uInt)-1 : (uInt)left;

			zs.avail_in = feed;
			left -= feed;
		}
		/* Output goes through a fixed window into `out`, whose ceiling
		 * stops a bomb; nothing is sized from the stream's own claims. */
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = inflate(&zs, Z_NO_FLUSH);
		produced = sizeof(chunk) - zs.avail_out;
		if (produced) {
			int brc = buf_append(out, chunk, produced);

			if (brc != BUF_OK) {
				rc = brc;
				goto out;
			}
		}
		if (zrc == Z_STREAM_END) {
			if (zs.avail_in == 0 && left == 0) {
				rc = 0;
				goto out;
			}
			/* another gzip member follows (RFC 1952 2.2); after a deflate stream,
			 * bytes are not part of any body */
			if (window_bits <= MAX_WBITS || inflateReset(&zs) != Z_OK)
				goto out;
			continue;
		}
		if (zrc == Z_MEM_ERROR) {
			rc = BUF_NOMEM;
			goto out;
		}
		/* Z_BUF_ERROR: no progress with room to write, so the input ran
		 * out mid-member; Z_DATA_ERROR, Z_NEED_DICT: corrupt. */
		if (zrc != Z_OK)
			goto out;
	}
out:
	inflateEnd(&zs);
	if (rc != 0) {
		out->len = orig;
		if (out->p)
			out->p[orig] = '\0';
	}
	return rc;
}

int http_gunzip(const char *in, size_t inlen, buf *out)
{
	return http_inflate(in, inlen, 16 + MAX_WBITS, out); /* 16: the gzip wrapper only */
}
