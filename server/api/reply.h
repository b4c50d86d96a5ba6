/* reply.h - small helpers for the JSON the API answers: error bodies, times, ids. */
#ifndef PROSUM_REPLY_H
#define PROSUM_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "perror.h"

/* {"error":{"code":..,"message":..,"field":..}}; field omitted when NULL or "". New reference. */
json_t *reply_error_body(const char *code, const char *message, const char *field);
/* The error code the API uses for a status when the handler names none ("not_found"). */
const char *reply_status_code(int status);
/*
 * How the API answers a failed call that returned a PE_* code (perror.h; the
 * store's STORE_* are the same codes): the one table, used by every handler.
 *   PE_NOTFOUND 404 not_found; PE_EXISTS, PE_CONFLICT 409 conflict;
 *   PE_INVAL 422 invalid_request; PE_FORBIDDEN 403 forbidden;
 *   PE_FULL 507 insufficient_storage (Retry-After: 60);
 *   anything else (PE_ERROR, PE_BUSY, PE_STOPPED, ...) 503 unavailable (Retry-After: 1).
 * `message` is what to say when the caller has nothing more precise. PE_OK is answered as
 * PE_ERROR: a call that succeeded without an answer could not answer.
 */
typedef struct reply_status {
	int status;          /* the HTTP status */
	const char *code;    /* the API's error code ("not_found") */
	const char *message; /* a static default message */
	int retry_after;     /* seconds for Retry-After; 0 for none */
} reply_status;
reply_status reply_from_error(int code);
/* Serialise `v` compactly onto `out`. 0, or a BUF_ error. */
int reply_dump_buf(buf *out, const json_t *v);
/* A JSON string of that time; JSON null when secs is 0. New reference. */
json_t *reply_time(int64_t secs);
/* "R-12" style ids: a JSON string made of prefix and number. New reference. */
json_t *reply_id(char prefix, int64_t num);
/* Parse "R-12" or "r-12" (prefix given in upper case) into 12. 0, or -1 when malformed. */
int reply_parse_id(const char *s, char prefix, int64_t *num);

#endif
