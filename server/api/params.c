/* params.c - query parameters the list calls share, and the 422 refusals they answer. */
#include "api/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
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
