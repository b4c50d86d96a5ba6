/* params.h - what the board and suggestion calls read from a request: query parameters, JSON
 * bodies and their fields, and the refusals they answer. */
#ifndef PROSUM_PARAMS_H
#define PROSUM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/router.h"

/* Answer an error (conn_reply_error) and return -1, for `return params_refuse(...)`. */
int params_refuse(request *rq, int status, const char *code, const char *message,
		  const char *field);
/* A whole number from min to max in parameter `name` into *out: 1 taken, 0 absent (out
 * untouched), -1 after answering 422. */
int params_count(request *rq, const char *name, int64_t min, int64_t max, int64_t *out);
/* status= (a suggestion status) into status[size], *filter pointing at it when sent, then q=
 * into q[q_size], *search pointing at it unless blank. 0, or -1 after answering 422. */
int params_suggestion_filter(request *rq, char *status, size_t size, const char **filter, char *q,
			     size_t q_size, const char **search);
/* limit= (PROSUM_LIST_LIMIT when absent) and cursor= (an offset). 0, or -1 after answering. */
int params_page(request *rq, int *limit, int64_t *offset);

/* Parse a JSON object body (application/json, at most PROSUM_MAX_JSON) into *doc, owned by the
 * caller. 0, or -1 after answering 415, 413, 400 or 422. */
int params_json_object(request *rq, json_t **doc);
/* obj's optional string `key` (null or absent: *out NULL) of at most max bytes, without control
 * characters but newlines and tabs; refusals name `field`. *out is borrowed from obj. 0, or -1
 * after answering 422. */
int params_opt_string(request *rq, json_t *obj, const char *key, const char *field, size_t max,
		      const char **out);

#endif
