/* http.h - HTTP/1.1 interface: request parser, chunked and gzip bodies, response heads. */
#ifndef PROSUM_HTTP_H
#define PROSUM_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/buf.h"
#include "http/decode.h"
#include "perror.h"

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
	size_t max_request_line;  /* the request line without its CRLF */
	size_t max_header_bytes;  /* the whole head: empty lines before the request
				     line, request line, headers, final blank line */
	size_t max_headers;       /* held to HTTP_MAX_HEADERS_HARD when higher */
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
	int coding;               /* the body's Content-Encoding: HTTP_CODING_* (http/decode.h) */
	int keep_alive;           /* after this request (HTTP/1.1 default on, "close" off) */
	int expect_continue;      /* Expect: 100-continue */
	http_slice content_type;  /* media type without parameters, trimmed */
	http_slice host;          /* the Host header, or the authority of an absolute-form target */
	int absolute_form;        /* the target was "http(s)://authority/path" */
	/* When HTTP_ERROR has a reason worth telling the client (a static string),
	 * and the header it is about (NULL for none): */
	const char *error;
	const char *error_field;
} http_request;

#define HTTP_INCOMPLETE (-1)
#define HTTP_ERROR PE_PROTOCOL /* distinct from BUF_NOMEM and BUF_TOO_LARGE, which http_gunzip also
				returns (asserted in perror.c) */

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
 * 501 unsupported Content-Encoding (gzip, deflate, br, zstd and identity are known).
 * Safe to call again with more bytes: it re-parses from the start (heads are small).
 *
 * *status is 0 unless HTTP_ERROR is returned. `lim` must not be NULL.
 * The limits win over everything else and are reported as soon as the bytes
 * already given prove them exceeded, complete head or not: a request line
 * with no LF after max_request_line bytes is 414 at once, a buffer of
 * max_header_bytes without the end of the head is 431 at once, and the
 * first byte of a header beyond max_headers is 431 at once. So a client
 * streaming an endless line or endless headers is refused at the limit.
 * Then, in order: request-line syntax (400, or 505 for a well-formed
 * "HTTP/d.d" other than 1.0/1.1), header syntax (400), derived fields
 * (400 framing errors win over 501).
 * Details of "malformed":
 *  - empty lines before the request line are skipped (RFC 9112 2.2);
 *  - single SP separators; the target is visible ASCII only (0x21-0x7E; raw
 *    UTF-8 -> 400) in origin-form ("/path?query"), absolute-form
 *    ("http://authority/path?query" or https, scheme in any case: path and
 *    query are taken from it, "/" when it has no path, and the authority takes
 *    the place of Host, RFC 9112 3.2.2) or, for OPTIONS only, asterisk-form
 *    ("*", which is then the path); anything else -> 400;
 *  - header values may hold SP, HTAB and obs-text (0x80-0xFF), no other
 *    control byte; a CR that does not end a line is a bare CR -> 400;
 *  - Content-Length: 1*DIGIT up to INT64_MAX; a list ("5, 5") is 400;
 *    repeated headers with the same value are accepted;
 *  - Transfer-Encoding must be exactly one header "chunked" (any case): any
 *    other coding or list ("gzip, chunked") is 400, not 501, as is TE in an
 *    HTTP/1.0 request (RFC 9112 6.1: faulty framing);
 *  - Host (RFC 9112 3.2): more than one Host header, a Host value that is
 *    not uri-host [":" port] (empty, userinfo "u@h", spaces, a port over
 *    65535), or an HTTP/1.1 request without Host (unless its target is in
 *    absolute-form) -> 400 with `error` and `error_field` ("Host") set; an
 *    absolute-form authority is held to the same grammar. HTTP/1.0 may omit
 *    Host;
 *  - Content-Encoding is a list of gzip, x-gzip, deflate, br, zstd and
 *    identity; any other coding, or two codings applied in turn, is 501.
 * Derived: keep_alive from the Connection token list ("close" always wins;
 * HTTP/1.0 needs "keep-alive"); expect_continue only for HTTP/1.1 and the
 * value "100-continue" (other expectations are ignored); content_type from
 * the first Content-Type header; host from the Host header.
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
 * Pairs are separated by '&'; keys are decoded the same way before the
 * (case-sensitive) comparison and the first match wins; a key without '='
 * has the empty value. '+' decodes to a space. "%" not followed by two hex
 * digits, or "%00", in the value is -2; in another key it only makes that
 * key match nothing. outsz 0 is -2.
 */
int http_query_param(http_slice query, const char *name, char *out, size_t outsz);

/*
 * Percent-decode a path segment into `out` (NUL-terminated; '+' stays '+').
 * Returns the decoded length, or -1 when malformed, holding %00, or too long.
 */
ssize_t http_percent_decode(char *out, size_t outsz, http_slice in);

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
 *
 * Stricter than the head: chunk framing must use CRLF (a bare LF is an
 * error), since lenient line ends there let a proxy and this server disagree
 * on where a body ends. BWS is allowed only between the size and ';'.
 * Extensions are checked for control bytes and ignored; trailer lines must
 * be "name:value" with a token name and are discarded. The 1 KiB bound is
 * on the size line without its CRLF, extensions included; the 8 KiB bound
 * on the whole trailer section with its CRLFs. Both are enforced as bytes
 * arrive, not at the line end. Zero-length input returns HTTP_INCOMPLETE.
 * After the end, further calls return all their bytes as following
 * (*len = 0); after an error, every call returns HTTP_ERROR.
 */
ssize_t http_chunked_decode(http_chunked *dec, char *data, size_t *len);

/*
 * Inflate a gzip body into `out` (which bounds the size: BUF_TOO_LARGE is a
 * "413 too large", e.g. a zip bomb). Returns 0, BUF_TOO_LARGE, BUF_NOMEM, or
 * HTTP_ERROR on corrupt data ("400"). Concatenated gzip members are accepted.
 * The output is appended to what `out` holds; on any failure `out` is put
 * back to its length on entry. Empty input, a truncated member, a bad CRC or
 * length, and bytes after the last member that are not another gzip member
 * (trailing zeros included) are corrupt.
 */
int http_gunzip(const char *in, size_t inlen, buf *out);
/* The same for any of zlib's `window_bits`: MAX_WBITS zlib-wrapped, -MAX_WBITS raw deflate
 * (one stream: bytes after it are corrupt), 16 + MAX_WBITS gzip (http_gunzip). */
int http_inflate(const char *in, size_t inlen, int window_bits, buf *out);

/*
 * What every answer carries (the connection adds them to each head, net/conn.c): no script,
 * style, frame or form target but this server's own, no MIME sniffing, no Referer sent.
 */
#define HTTP_SECURITY_HEADERS                                                                      \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "      \
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "           \
	"form-action 'self'; frame-ancestors 'none'\r\n"                                         \
	"X-Content-Type-Options: nosniff\r\n"                                                     \
	"Referrer-Policy: no-referrer\r\n"                                                        \
	"X-Frame-Options: DENY\r\n"

/*
 * The Sentry ingest paths, /api/<digits>/envelope/ and /api/<digits>/store/, are the only
 * ones a page of another site may call (Sentry's browser SDKs post from the app's own
 * origin, with no cookie): their answers carry HTTP_CORS_SENTRY_HEADERS (the connection adds
 * them to every answer on those paths, net/conn.c), a preflight (OPTIONS) also
 * HTTP_CORS_SENTRY_PREFLIGHT. Every other path keeps the same-origin rules (no CORS headers;
 * the session's Origin and CSRF checks).
 */
#define HTTP_CORS_SENTRY_HEADERS                                                                   \
	"Access-Control-Allow-Origin: *\r\n"                                                        \
	"Access-Control-Expose-Headers: x-sentry-error, x-sentry-rate-limits, retry-after\r\n"
#define HTTP_CORS_SENTRY_PREFLIGHT                                                                 \
	"Access-Control-Allow-Methods: POST, OPTIONS\r\n"                                           \
	"Access-Control-Allow-Headers: content-type, content-encoding, x-sentry-auth, "             \
	"authentication, authorization, sentry-trace, baggage\r\n"                                 \
	"Access-Control-Max-Age: 86400\r\n"
/* Whether `path` (without the query) is a Sentry ingest path (cors.c). */
int http_sentry_path(http_slice path);
/* The Sentry back-off headers for `seconds` (at least 1): "Retry-After: N\r\n
 * X-Sentry-Rate-Limits: N::organization\r\n" (every category, the whole organization: the
 * SDK stops sending anything for N seconds). 0, or -1 when `outlen` is too small (64 is
 * enough). */
int http_sentry_retry_headers(char *out, size_t outlen, int seconds);

/* Reason phrase of a status code ("Not Found"), "Unknown" when unknown. */
const char *http_reason(int status);

/*
 * Append a response head to `out`: status line, Date is not sent, then
 * Content-Type (when not NULL), Content-Length, Connection: keep-alive/close,
 * `extra` (already formatted "Name: value\r\n" lines, may be NULL), blank line.
 * A 1xx head is only the status line, `extra` and the blank line; 204 and
 * 304 carry no Content-Length. A content_type holding a control byte (it may
 * come from stored client data) is sent as application/octet-stream; `extra`
 * is trusted. Returns BUF_OK, BUF_NOMEM or BUF_TOO_LARGE; on failure `out`
 * is put back to its length on entry.
 */
int http_write_head(buf *out, int status, const char *content_type,
		    size_t content_length, int keep_alive, const char *extra);

/*
 * JSON error answers (response.c): what every error this server sends carries, from the
 * network layer (a malformed request, a full queue) and from the API's handlers alike.
 */
/* {"error":{"code":..,"message":..,"field":..}}; field omitted when NULL or "". New reference. */
json_t *http_error_body(const char *code, const char *message, const char *field);
/* The error code an answer carries for a status when its sender names none ("not_found"). */
const char *http_error_code(int status);
/*
 * How a failed call that returned a PE_* code (perror.h; the store's STORE_* are the same
 * codes) is answered: the one table, used by every handler and by the network layer.
 *   PE_NOTFOUND 404 not_found; PE_EXISTS, PE_CONFLICT 409 conflict;
 *   PE_INVAL 422 invalid_request; PE_FORBIDDEN 403 forbidden;
 *   PE_FULL 507 insufficient_storage (Retry-After: 60);
 *   anything else (PE_ERROR, PE_BUSY, PE_STOPPED, ...) 503 unavailable (Retry-After: 1).
 * `message` is what to say when the caller has nothing more precise. PE_OK is answered as
 * PE_ERROR: a call that succeeded without an answer could not answer.
 */
typedef struct http_error_answer {
	int status;          /* the HTTP status */
	const char *code;    /* the API's error code ("not_found") */
	const char *message; /* a static default message */
	int retry_after;     /* seconds for Retry-After; 0 for none */
} http_error_answer;
http_error_answer http_error_of(int code);
/* Serialise `v` compactly onto `out`. 0, or a BUF_ error. */
int http_dump_json(buf *out, const json_t *v);

#endif
