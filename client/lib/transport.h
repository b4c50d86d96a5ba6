/* transport.h - the HTTP API over libcurl: reports, API requests, answers. */
#ifndef PROSUM_CLIENT_TRANSPORT_H
#define PROSUM_CLIENT_TRANSPORT_H

#include <stdatomic.h>

#include "lib/dsn.h"
#include "prosum.h"
#include "lib/builder.h"
#include "common/buf.h"

/* How to reach and trust the server. Strings are borrowed for the transport's life. */
typedef struct transport_config {
	const char *ca_file;       /* NULL: the system's CA store */
	const char *pinned_pubkey; /* NULL: none; alone, it replaces CA verification */
	long connect_timeout_ms;
	long timeout_ms;
	const atomic_int *cancel; /* NULL, or: non-zero aborts a transfer in flight */
} transport_config;

/* One connection's worth of state (keep-alive). Used by one thread at a time. */
typedef struct transport transport;

/* An answer. Initialise with TRANSPORT_ANSWER_INIT; release with transport_answer_free(). */
typedef struct transport_answer {
	long status;      /* HTTP status; 0 when none came */
	long retry_after; /* seconds from Retry-After, -1 when absent */
	buf body;         /* at most PROSUM_MAX_ANSWER bytes, NUL-terminated */
	char content_type[128];
} transport_answer;

#define TRANSPORT_ANSWER_INIT                                                                      \
	{                                                                                          \
		.status = 0, .retry_after = -1, .body = BUF_INIT(PROSUM_MAX_ANSWER)                \
	}

void transport_answer_free(transport_answer *a);

/* Caller owns *out (transport_free()). `cfg` is copied, its strings borrowed. PROSUM_ENOMEM. */
int transport_new(transport **out, const transport_config *cfg);
void transport_free(transport *t);

/* Per-request limit on top of the configured timeout (0: none), e.g. a flush deadline. */
void transport_set_deadline(transport *t, long timeout_ms);

/*
 * POST a report to DSN's project: JSON when it has no attachments, else
 * multipart/form-data (a `report` part and an `attachment` part per file).
 * Returns 0 when an answer came, whatever its status, else PROSUM_ENETWORK,
 * PROSUM_ETLS, PROSUM_ETIMEOUT, PROSUM_EPROTOCOL (answer too large),
 * PROSUM_ENOMEM, with the reason set.
 */
int transport_post_report(transport *t, transport_answer *ans, const dsn *d, const envelope *p);

/*
 * Takes one piece of a streamed answer body. Returns 0, or -1 to abort the
 * transfer (the request then fails with PROSUM_EIO).
 */
typedef int (*transport_stream_fn)(const char *data, size_t len, void *arg);

/* One API request. Strings are borrowed for the duration of the call. */
typedef struct transport_call {
	const char *method;         /* "GET", "POST", "PATCH", "DELETE" */
	const char *url;            /* a full https:// URL */
	const char *token;          /* sent as `Authorization: Bearer`; NULL: none */
	const char *const *headers; /* more "Name: value" lines, NULL-terminated; NULL: none */
	const char *body;           /* sent as application/json; NULL: none */
	size_t body_len;
	/*
	 * NULL: the body is kept in ans->body (at most PROSUM_MAX_ANSWER bytes).
	 * Else the body of a 2xx answer goes to `stream` piece by piece, in
	 * constant memory and without a size ceiling; the body of any other
	 * answer is still kept in ans->body, for its error.
	 */
	transport_stream_fn stream;
	void *stream_arg;
} transport_call;

/*
 * Perform `call`. Same returns as transport_post_report(), and PROSUM_EIO
 * when `stream` refused a piece.
 */
int transport_perform(transport *t, transport_answer *ans, const transport_call *call);

/*
 * Read an ingest answer into *res (initialised; previous contents disposed).
 * Returns 0 for 2xx, PROSUM_EBUSY for 429/503, PROSUM_EAUTH for 401/403/404
 * (the key or the project), PROSUM_EHTTP for another
 * status >= 400, PROSUM_EPROTOCOL for anything else or a 2xx without an id;
 * the reason is set for each failure.
 */
int transport_read_result(prosum_result *res, const transport_answer *ans);

/*
 * The reason an error answer gives, one line: "422 invalid_report: message
 * (field build.revision)", or the status and a piece of the body. Caller
 * frees; NULL when out of memory.
 */
char *transport_error_line(const transport_answer *ans);

/* URL-escape `s` (RFC 3986 unreserved kept). Caller frees; NULL when out of memory. */
char *transport_escape(const char *s);

#endif
