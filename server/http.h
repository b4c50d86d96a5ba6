/* http.h - incremental HTTP/1.1 request parser, body decoders and response head writer. */
#ifndef PROSUM_HTTP_H
#define PROSUM_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * The parser allocates nothing: every slice points into the caller's buffer,
 * which must outlive the request. Wire bytes are never treated as C strings.
 */
typedef struct http_slice {
	const char *p;
	size_t len;
} http_slice;

typedef struct http_header {
	http_slice name;
	http_slice value;
} http_header;

#define HTTP_MAX_HEADERS_HARD 128 /* size of the array; the configured limit may be lower */

typedef struct http_limits {
	size_t max_request_line;
	size_t max_header_bytes;
	size_t max_headers;
} http_limits;

typedef struct http_request {
	http_slice method;
	http_slice target;        /* as sent: path and query */
	http_slice path;          /* target up to '?' */
	http_slice query;         /* after '?', without it; len 0 when none */
	int minor_version;        /* 0 or 1 */
	http_header headers[HTTP_MAX_HEADERS_HARD];
	size_t nheaders;
	/* Derived from the headers by http_parse_head(): */
	int64_t content_length;   /* -1 when absent */
	int chunked;              /* Transfer-Encoding: chunked */
	int gzip;                 /* Content-Encoding: gzip */
	int keep_alive;           /* after this request (HTTP/1.1 default on, "close" off) */
	int expect_continue;      /* Expect: 100-continue */
	http_slice content_type;  /* media type without parameters, trimmed */
	http_slice host;
} http_request;

#define HTTP_INCOMPLETE (-1)
#define HTTP_ERROR (-3) /* distinct from BUF_NOMEM and BUF_TOO_LARGE, which http_gunzip also returns */

/*
 * Parse the head of a request (request line and headers, up to and including
 * the blank line) from buf[0..len).
 * Returns the number of bytes the head takes (> 0), HTTP_INCOMPLETE when more
 * bytes are needed (and the limits are not yet exceeded), or HTTP_ERROR with
 * *status set: 400 malformed (bad token, bare LF allowed but bare CR not,
 * obsolete line folding, both Content-Length and Transfer-Encoding, several
 * differing Content-Length, negative or non-numeric Content-Length, a
 * Transfer-Encoding other than "chunked"), 414 request line too long,
 * 431 headers too large or too many, 505 version other than HTTP/1.0 or 1.1,
 * 501 unsupported Content-Encoding (only gzip and identity are known).
 * Safe to call again with more bytes: it re-parses from the start (heads are small).
 */
ssize_t http_parse_head(http_request *req, const char *buf, size_t len,
			const http_limits *lim, int *status);

/* First header named `name` (case-insensitive), or NULL. */
const http_header *http_find_header(const http_request *req, const char *name);
/* Compare a slice with a C string. */
int http_slice_eq(http_slice s, const char *str);
int http_slice_eq_nocase(http_slice s, const char *str);

/*
 * Value of query parameter `name` in `query`, percent-decoded into `out`
 * (NUL-terminated, at most outsz-1 bytes). Returns the decoded length, -1 when
 * absent, -2 when malformed or too long for `out`.
 */
int http_query_param(http_slice query, const char *name, char *out, size_t outsz);

/* Resumable, in-place decoder of chunked transfer coding. Zero-initialise. */
typedef struct http_chunked {
	int state;
	uint64_t remaining;  /* bytes left in the current chunk */
	size_t line_len;     /* length of the chunk-size/trailer line seen so far */
} http_chunked;

/*
 * Decode chunked data in place. On entry `*len` bytes at `data` are new input
 * (call again with only the bytes not yet given). The decoded payload is moved
 * to the front of `data` and *len becomes its length.
 * Returns HTTP_INCOMPLETE when the last chunk and trailers have not been seen
 * yet; when the message ended, the number of bytes that followed it (the next
 * pipelined request), which are moved to data[*len] .. data[*len + ret); or
 * HTTP_ERROR on malformed input (bad hex digit, chunk size over 2^40, a size
 * line over 1 KiB, a missing CRLF after chunk data, trailers over 8 KiB).
 * The caller bounds the decoded total against its own body limit.
 */
ssize_t http_chunked_decode(http_chunked *dec, char *data, size_t *len);

/*
 * Inflate a gzip body into `out` (which bounds the size: BUF_TOO_LARGE is a
 * "413 too large", e.g. a zip bomb). Returns 0, BUF_TOO_LARGE, BUF_NOMEM, or
 * HTTP_ERROR on corrupt data ("400"). Concatenated gzip members are accepted.
 */
int http_gunzip(const char *in, size_t inlen, buf *out);

/* Reason phrase of a status code ("Not Found"), "Unknown" when unknown. */
const char *http_reason(int status);

/*
 * Append a response head to `out`: status line, Date is not sent, then
 * Content-Type (when not NULL), Content-Length, Connection: keep-alive/close,
 * `extra` (already formatted "Name: value\r\n" lines, may be NULL), blank line.
 */
int http_write_head(buf *out, int status, const char *content_type,
		    size_t content_length, int keep_alive, const char *extra);

#endif
