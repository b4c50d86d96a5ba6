/* params.c - what the board and suggestion calls read from a request: parameters, JSON bodies. */
#include "api/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model/jsonbody.h"
#include "model/workflow.h"
#include "net/conn.h"

int params_refuse(request *rq, int status, const char *code, const char *message, const char *field)
{
	conn_reply_error(rq->conn, status, code, message, field);
	return -1;
}

int params_count(request *rq, const char *name, int64_t min, int64_t max, int64_t *out)
{
	char v[32], *end;
	long long n;
	int rc = http_query_param(rq->http->query, name, v, sizeof(v));

	if (rc == -1)
		return 0;
	n = rc < 0 ? -1 : strtoll(v, &end, 10);
	if (rc < 0 || *end || n < min || n > max) {
		char msg[80];
		snprintf(msg, sizeof(msg), "must be a whole number from %lld to %lld",
			 (long long)min, (long long)max);
		return params_refuse(rq, 422, "invalid_parameter", msg, name);
	}
	*out = n;
	return 1;
}

int params_suggestion_filter(request *rq, char *status, size_t size, const char **filter, char *q,
			     size_t q_size, const char **search)
{
	int rc = http_query_param(rq->http->query, "status", status, size);

	if (rc == -2 || (rc >= 0 && !workflow_suggestion_valid(status))) {
		char msg[160];
		snprintf(msg, sizeof(msg), "must be one of %s", workflow_suggestion_list());
		return params_refuse(rq, 422, "invalid_parameter", msg, "status");
	}
	if (rc >= 0)
		*filter = status;
	rc = http_query_param(rq->http->query, "q", q, q_size);
	if (rc == -2)
		return params_refuse(rq, 422, "invalid_parameter", "malformed or too long", "q");
	if (rc >= 0 && q[strspn(q, " \t\r\n")])
		*search = q; /* an empty search box is no search */
	return 0;
}

int params_page(request *rq, int *limit, int64_t *offset)
{
	int64_t page = PROSUM_LIST_LIMIT;

	if (params_count(rq, "limit", 1, PROSUM_LIST_MAX, &page) < 0 ||
	    params_count(rq, "cursor", 0, INT64_MAX / 4, offset) < 0)
		return -1;
	*limit = (int)page;
	return 0;
}

int params_json_object(request *rq, json_t **doc)
{
	jsonbody_error e;

	if (!http_slice_eq_nocase(rq->http->content_type, "application/json"))
		return params_refuse(rq, 415, "unsupported_media_type", "send application/json",
				     NULL);
	if (rq->body_len > PROSUM_MAX_JSON)
		return params_refuse(rq, 413, "too_large", "the document is too large", NULL);
	*doc = jsonbody_parse(rq->body, rq->body_len, &e);
	if (!*doc)
		return params_refuse(rq, e.status,
				     e.status == 400   ? "invalid_json"
				     : e.status == 422 ? "invalid_request"
						       : NULL,
				     e.message, e.field);
	return 0;
}

int params_opt_string(request *rq, json_t *obj, const char *key, const char *field, size_t max,
		      const char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *p;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max) {
		char msg[96];
		snprintf(msg, sizeof(msg), "must be a string of at most %zu bytes", max);
		return params_refuse(rq, 422, "invalid_request", msg, field);
	}
	for (p = json_string_value(v); *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
			return params_refuse(rq, 422, "invalid_request",
					     "must not hold control characters", field);
	*out = json_string_value(v);
	return 0;
}
