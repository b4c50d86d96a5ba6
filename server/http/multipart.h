/* multipart.h - parser of multipart/form-data request bodies (RFC 7578, RFC 2046). */
#ifndef PROSUM_MULTIPART_H
#define PROSUM_MULTIPART_H

#include <stddef.h>
#include <sys/types.h>

#include "http/http.h"

/*
 * The parser allocates nothing and copies nothing: every slice of a part
 * points into the body the caller passed, which must outlive the parts. The
 * body is wire data and is never treated as a C string (it may hold NUL
 * bytes anywhere, and is not NUL-terminated).
 *
 * `name` and `filename` are the parameter values as sent: a token, or the
 * contents of a quoted-string without its quotes, backslash escapes still in
 * place. When *_escaped is 0 the slice is already the value; otherwise decode
 * it with multipart_unescape(). multipart_unescape() is right in both cases.
 */
typedef struct multipart_part {
	http_slice name;         /* never empty */
	http_slice filename;     /* absent: p NULL, len 0; filename="": p set, len 0 */
	http_slice content_type; /* the header's value, OWS trimmed; absent: p NULL, len 0 */
	http_slice data;         /* the part's bytes, may be empty */
	int has_filename;        /* a filename parameter was sent (possibly empty) */
	int name_escaped;        /* `name` holds backslash escapes */
	int filename_escaped;    /* `filename` holds backslash escapes */
} multipart_part;

/*
 * Return codes, with the status an HTTP answer would carry. EBOUNDARY: the
 * boundary parameter is missing or invalid, or the Content-Type parameters
 * are malformed. EHEADERS: a part's header section exceeds
 * PROSUM_MAX_PART_HEADER_BYTES (config.h).
 */
/* The multipart parser's names of the server's PE_* codes (perror.h). Each function's codes
 * are distinct; the message in err tells a malformed body from a bad boundary. */
#define MULTIPART_OK PE_OK
#define MULTIPART_EINVAL PE_INVAL             /* malformed body (400) */
#define MULTIPART_ECTYPE PE_UNSUPPORTED       /* the Content-Type is not multipart/form-data (415) */
#define MULTIPART_EBOUNDARY PE_PROTOCOL       /* bad or missing boundary (400) */
#define MULTIPART_ETOOMANY PE_TOOMANY         /* more parts than the caller's array holds (413) */
#define MULTIPART_EHEADERS PE_TOOBIG          /* part headers too large (413) */
#define MULTIPART_ENOTFOUND PE_NOTFOUND       /* multipart_find_one(): no part of that name */
#define MULTIPART_EDUPLICATE PE_AMBIGUOUS     /* multipart_find_one(): several parts of that name */
#define MULTIPART_ERANGE PE_TOOBIG            /* multipart_unescape(): the output buffer is too small */

/*
 * The boundary parameter of a Content-Type header value (ctype[0..ctlen), the
 * whole value with its parameters, not NUL-terminated). *out points into
 * ctype. Returns 0, MULTIPART_ECTYPE when the media type is not
 * multipart/form-data (any case), or MULTIPART_EBOUNDARY when the parameters
 * are malformed, the boundary is absent or given twice, or is not 1..70
 * characters of RFC 2046 bchars (not ending in a space; the token form only
 * allows the bchars that are token characters). A quoted boundary must not
 * hold backslash escapes (no boundary character needs one). Other parameters
 * are ignored. `err` (may be NULL) receives a sentence saying what is wrong.
 */
int multipart_boundary(http_slice *out, const char *ctype, size_t ctlen, char *err, size_t errlen);

/*
 * Parse a complete multipart/form-data body (body[0..len), already decoded
 * from chunked and gzip) into parts[0..cap). `ctype` is the Content-Type
 * header value with its parameters (NULL with ctlen 0 when the request has
 * none: MULTIPART_ECTYPE). On success returns 0 and sets *nparts; on
 * failure returns a negative MULTIPART_E* code, *nparts is 0, the contents of
 * `parts` are unspecified, and `err` (may be NULL; errlen bytes, 128 is
 * plenty) receives a sentence naming the 1-based part at fault, such as
 * "part 3: no name in Content-Disposition". Messages never quote input bytes,
 * so they can go straight into a JSON error body.
 *
 * What is accepted (strict, so that this server and any proxy in front of it
 * cannot disagree on where a part starts or ends):
 *  - the preamble (bytes before the first boundary) and the epilogue (bytes
 *    after the CRLF that ends the closing boundary line) are ignored;
 *  - a boundary line is "--" boundary, optional SP/HTAB padding, CRLF; the
 *    closing one is "--" boundary "--", padding, then CRLF or the end of the
 *    body; a delimiter followed by anything else is an error, not data;
 *  - every line of the part headers ends in CRLF: a bare LF or a bare CR is
 *    an error (the delimiter itself is CRLF-based, and real senders -
 *    browsers, curl, libprosum - always use CRLF);
 *  - header lines are "Name:" OWS value OWS with a token name, no folding,
 *    no control bytes but HTAB; the whole header section, its blank line
 *    included, is at most PROSUM_MAX_PART_HEADER_BYTES;
 *  - Content-Disposition is required, once, of type form-data (any case),
 *    with a non-empty `name`; `filename` is optional; each at most once;
 *    other parameters (filename* included, which RFC 7578 4.2 forbids
 *    senders to use) are ignored; parameters follow RFC 9110: no whitespace
 *    around '=', values are tokens or quoted-strings with backslash escapes;
 *  - Content-Type at most once (its value is not checked here; see
 *    attach_sniff_type()); Content-Transfer-Encoding, when present, at most
 *    once and 7bit, 8bit or binary (nothing is decoded); other headers are
 *    ignored;
 *  - the data of a part runs up to the next CRLF "--" boundary; the boundary
 *    string without that CRLF "--" prefix inside the data is data; as
 *    RFC 2046 allows, the CRLF that ends the header section may double as
 *    the delimiter's ("...\r\n\r\n--b"): the part then has no data, just
 *    as with "...\r\n\r\n\r\n--b";
 *  - parts may share a name (RFC 7578 4.3: several files for one field):
 *    use multipart_find_one() for a field that must appear once;
 *  - a body with no part at all ("--b--") is accepted, with *nparts 0, as
 *    browsers send it for an empty form;
 *  - a body without its closing boundary is an error (truncated upload).
 * The size of each part is the caller's to bound (PROSUM_MAX_ATTACHMENT,
 * PROSUM_MAX_JSON); the whole body is bounded by PROSUM_MAX_BODY before this
 * is called. Time is linear in `len` (the boundary is found with memmem).
 */
int multipart_parse(multipart_part *parts, size_t cap, size_t *nparts, const char *body, size_t len,
		    const char *ctype, size_t ctlen, char *err, size_t errlen);

/*
 * The only part whose decoded name is `name` (a C string). Returns 0 with
 * *out set, MULTIPART_ENOTFOUND, or MULTIPART_EDUPLICATE (*out is then the
 * first one). *out points into `parts`.
 */
int multipart_find_one(const multipart_part **out, const multipart_part *parts, size_t nparts,
		       const char *name);

/*
 * Decode a `name` or `filename` slice (backslash escapes removed) into out,
 * NUL-terminated. Returns the decoded length (which excludes the NUL), or
 * MULTIPART_ERANGE when it does not fit in outsz bytes with its NUL (out is
 * then the empty string when outsz > 0). The decoded value holds no NUL
 * and no control byte but HTAB, as the parser refuses them.
 */
ssize_t multipart_unescape(char *out, size_t outsz, http_slice raw);

#endif
