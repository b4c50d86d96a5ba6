/* reply.c - small helpers for the JSON the API answers: error bodies, times, ids. */
#include "api/reply.h"

#include <stdio.h>
#include <string.h>

#include "common/rfc3339.h"

json_t *reply_error_body(const char *code, const char *message, const char *field)
{
	json_t *err = json_object();

	json_object_set_new(err, "code", json_string(code));
	json_object_set_new(err, "message", json_string(message));
	if (field && *field)
		json_object_set_new(err, "field", json_string(field));
	return json_pack("{s:o}", "error", err);
}

const char *reply_status_code(int status)
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

int reply_dump_buf(buf *out, const json_t *v)
{
	size_t before = out->len;

	if (json_dump_callback(v, dump_cb, out, JSON_COMPACT) < 0) {
		out->len = before;
		return BUF_TOO_LARGE;
	}
	return BUF_OK;
}

json_t *reply_time(int64_t secs)
{
	char s[RFC3339_MAX];

	if (secs == 0)
		return json_null();
	rfc3339_format(s, secs);
	return json_string(s);
}

json_t *reply_id(char prefix, int64_t num)
{
	char s[32];

	snprintf(s, sizeof(s), "%c-%lld", prefix, (long long)num);
	return json_string(s);
}

int reply_parse_id(const char *s, char prefix, int64_t *num)
{
	int64_t n = 0;
	const char *p;

	/* r-1 is R-1: people type ids in either case. */
	if (!s || (s[0] != prefix && s[0] != prefix + ('a' - 'A')) || s[1] != '-' || s[2] < '1' ||
	    s[2] > '9')
		return -1;
	for (p = s + 2; *p; p++) {
		if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (p - s > 20)
		return -1;
	*num = n;
	return 0;
}

reply_status reply_from_error(int code)
{
	switch (code) {
	case PE_NOTFOUND:
		return (reply_status){404, "not_found", "not found", 0};
	case PE_EXISTS:
		return (reply_status){409, "conflict", "it exists already", 0};
	case PE_CONFLICT:
		return (reply_status){409, "conflict", "not allowed in its current state", 0};
	case PE_INVAL:
		return (reply_status){422, "invalid_request", "the request was refused", 0};
	case PE_FORBIDDEN:
		return (reply_status){403, "forbidden", "not yours to change", 0};
	case PE_FULL:
		return (reply_status){507, "insufficient_storage",
				      "the server is out of disk space; nothing was changed", 60};
	case PE_BUSY:
		return (reply_status){503, "unavailable",
				      "too many reports waiting to be stored; retry shortly", 1};
	case PE_STOPPED:
		return (reply_status){503, "unavailable", "the server is shutting down", 1};
	default:
		return (reply_status){503, "unavailable", "the store could not answer", 1};
	}
}
