/* accesslog.h - one access-log line per answered request, text (Common Log Format and more) or JSON. */
#ifndef PROSUM_ACCESSLOG_H
#define PROSUM_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

/* What is known of an answered request. Slices of length 0 are shown as "-". */
typedef struct accesslog_entry {
	const char *client;  /* the client's address, as text */
	http_slice method;
	http_slice path;
	http_slice query;    /* logged with the values of secret-looking names redacted */
	int minor_version;   /* HTTP/1.x */
	int status;
	uint64_t bytes;      /* bytes of the answer written to the connection, head included */
	uint64_t usec;       /* from the request's first byte to the end of its answer */
	const char *route;   /* the router's pattern, or NULL */
	uint64_t id;         /* the request's id (accesslog_next_id()) */
} accesslog_entry;

/* A new request id: unique in this process, and across restarts in practice (its high bits
 * are the start time). */
uint64_t accesslog_next_id(void);

/* Write the line through oplog (at level info). Nothing secret is in it: no header, no body,
 * no query value whose name holds key, token, secret, pass, auth, session, sig, code or cookie
 * (nor any name with a percent escape), no path segment after "keys". */
void accesslog_write(const accesslog_entry *e);

/*
 * The project a path is about: the segment after /api/v1/projects/, or the numeric id of a
 * Sentry path /api/N/store/ or /api/N/envelope/ (*by_id set). 1 with *project, or 0.
 */
int accesslog_project(http_slice path, http_slice *project, int *by_id);
/* Is this a request to an ingest endpoint (POST a report, a Sentry event or envelope)? */
int accesslog_is_ingest(http_slice method, http_slice path);

/* The path and query as logged (see accesslog_write()), appended at out[at], escaped for
 * `json` or for a quoted text field; cut at outsz - 1. Returns the new length. */
size_t accesslog_target(char *out, size_t outsz, size_t at, http_slice path, http_slice query,
			int json);

#endif
