/* reply.h - small helpers for the JSON the API answers: times and ids (errors: http/http.h). */
#ifndef PROSUM_REPLY_H
#define PROSUM_REPLY_H

#include <jansson.h>
#include <stdint.h>

/* A JSON string of that time; JSON null when secs is 0. New reference. */
json_t *reply_time(int64_t secs);
/* "R-12" style ids: a JSON string made of prefix and number. New reference. */
json_t *reply_id(char prefix, int64_t num);
/* A page of a list: {"items": items, "next": the next page's cursor, or null when next is 0}.
 * Takes items (stolen as json_pack's "o" does). New reference, or NULL. */
json_t *reply_list(json_t *items, int64_t next);
/* Parse "R-12" or "r-12" (prefix given in upper case) into 12. 0, or -1 when malformed. */
int reply_parse_id(const char *s, char prefix, int64_t *num);

#endif
