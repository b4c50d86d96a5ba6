/* response.c - response heads (reason phrases, the head writer) and the JSON error answers. */
#include "http/http.h"
#include "http/http_chars.h"

#include <assert.h>

#include "perror.h"

/* clang-format off */
const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}
/* clang-format on */

/* A content type may come from stored client data (attachments): never let
 * it break the head open. */
static int header_value_safe(const char *s)
{
	for (; *s; s++) {
		if (!is_field_byte((unsigned char)*s) || *s == '\t')
			return 0;
	}
	return 1;
}

/* Content-Type, Content-Length and Connection of a final (non-1xx) answer. */
static int write_framing(buf *out, int status, const char *content_type, size_t content_length,
			 int keep_alive)
{
	int rc = BUF_OK;

	if (content_type) {
		if (!header_value_safe(content_type))
			content_type = "application/octet-stream";
		rc = buf_printf(out, "Content-Type: %s\r\n", content_type);
	}
	/* RFC 9110 8.6: never in a 204; a 304's would describe another body */
	if (rc == BUF_OK && status != 204 && status != 304)
		rc = buf_printf(out, "Content-Length: %zu\r\n", content_length);
	if (rc == BUF_OK)
		rc = buf_puts(out,
			      keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
	return rc;
}

int http_write_head(buf *out, int status, const char *content_type, size_t content_length,
		    int keep_alive, const char *extra)
{
	size_t orig = out->len;
	int rc;

	assert(status >= 100 && status <= 999);
	rc = buf_printf(out, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	/* interim (1xx) answers carry no framing headers */
	if (rc == BUF_OK && status >= 200)
		rc = write_framing(out, status, content_type, content_length, keep_alive);
	if (rc == BUF_OK && extra)
		rc = buf_puts(out, extra);
	if (rc == BUF_OK)
		rc = buf_puts(out, "\r\n");
	if (rc != BUF_OK) {
		out->len = orig;
		if (out->p)
			out->p[orig] = '\0';
	}
	return rc;
}

/* ---- JSON error answers ---- */

json_t *http_error_body(const char *code, const char *message, const char *field)
{
	json_t *err = json_object();

	json_object_set_new(err, "code", json_string(code));
	json_object_set_new(err, "message", json_string(message));
	if (field && *field)
		json_object_set_new(err, "field", json_string(field));
	return json_pack("{s:o}", "error", err);
}

const char *http_error_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 408: return "timeout";
	case 409: return "conflict";
	case 411: return "length_required";
	case 413: return "too_large";
	case 414: return "uri_too_long";
	case 415: return "unsupported_media_type";
	case 422: return "invalid_request";
	case 429: return "rate_limited";
	case 431: return "headers_too_large";
	case 501: return "not_implemented";
	case 503: return "unavailable";
	case 505: return "http_version_not_supported";
	case 507: return "insufficient_storage";
	default: return status >= 500 ? "internal_error" : "error";
	}
}

static int dump_cb(const char *data, size_t size, void *ctx)
{
	return buf_append(ctx, data, size) == BUF_OK ? 0 : -1;
}

int http_dump_json(buf *out, const json_t *v)
{
	size_t before = out->len;

	if (json_dump_callback(v, dump_cb, out, JSON_COMPACT) < 0) {
		out->len = before;
		return BUF_TOO_LARGE;
	}
	return BUF_OK;
}

http_error_answer http_error_of(int code)
{
	switch (code) {
	case PE_NOTFOUND:
		return (http_error_answer){404, "not_found", "not found", 0};
	case PE_EXISTS:
		return (http_error_answer){409, "conflict", "it exists already", 0};
	case PE_CONFLICT:
		return (http_error_answer){409, "conflict", "not allowed in its current state", 0};
	case PE_INVAL:
		return (http_error_answer){422, "invalid_request", "the request was refused", 0};
	case PE_FORBIDDEN:
		return (http_error_answer){403, "forbidden", "not yours to change", 0};
	case PE_FULL:
		return (http_error_answer){507, "insufficient_storage",
					   "the server is out of disk space; nothing was changed",
					   60};
	case PE_BUSY:
		return (http_error_answer){
		    503, "unavailable", "too many reports waiting to be stored; retry shortly", 1};
	case PE_STOPPED:
		return (http_error_answer){503, "unavailable", "the server is shutting down", 1};
	default:
		return (http_error_answer){503, "unavailable", "the store could not answer", 1};
	}
}
