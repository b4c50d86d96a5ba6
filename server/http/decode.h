/* decode.h - undoing a request body's Content-Encoding (gzip, deflate, br, zstd) under a size ceiling. */
#ifndef PROSUM_HTTP_DECODE_H
#define PROSUM_HTTP_DECODE_H

#include <stddef.h>

#include "common/buf.h"

/* The content codings a request body may carry (http_request.coding). */
enum {
	HTTP_CODING_IDENTITY = 0,
	HTTP_CODING_GZIP,    /* gzip, x-gzip (RFC 1952) */
	HTTP_CODING_DEFLATE, /* deflate: zlib-wrapped (RFC 1950), or raw deflate as some clients send */
	HTTP_CODING_BR,      /* br: brotli (RFC 7932), libbrotlidec */
	HTTP_CODING_ZSTD,    /* zstd (RFC 8878), libzstd */
};

/* The coding's name as a client writes it ("gzip", "br", ...), for error messages. */
const char *http_coding_name(int coding);

/* The coding named by a Content-Encoding list item (any case), -1 if unknown. */
int http_coding_of(const char *name, size_t len);

/*
 * Decode `inlen` bytes of `coding` into `out`, streaming through a fixed
 * window: `out`'s ceiling bounds the decoded size, whatever the stream claims
 * (BUF_TOO_LARGE: "413", a bomb). Returns 0, BUF_TOO_LARGE, BUF_NOMEM, or
 * HTTP_ERROR on malformed or truncated input ("400"), empty input included.
 * Output is appended to `out`; on failure `out` is put back to its length on
 * entry. Identity appends the bytes as they are.
 */
int http_decode(int coding, const char *in, size_t inlen, buf *out);

#endif
