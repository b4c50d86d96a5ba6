/* reply.h - small helpers for the JSON the API answers: error bodies, times, ids. */
#ifndef PROSUM_REPLY_H
#define PROSUM_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"

/* {"error":{"code":..,"message":..,"field":..}}; field omitted when NULL or "". New reference. */
json_t *reply_error_body(const char *code, const char *message, const char *field);
/* The error code the API uses for a status when the handler names none ("not_found"). */
const char *reply_status_code(int status);
/* Serialise `v` compactly onto `out`. 0, or a BUF_ error. */
int reply_dump_buf(buf *out, const json_t *v);
/* A JSON string of that time; JSON null when secs is 0. New reference. */
json_t *reply_time(int64_t secs);
/* "R-12" style ids: a JSON string made of prefix and number. New reference. */
json_t *reply_id(char prefix, int64_t num);
/* Parse "R-12" or "r-12" (prefix given in upper case) into 12. 0, or -1 when malformed. */
int reply_parse_id(const char *s, char prefix, int64_t *num);

#endif
