/* rfc3339.h - RFC 3339 date-times ("2026-11-20T10:15:00Z") to and from seconds since the epoch. */
#ifndef PROSUM_RFC3339_H
#define PROSUM_RFC3339_H

#include <stdint.h>

/* Bytes rfc3339_format() needs at most, the NUL included. */
#define RFC3339_MAX 32

/*
 * `secs` as RFC 3339 UTC, "2026-11-20T10:15:00Z", into out (NUL-terminated). A time gmtime
 * cannot break down is written as "1970-01-01T00:00:00Z".
 */
void rfc3339_format(char out[RFC3339_MAX], int64_t secs);

/*
 * Parse YYYY-MM-DD "T" hh:mm:ss [.fraction] ("Z" | +hh:mm | -hh:mm) into seconds since the
 * epoch. "t" and "z" are accepted, as RFC 3339 allows; the fraction is dropped; the day must
 * exist in its month. A leap second (ss = 60) counts as the first second of the next minute.
 * 0, or -1 (nothing written to *out) for anything else.
 */
int rfc3339_parse(const char *s, int64_t *out);

#endif
